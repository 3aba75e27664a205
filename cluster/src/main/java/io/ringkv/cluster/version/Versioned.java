package io.ringkv.cluster.version;

import java.util.Objects;

/**
 * One version of a key's value: a dotted version vector (the causal {@code context} the writer
 * had read, plus the {@code dot} of this write) with the value and its wall-clock time in
 * microseconds. The value type is the caller's (bytes, or a value-or-tombstone type: deletes are
 * versions too).
 *
 * Why microseconds: the time decides which of two concurrent siblings plain GET shows (the later
 * one). Two writes one after the other through different nodes can be concurrent (the second's
 * write replica had not yet received the first) and, at millisecond resolution, carry the same
 * time; the tie then fell to the node id and an acknowledged later write read as the earlier one.
 * The fault runs (ClusterFaultRunsTest) caught exactly that.
 *
 * A version supersedes another exactly when its context covers the other's dot: the writer had
 * seen that write. Contexts are causally closed (a context is a merge of whole clocks the writer
 * read), so this relation is transitive.
 */
public record Versioned<T>(VectorClock context, Dot dot, T value, long timestampMicros) {

    public Versioned {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(dot, "dot");
        if (timestampMicros < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0: " + timestampMicros);
        }
    }

    /** The version's whole history as a plain vector: its context with its own dot folded in. */
    public VectorClock clock() {
        // Clock entries keep milliseconds (they only order pruning).
        return context.withCounter(dot.node(), dot.counter(), timestampMicros / 1000);
    }

    /** True when this version's writer had seen {@code other} (and they are different events). */
    public boolean supersedes(Versioned<?> other) {
        return !dot.equals(other.dot) && context.covers(other.dot);
    }

    /** Neither supersedes the other and they are different events: both must be kept. */
    public boolean concurrentWith(Versioned<?> other) {
        return !dot.equals(other.dot) && !supersedes(other) && !other.supersedes(this);
    }
}
