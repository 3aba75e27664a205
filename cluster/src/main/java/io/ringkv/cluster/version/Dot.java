package io.ringkv.cluster.version;

import java.util.Objects;

/**
 * One write event: the {@code counter}-th event that node {@code node} issued for a key. A dot
 * names exactly one version, which is what lets two writes through the same node stay siblings
 * (see {@link VectorClock}). Invariant the caller (the replica that issues dots) must keep: a node
 * never issues the same dot twice for a key, i.e. it takes the next counter under a per-key lock
 * from its own stored versions ({@link Siblings#nextDot}).
 */
public record Dot(String node, long counter) {
    public Dot {
        Objects.requireNonNull(node, "node");
        if (counter < 1) {
            throw new IllegalArgumentException("dot counter must be >= 1: " + counter);
        }
    }

    @Override
    public String toString() {
        return node + ":" + counter;
    }
}
