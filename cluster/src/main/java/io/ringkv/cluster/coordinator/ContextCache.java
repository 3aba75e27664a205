package io.ringkv.cluster.coordinator;

import io.ringkv.cluster.version.VectorClock;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The causal contexts this coordinator read recently, by key: what lets a blind write (plain SET)
 * supersede every version the coordinator has seen, not only the versions its write replica
 * happens to hold. A plain GET followed by a SET through the same node therefore never makes a
 * sibling, even when the replica that coordinates the write had missed a version the GET saw.
 *
 * <p>Direct-mapped and bounded: a slot per key hash, a newer key evicts an older one. A miss only
 * means the write's context is what its replica holds, which is the Dynamo default; a hit can
 * only add versions this node really read, which the write rightly supersedes. Lock-free.
 */
public final class ContextCache {

    private record Entry(byte[] key, VectorClock context) {
    }

    private final AtomicReferenceArray<Entry> entries;
    private final int mask;

    /** @param capacity rounded up to a power of two */
    public ContextCache(int capacity) {
        int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.entries = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    public void remember(byte[] key, VectorClock context) {
        if (context.size() == 0) {
            return;
        }
        entries.set(index(key), new Entry(key, context));
    }

    /** The context last read for {@code key}, or the empty clock. */
    public VectorClock lookup(byte[] key) {
        Entry e = entries.get(index(key));
        return e != null && Arrays.equals(e.key, key) ? e.context : VectorClock.empty();
    }

    private int index(byte[] key) {
        int h = Arrays.hashCode(key);
        return (h ^ (h >>> 16)) & mask;
    }
}
