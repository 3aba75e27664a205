package io.ringkv.cluster.antientropy;

import java.util.ArrayList;
import java.util.List;
import io.ringkv.cluster.ring.Slots;
import org.roaringbitmap.RoaringBitmap;

/**
 * Where every node of a Merkle tree sits: which slots it covers, how many sub-buckets each slot
 * has, the fan-out above the slots, and so the width of every level. Two trees can be compared
 * only when their shapes are equal, which {@link #fingerprint()} lets two nodes check in 8 bytes.
 *
 * Levels are numbered from the root (level 0, one node) down to the leaves (level
 * {@link #leafLevel()}). The leaves of the slot of rank r (its position among the covered slots,
 * ascending) are nodes r*B .. r*B+B-1 of the leaf level, so the level just above the leaves has
 * exactly one node per covered slot ("slots are the lower levels"). Above that, each node has
 * {@code fanOut} children: node i of level l has children i*f .. min(i*f+f, width(l+1))-1.
 * Indexing by rank rather than by slot number keeps a tree over a pair's few shared slots small.
 *
 * With all 16384 slots, 16 sub-buckets and fan-out 16: widths 1, 4, 64, 1024, 16384 (slots),
 * 262144 (leaves), six levels.
 */
public final class TreeShape {

    /** Sub-bucket counts and fan-outs are powers of two in [1, 256]: they fit a u8's log2. */
    public static final int MAX_SUB_BUCKETS = 256;
    public static final int MAX_FAN_OUT = 256;
    public static final int DEFAULT_SUB_BUCKETS = 16;
    public static final int DEFAULT_FAN_OUT = 16;

    private static final int FORMAT = 1;

    private final RoaringBitmap slots;
    private final int[] slotByRank;
    private final int subBuckets;
    private final int subBucketBits;
    private final int fanOut;
    private final int[] widths;
    private final long fingerprint;

    public TreeShape(RoaringBitmap slots, int subBuckets, int fanOut, EntryHasher hasher) {
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("a Merkle tree needs at least one slot");
        }
        if (Integer.compareUnsigned(slots.last(), Slots.COUNT) >= 0) {
            throw new IllegalArgumentException("slots must be in [0, 16384)");
        }
        checkPowerOfTwo("sub-buckets", subBuckets, MAX_SUB_BUCKETS);
        checkPowerOfTwo("fan-out", fanOut, MAX_FAN_OUT);
        if (fanOut < 2) {
            throw new IllegalArgumentException("fan-out must be at least 2");
        }
        this.slots = slots.clone();
        this.slotByRank = slots.toArray();
        this.subBuckets = subBuckets;
        this.subBucketBits = Integer.numberOfTrailingZeros(subBuckets);
        this.fanOut = fanOut;
        this.widths = widths(slotByRank.length, subBuckets, fanOut);
        this.fingerprint = hasher.hashLongs(new long[] {
                FORMAT, subBuckets, fanOut, slotByRank.length, hasher.hashInts(slotByRank)});
    }

    private static void checkPowerOfTwo(String what, int v, int max) {
        if (v < 1 || v > max || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException(what + " must be a power of two in [1, " + max + "]: " + v);
        }
    }

    /** Level widths from the root down: leaves, then one node per slot, then fan-out levels. */
    private static int[] widths(int slotCount, int subBuckets, int fanOut) {
        List<Integer> bottomUp = new ArrayList<>();
        bottomUp.add(slotCount * subBuckets);
        int w = slotCount;
        bottomUp.add(w);
        while (w > 1) {
            w = (w + fanOut - 1) / fanOut;
            bottomUp.add(w);
        }
        int[] out = new int[bottomUp.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bottomUp.get(out.length - 1 - i);
        }
        return out;
    }

    public int subBuckets() {
        return subBuckets;
    }

    public int fanOut() {
        return fanOut;
    }

    public int slotCount() {
        return slotByRank.length;
    }

    public boolean covers(int slot) {
        return slot >= 0 && slot < Slots.COUNT && slots.contains(slot);
    }

    /** A copy: the shape's own bitmap never changes. */
    public RoaringBitmap slots() {
        return slots.clone();
    }

    /** Levels count: the leaf level is {@code levels() - 1}. */
    public int levels() {
        return widths.length;
    }

    public int leafLevel() {
        return widths.length - 1;
    }

    public int width(int level) {
        return widths[level];
    }

    /** How many children a node of {@code level} has at most (B just above the leaves). */
    public int fanOutBelow(int level) {
        return level == leafLevel() - 1 ? subBuckets : fanOut;
    }

    /** The first child of node {@code index} of {@code level}. */
    public int firstChild(int level, int index) {
        return index * fanOutBelow(level);
    }

    /** How many children node {@code index} of {@code level} has (the last node may have fewer). */
    public int childCount(int level, int index) {
        int first = firstChild(level, index);
        return Math.min(first + fanOutBelow(level), widths[level + 1]) - first;
    }

    /** Equal for trees that may be compared: same slots, sub-buckets, fan-out and hash seed. */
    public long fingerprint() {
        return fingerprint;
    }

    /** The top bits of the key hash: independent of the slot, which is CRC16 of the key or tag. */
    public int subBucket(long keyHash) {
        return subBucketBits == 0 ? 0 : (int) (keyHash >>> (64 - subBucketBits));
    }

    public int leafIndex(int slot, int subBucket) {
        if (!covers(slot)) {
            throw new IllegalArgumentException("slot " + slot + " is not in this tree");
        }
        return (int) (slots.rank(slot) - 1) * subBuckets + subBucket;
    }

    public Leaf leafAt(int index) {
        return new Leaf(slotByRank[index / subBuckets], index % subBuckets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeShape s && s.fingerprint == fingerprint && s.subBuckets == subBuckets
                && s.fanOut == fanOut && s.slots.equals(slots);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(fingerprint);
    }
}
