package io.ringkv.cluster.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The versions of one key that no other version supersedes: what a replica stores and what a
 * read merges. Immutable; every operation returns a new value.
 *
 * Invariants: no member supersedes another, and no two members share a dot. {@link #add} keeps
 * them: it ignores a version that a member supersedes (or that is already present) and drops
 * the members the new version supersedes. Because supersession is transitive for causally
 * closed contexts, the result does not depend on the order versions arrive in, which is what
 * lets replicas, read repair and anti-entropy exchange versions in any order and converge. A
 * version is only ever dropped because some kept version's writer had seen it: a write that is
 * concurrent with everything else is never lost, only shown as a sibling.
 *
 * Members are kept sorted by dot so that equal sets are equal values.
 */
public final class Siblings<T> {

    /** Unsigned lexicographic order, the value tie-break for byte[] values. */
    public static final Comparator<byte[]> BYTES_ORDER = Arrays::compareUnsigned;

    private static final Comparator<Versioned<?>> BY_DOT =
            Comparator.comparing((Versioned<?> v) -> v.dot().node()).thenComparingLong(v -> v.dot().counter());

    private static final Siblings<?> EMPTY = new Siblings<>(List.of());

    private final List<Versioned<T>> versions;

    private Siblings(List<Versioned<T>> sortedVersions) {
        this.versions = sortedVersions;
    }

    @SuppressWarnings("unchecked")
    public static <T> Siblings<T> empty() {
        return (Siblings<T>) EMPTY;
    }

    @SafeVarargs
    public static <T> Siblings<T> of(Versioned<T>... versions) {
        Siblings<T> s = empty();
        for (Versioned<T> v : versions) {
            s = s.add(v);
        }
        return s;
    }

    /** Sorted by dot; unmodifiable. */
    public List<Versioned<T>> versions() {
        return versions;
    }

    public int size() {
        return versions.size();
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }

    public Siblings<T> add(Versioned<T> v) {
        Objects.requireNonNull(v, "version");
        List<Versioned<T>> out = new ArrayList<>(versions.size() + 1);
        for (Versioned<T> existing : versions) {
            if (existing.dot().equals(v.dot()) || existing.supersedes(v)) {
                return this;
            }
            if (!v.supersedes(existing)) {
                out.add(existing);
            }
        }
        out.add(v);
        out.sort(BY_DOT);
        return new Siblings<>(Collections.unmodifiableList(out));
    }

    public Siblings<T> merge(Siblings<T> other) {
        Siblings<T> s = this;
        for (Versioned<T> v : other.versions) {
            s = s.add(v);
        }
        return s;
    }

    /**
     * The causal context a client gets with a read (KV.GET) and hands back to write over what it
     * read: the merge of every member's whole clock. A write carrying it supersedes all of them.
     */
    public VectorClock context() {
        VectorClock c = VectorClock.empty();
        for (Versioned<T> v : versions) {
            c = c.merge(v.clock());
        }
        return c;
    }

    /**
     * The dot node {@code node} issues next for this key: one past the highest event of
     * {@code node} that any stored version or the writer's context knows. The caller must hold the
     * key's lock between this and storing the result, so a node never issues a dot twice.
     */
    public Dot nextDot(String node, VectorClock writerContext) {
        long max = writerContext.counter(node);
        for (Versioned<T> v : versions) {
            max = Math.max(max, v.clock().counter(node));
        }
        return new Dot(node, max + 1);
    }

    /**
     * A write coordinated at this replica by {@code node}: a new version with the writer's
     * context and a fresh dot. It supersedes exactly the versions its context covers. A blind
     * write (plain SET) passes the merge of everything the coordinator read; KV.PUT passes the
     * client's context; two writes through the same node with the same context stay siblings.
     */
    public Siblings<T> write(VectorClock writerContext, String node, T value, long nowMicros) {
        Dot dot = nextDot(node, writerContext);
        return add(new Versioned<>(writerContext, dot, value, nowMicros));
    }

    /**
     * The one value plain GET answers, the same on every node that holds the same siblings:
     * the latest timestamp; on a tie the highest node id of the version's dot (the clock's most
     * recent event); then the highest dot counter; then the greatest value in
     * {@code valueOrder} (unsigned bytes for byte[] values, {@link #BYTES_ORDER}). The rule
     * only picks what to show; the siblings stay until a write supersedes them.
     */
    public Versioned<T> winner(Comparator<? super T> valueOrder) {
        if (versions.isEmpty()) {
            throw new IllegalStateException("no versions");
        }
        Comparator<Versioned<T>> order = Comparator.comparingLong((Versioned<T> v) -> v.timestampMicros())
                .thenComparing(v -> v.dot().node())
                .thenComparingLong(v -> v.dot().counter())
                .thenComparing(Versioned::value, valueOrder);
        return Collections.max(versions, order);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Siblings<?> other) || other.versions.size() != versions.size()) {
            return false;
        }
        for (int i = 0; i < versions.size(); i++) {
            Versioned<?> a = versions.get(i);
            Versioned<?> b = other.versions.get(i);
            if (!a.dot().equals(b.dot()) || !a.context().equals(b.context())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (Versioned<T> v : versions) {
            h = 31 * h + v.dot().hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (Versioned<T> v : versions) {
            sb.append(sb.length() > 1 ? ", " : "").append(v.dot()).append(v.context());
        }
        return sb.append(']').toString();
    }
}
