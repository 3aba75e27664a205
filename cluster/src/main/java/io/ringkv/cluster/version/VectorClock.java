package io.ringkv.cluster.version;

import io.ringkv.cluster.codec.ByteWriting;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable vector clock: node id -> (counter, last-updated wall time in millis).
 *
 * Actors are node ids, never client ids (DESIGN.md "Versions and siblings"). A clock grows by one
 * entry per node that ever coordinated a write to the key, which is bounded by the cluster size;
 * client-id actors made Riak's clocks grow with the number of clients and its siblings explode.
 *
 * Vector clock or dotted version vector? Both: this class is the plain vector, and a stored
 * version is a dotted version vector, {@link Versioned} = (causal context, {@link Dot}, value).
 * The reason is the one case plain vector clocks with node actors get wrong: two writes that go
 * through the same node n concurrently, with the same context C. Plain clocks give them
 * C + {n:k} and C + {n:k+1}, and the second "descends" the first although its writer never saw
 * it, so an acknowledged write would silently vanish (or, Riak's pre-DVV answer, both values are
 * kept under one merged clock and siblings accumulate: the sibling explosion). With a dot the
 * second version is (C, n:k+1), and it supersedes the first only if C contains n:k, which it does
 * not: the two stay siblings. Blind writes still supersede what the coordinator read, because the
 * coordinator passes the merge of every clock it read as the context. The opaque context that
 * KV.GET returns and KV.PUT accepts is just this vector ({@link Siblings#context()}), encoded
 * with {@link #toBytes()}.
 *
 * Timestamps are metadata for pruning only; ordering ({@link #compare}) uses counters alone.
 */
public final class VectorClock {

    /** The relation of this clock to another. */
    public enum Ordering {
        /** This clock happened before the other: the other descends it and differs. */
        BEFORE,
        /** This clock descends the other and differs. */
        AFTER,
        /** The same counters everywhere. */
        EQUAL,
        /** Neither descends the other. */
        CONCURRENT
    }

    /** One actor's entry: how many events it has issued, and when it last did (millis). */
    public record Entry(long counter, long updatedMillis) {
        public Entry {
            if (counter < 1) {
                throw new IllegalArgumentException("counter must be >= 1: " + counter);
            }
            if (updatedMillis < 0) {
                throw new IllegalArgumentException("timestamp must be >= 0: " + updatedMillis);
            }
        }
    }

    /** Hard limits checked when decoding untrusted bytes (a client-supplied context). */
    public static final int MAX_ENCODED_ENTRIES = 4096;
    public static final int MAX_NODE_ID_BYTES = 255;

    /** First byte of the encoding, so that the format can change without ambiguity. */
    static final int FORMAT_VERSION = 1;

    private static final VectorClock EMPTY = new VectorClock(new TreeMap<>());

    private final SortedMap<String, Entry> entries;

    private VectorClock(TreeMap<String, Entry> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    public static VectorClock empty() {
        return EMPTY;
    }

    public static VectorClock of(Map<String, Entry> entries) {
        TreeMap<String, Entry> copy = new TreeMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            copy.put(checkNode(e.getKey()), Objects.requireNonNull(e.getValue()));
        }
        return new VectorClock(copy);
    }

    /** Sorted by node id; unmodifiable. */
    public SortedMap<String, Entry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    /** The counter of {@code nodeId}, 0 when the clock has no entry for it. */
    public long counter(String nodeId) {
        Entry e = entries.get(nodeId);
        return e == null ? 0 : e.counter();
    }

    /** A new clock with one more event by {@code nodeId}, stamped {@code nowMillis}. */
    public VectorClock increment(String nodeId, long nowMillis) {
        return withCounter(nodeId, counter(nodeId) + 1, nowMillis);
    }

    /**
     * A new clock whose entry for {@code nodeId} is at least {@code counter} (used to fold a
     * version's dot into its context). A lower counter leaves the entry as it is.
     */
    public VectorClock withCounter(String nodeId, long counter, long nowMillis) {
        checkNode(nodeId);
        Entry old = entries.get(nodeId);
        if (old != null && old.counter() >= counter) {
            return this;
        }
        TreeMap<String, Entry> copy = new TreeMap<>(entries);
        copy.put(nodeId, new Entry(counter, Math.max(nowMillis, old == null ? 0 : old.updatedMillis())));
        return new VectorClock(copy);
    }

    /**
     * Pointwise maximum of the counters. The timestamp follows the larger counter (it says when
     * that event happened); on equal counters the later timestamp is kept so merge stays
     * commutative even if two replicas disagree about the stamp.
     */
    public VectorClock merge(VectorClock other) {
        if (other.entries.isEmpty()) {
            return this;
        }
        if (entries.isEmpty()) {
            return other;
        }
        TreeMap<String, Entry> out = new TreeMap<>(entries);
        for (Map.Entry<String, Entry> e : other.entries.entrySet()) {
            out.merge(e.getKey(), e.getValue(), VectorClock::maxEntry);
        }
        return new VectorClock(out);
    }

    private static Entry maxEntry(Entry a, Entry b) {
        if (a.counter() != b.counter()) {
            return a.counter() > b.counter() ? a : b;
        }
        return a.updatedMillis() >= b.updatedMillis() ? a : b;
    }

    public Ordering compare(VectorClock other) {
        boolean thisBigger = false;
        boolean otherBigger = false;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            long mine = e.getValue().counter();
            long theirs = other.counter(e.getKey());
            if (mine > theirs) {
                thisBigger = true;
            } else if (mine < theirs) {
                otherBigger = true;
            }
        }
        for (Map.Entry<String, Entry> e : other.entries.entrySet()) {
            if (!entries.containsKey(e.getKey())) {
                otherBigger = true;
            }
        }
        if (thisBigger && otherBigger) {
            return Ordering.CONCURRENT;
        }
        if (thisBigger) {
            return Ordering.AFTER;
        }
        return otherBigger ? Ordering.BEFORE : Ordering.EQUAL;
    }

    /** True when every counter of {@code other} is at most this clock's (EQUAL or AFTER). */
    public boolean descends(VectorClock other) {
        Ordering o = compare(other);
        return o == Ordering.AFTER || o == Ordering.EQUAL;
    }

    /** True when the event {@code dot} is part of this clock's history. */
    public boolean covers(Dot dot) {
        return counter(dot.node()) >= dot.counter();
    }

    /**
     * Keeps at most {@code maxEntries} entries (`vclock-max-entries`), dropping the
     * least-recently-updated first (ties: smaller node id first, so every replica prunes alike).
     *
     * Pruning forgets history, so it can only make versions look more concurrent, never less: a
     * version whose context lost an entry may no longer cover an older version's dot, and the two
     * then both survive as siblings. That costs a sibling a client or a later write resolves; it
     * never loses data, because nothing is dropped unless some clock covers it. The entries
     * dropped first are those of nodes that have not coordinated a write to the key for the
     * longest time, whose events are the least likely to still be concurrent with anything.
     */
    public VectorClock prune(int maxEntries) {
        return prune(maxEntries, node -> true);
    }

    /**
     * {@link #prune(int)} that only ever drops the entries of nodes {@code prunable} accepts.
     *
     * This is what makes pruning safe in a cluster: a node derives its next dot for a key from
     * the counters the key's stored clocks hold for it (there is no other record of them), so if
     * pruning dropped a live node's entry everywhere, the node could issue a dot it issued before,
     * and a stale copy of the old version would then swallow the new write (same dot). Only nodes
     * that have left the ring, and so will never issue a dot again, may be forgotten. A clock may
     * stay above {@code maxEntries} when every entry belongs to a live node; it is then bounded by
     * the cluster's size.
     */
    public VectorClock prune(int maxEntries, java.util.function.Predicate<String> prunable) {
        if (maxEntries < 0) {
            throw new IllegalArgumentException("maxEntries must be >= 0: " + maxEntries);
        }
        if (entries.size() <= maxEntries) {
            return this;
        }
        List<Map.Entry<String, Entry>> byAge = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (prunable.test(e.getKey())) {
                byAge.add(e);
            }
        }
        if (byAge.isEmpty()) {
            return this;
        }
        byAge.sort(Comparator.comparingLong((Map.Entry<String, Entry> e) -> e.getValue().updatedMillis())
                .thenComparing(Map.Entry::getKey));
        TreeMap<String, Entry> out = new TreeMap<>(entries);
        for (int i = 0; i < entries.size() - maxEntries && i < byAge.size(); i++) {
            out.remove(byAge.get(i).getKey());
        }
        return new VectorClock(out);
    }

    /*
     * Encoding (opaque to clients; docs/formats.md can copy this):
     *   u8      format version (1)
     *   varint  entry count n (<= MAX_ENCODED_ENTRIES)
     *   n times, node ids strictly increasing (bytewise on UTF-8, the canonical order):
     *     varint  node id length (1..MAX_NODE_ID_BYTES), then that many UTF-8 bytes
     *     varint  counter (>= 1)
     *     varint  last-updated millis (>= 0)
     * Varints are unsigned LEB128 (7 bits per byte, low group first), at most 10 bytes.
     * Canonical encoding means equal clocks have equal bytes, and decoding rejects anything else.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 + entries.size() * 16);
        out.write(FORMAT_VERSION);
        ByteWriting.varint(out, entries.size());
        for (Map.Entry<String, Entry> e : sortedForEncoding()) {
            byte[] id = e.getKey().getBytes(StandardCharsets.UTF_8);
            ByteWriting.varint(out, id.length);
            out.write(id, 0, id.length);
            ByteWriting.varint(out, e.getValue().counter());
            ByteWriting.varint(out, e.getValue().updatedMillis());
        }
        return out.toByteArray();
    }

    /** Decodes {@link #toBytes()}; throws IllegalArgumentException on anything malformed. */
    public static VectorClock fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (!in.hasRemaining() || (in.get() & 0xFF) != FORMAT_VERSION) {
            throw new IllegalArgumentException("vector clock: unknown format");
        }
        long n = readVarint(in);
        if (n > MAX_ENCODED_ENTRIES) {
            throw new IllegalArgumentException("vector clock: too many entries: " + n);
        }
        TreeMap<String, Entry> out = new TreeMap<>();
        byte[] previous = null;
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (long i = 0; i < n; i++) {
            long len = readVarint(in);
            if (len < 1 || len > MAX_NODE_ID_BYTES || len > in.remaining()) {
                throw new IllegalArgumentException("vector clock: bad node id length " + len);
            }
            byte[] id = new byte[(int) len];
            in.get(id);
            if (previous != null && java.util.Arrays.compareUnsigned(previous, id) >= 0) {
                throw new IllegalArgumentException("vector clock: node ids not strictly increasing");
            }
            previous = id;
            String node;
            try {
                node = decoder.decode(ByteBuffer.wrap(id)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("vector clock: node id is not UTF-8", e);
            }
            long counter = readVarint(in);
            long millis = readVarint(in);
            if (counter < 1 || millis < 0) {
                throw new IllegalArgumentException("vector clock: bad entry for " + node);
            }
            out.put(node, new Entry(counter, millis));
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("vector clock: " + in.remaining() + " trailing bytes");
        }
        return new VectorClock(out);
    }

    /* Java's String order and UTF-8 byte order differ above the BMP; the bytes are canonical. */
    private List<Map.Entry<String, Entry>> sortedForEncoding() {
        List<Map.Entry<String, Entry>> list = new ArrayList<>(entries.entrySet());
        list.sort((a, b) -> java.util.Arrays.compareUnsigned(
                a.getKey().getBytes(StandardCharsets.UTF_8), b.getKey().getBytes(StandardCharsets.UTF_8)));
        return list;
    }


    private static long readVarint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("vector clock: truncated");
            }
            int b = in.get() & 0xFF;
            if (shift == 63 && b > 1) {
                throw new IllegalArgumentException("vector clock: varint overflow");
            }
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw new IllegalArgumentException("vector clock: non-canonical varint");
                }
                return v;
            }
        }
        throw new IllegalArgumentException("vector clock: varint too long");
    }

    private static String checkNode(String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        int len = nodeId.getBytes(StandardCharsets.UTF_8).length;
        if (len < 1 || len > MAX_NODE_ID_BYTES) {
            throw new IllegalArgumentException("node id must be 1.." + MAX_NODE_ID_BYTES + " bytes");
        }
        return nodeId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VectorClock other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        entries.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append(':').append(v.counter()));
        return sb.append('}').toString();
    }
}
