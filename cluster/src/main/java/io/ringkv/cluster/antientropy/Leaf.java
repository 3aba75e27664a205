package io.ringkv.cluster.antientropy;

/**
 * One leaf of a {@link MerkleTree}: the keys of {@code slot} whose key hash falls in
 * {@code subBucket}. It is the unit anti-entropy narrows a divergence down to; the keys of a
 * divergent leaf are then compared one by one ({@link KeyDigests}).
 */
public record Leaf(int slot, int subBucket) implements Comparable<Leaf> {

    @Override
    public int compareTo(Leaf o) {
        int c = Integer.compare(slot, o.slot);
        return c != 0 ? c : Integer.compare(subBucket, o.subBucket);
    }

    @Override
    public String toString() {
        return slot + "/" + subBucket;
    }
}
