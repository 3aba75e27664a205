package io.ringkv.cluster.antientropy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.roaringbitmap.RoaringBitmap;

/**
 * A Merkle tree over a set of slots (the slots two replicas share), for anti-entropy: two
 * replicas with equal roots hold the same keys and the same siblings for those slots; otherwise
 * comparing the tree top-down ({@link Exchange}) finds the (slot, sub-bucket) leaves that differ,
 * and only their keys are compared and transferred. The shape is {@link TreeShape}'s.
 *
 * A LEAF's hash is the wrapping 64-bit SUM of its entries' hashes ({@link EntryHasher}), an entry
 * being a key with its encoded siblings (VersionCodec bytes, canonical: equal sibling sets give
 * equal bytes, so equal replicas give equal hashes). A sum does not depend on insertion order and
 * is updated in O(1): add the new entry's hash, subtract the old one. XOR would do the same, but
 * XOR is its own inverse: an entry added twice (say, an update path that forgets to remove the
 * old version) silently vanishes, and the tree then agrees with a replica that lacks the key. A
 * sum counts multiplicities mod 2^64, so such a slip shows up as a divergence instead of hiding
 * one. For honest data either way misses a real difference only if 64-bit hashes of the differing
 * entries happen to sum to exactly the same value: probability 2^-64 per divergent leaf per
 * exchange, well below a disk's undetected error rate, so 64 bits are enough and 128 would only
 * double the tree and every message. (Sums of hashes are not collision-resistant against someone
 * who knows the seed and picks keys, Wagner's generalized birthday attack; the seed can be made
 * secret, and the worst such an attacker achieves is delaying repair of keys they wrote.)
 *
 * An INNER node's hash is xxHash64 of its children's hashes, in order, or 0 when every child is
 * 0: an empty subtree hashes to 0 at every level, which the wire encoding sends as one bit and
 * the exchange uses to skip descending into a subtree the peer does not have at all.
 *
 * Updates recompute the path to the root eagerly (levels x fan-out longs, ~100 for the default
 * shape), so every read is a plain array lookup. Not thread-safe: the owner serialises updates
 * and runs exchanges against a {@link #copy()}.
 */
public final class MerkleTree {

    private final TreeShape shape;
    private final EntryHasher hasher;
    /** levels[l][i] = hash of node i of level l; levels[0][0] is the root. */
    private final long[][] levels;
    private long entries;

    private MerkleTree(TreeShape shape, EntryHasher hasher, long[][] levels, long entries) {
        this.shape = shape;
        this.hasher = hasher;
        this.levels = levels;
        this.entries = entries;
    }

    /** A tree over {@code slots} with the default sub-buckets, fan-out and seed. */
    public static Builder builder(RoaringBitmap slots) {
        return builder(slots, TreeShape.DEFAULT_SUB_BUCKETS, TreeShape.DEFAULT_FAN_OUT, EntryHasher.DEFAULT_SEED);
    }

    public static Builder builder(RoaringBitmap slots, int subBuckets, int fanOut, long seed) {
        EntryHasher hasher = new EntryHasher(seed);
        return new Builder(new TreeShape(slots, subBuckets, fanOut, hasher), hasher);
    }

    /**
     * Collects entries into the leaves only, then computes every inner node once in
     * {@link #build()}: building from a full scan costs one hash per entry plus one per node,
     * not a path recomputation per entry.
     */
    public static final class Builder {
        private final TreeShape shape;
        private final EntryHasher hasher;
        private long[] leaves;
        private long entries;

        private Builder(TreeShape shape, EntryHasher hasher) {
            this.shape = shape;
            this.hasher = hasher;
            this.leaves = new long[shape.width(shape.leafLevel())];
        }

        /** {@code slot} must be {@code Slots.slot(key)} and covered by the tree. */
        public Builder add(int slot, byte[] key, byte[] valueBytes) {
            if (leaves == null) {
                throw new IllegalStateException("already built");
            }
            long kh = hasher.keyHash(key);
            leaves[shape.leafIndex(slot, shape.subBucket(kh))] += hasher.entryHashFromKeyHash(kh, valueBytes);
            entries++;
            return this;
        }

        public MerkleTree build() {
            if (leaves == null) {
                throw new IllegalStateException("already built");
            }
            long[][] levels = new long[shape.levels()][];
            levels[shape.leafLevel()] = leaves;
            leaves = null;
            for (int l = shape.leafLevel() - 1; l >= 0; l--) {
                levels[l] = new long[shape.width(l)];
                for (int i = 0; i < levels[l].length; i++) {
                    levels[l][i] = hasher.innerHash(levels[l + 1], shape.firstChild(l, i), shape.childCount(l, i));
                }
            }
            return new MerkleTree(shape, hasher, levels, entries);
        }
    }

    public TreeShape shape() {
        return shape;
    }

    public EntryHasher hasher() {
        return hasher;
    }

    public long root() {
        return levels[0][0];
    }

    /** Entries added minus entries removed. */
    public long entryCount() {
        return entries;
    }

    /** The leaf {@code key} belongs to; a store scanning a divergent slot keeps the keys of its divergent leaves. */
    public Leaf leafOf(int slot, byte[] key) {
        if (!shape.covers(slot)) {
            throw new IllegalArgumentException("slot " + slot + " is not in this tree");
        }
        return new Leaf(slot, shape.subBucket(hasher.keyHash(key)));
    }

    public void add(int slot, byte[] key, byte[] valueBytes) {
        long kh = hasher.keyHash(key);
        update(shape.leafIndex(slot, shape.subBucket(kh)), hasher.entryHashFromKeyHash(kh, valueBytes));
        entries++;
    }

    /** Undoes {@link #add} of exactly these bytes (removing what was never added corrupts the tree). */
    public void remove(int slot, byte[] key, byte[] valueBytes) {
        long kh = hasher.keyHash(key);
        update(shape.leafIndex(slot, shape.subBucket(kh)), -hasher.entryHashFromKeyHash(kh, valueBytes));
        entries--;
    }

    /**
     * A key's stored siblings changed from {@code before} to {@code after}; either may be null (the
     * key was absent, or is gone). One path recomputation, since both entries share a leaf.
     */
    public void replace(int slot, byte[] key, byte[] before, byte[] after) {
        long kh = hasher.keyHash(key);
        long delta = 0;
        if (before != null) {
            delta -= hasher.entryHashFromKeyHash(kh, before);
            entries--;
        }
        if (after != null) {
            delta += hasher.entryHashFromKeyHash(kh, after);
            entries++;
        }
        update(shape.leafIndex(slot, shape.subBucket(kh)), delta);
    }

    private void update(int leaf, long delta) {
        int l = shape.leafLevel();
        levels[l][leaf] += delta;
        int index = leaf;
        while (l > 0) {
            int parentLevel = l - 1;
            int parent = index / shape.fanOutBelow(parentLevel);
            levels[parentLevel][parent] = hasher.innerHash(levels[l],
                    shape.firstChild(parentLevel, parent), shape.childCount(parentLevel, parent));
            l = parentLevel;
            index = parent;
        }
    }

    /** An independent copy, for running an exchange while the original keeps taking updates. */
    public MerkleTree copy() {
        long[][] c = new long[levels.length][];
        for (int l = 0; l < levels.length; l++) {
            c[l] = levels[l].clone();
        }
        return new MerkleTree(shape, hasher, c, entries);
    }

    public long hash(int level, int index) {
        return levels[level][index];
    }

    /** The hashes of the given nodes of {@code level}, in the order given. */
    public long[] levelHashes(int level, int[] indices) {
        if (level < 0 || level >= levels.length) {
            throw new IllegalArgumentException("level " + level + " not in [0, " + levels.length + ")");
        }
        long[] row = levels[level];
        long[] out = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int index = indices[i];
            if (index < 0 || index >= row.length) {
                throw new IllegalArgumentException("node " + index + " not in level " + level + " of width " + row.length);
            }
            out[i] = row[index];
        }
        return out;
    }

    /**
     * The responder's side of an exchange, stateless: every request names the shape it expects,
     * so a node can answer requests from any number of peers without keeping sessions. A request
     * for another shape gets this tree's fingerprint and no hashes, which ends the exchange.
     */
    public HashResponse answer(HashRequest request) {
        if (request.shape() != shape.fingerprint()) {
            return new HashResponse(shape.fingerprint(), request.level(), new long[0]);
        }
        return new HashResponse(shape.fingerprint(), request.level(), levelHashes(request.level(), request.indices()));
    }

    /**
     * The divergent leaves between this tree and {@code other} (same shape), in (slot, sub-bucket)
     * order: the exchange protocol run in-process, so it finds what two nodes would.
     */
    public List<Leaf> diff(MerkleTree other) {
        if (!shape.equals(other.shape)) {
            throw new IllegalArgumentException("trees of different shapes cannot be compared");
        }
        Exchange exchange = new Exchange(this);
        Optional<HashRequest> next = Optional.of(exchange.start());
        while (next.isPresent()) {
            next = exchange.onResponse(other.answer(next.get()));
        }
        return new ArrayList<>(exchange.divergentLeaves());
    }
}
