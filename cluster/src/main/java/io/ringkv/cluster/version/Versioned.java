package io.ringkv.cluster.version;

import java.util.Objects;

/**
 * One version of a key's value: a dotted version vector (the causal {@code context} the writer
 * had read, plus the {@code dot} of this write) with the value and its wall-clock time. The value
 * type is the caller's (bytes, or a value-or-tombstone type: deletes are versions too).
 *
 * A version supersedes another exactly when its context covers the other's dot: the writer had
 * seen that write. Contexts are causally closed (a context is a merge of whole clocks the writer
 * read), so this relation is transitive.
 */
public record Versioned<T>(VectorClock context, Dot dot, T value, long timestampMillis) {

    public Versioned {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(dot, "dot");
        if (timestampMillis < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0: " + timestampMillis);
        }
    }

    /** The version's whole history as a plain vector: its context with its own dot folded in. */
    public VectorClock clock() {
        return context.withCounter(dot.node(), dot.counter(), timestampMillis);
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
