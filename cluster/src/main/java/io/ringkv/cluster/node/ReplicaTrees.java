package io.ringkv.cluster.node;

import io.ringkv.cluster.antientropy.EntryHasher;
import io.ringkv.cluster.antientropy.KeyDigests;
import io.ringkv.cluster.antientropy.Leaf;
import io.ringkv.cluster.antientropy.MerkleTree;
import io.ringkv.cluster.antientropy.TreeShape;
import io.ringkv.storage.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * Merkle trees and key digests of this node's replicas, read from its engine: what both sides
 * of an anti-entropy exchange compute over the slots they share. An entry is a key with its
 * stored record (the siblings' canonical encoding), tombstones included.
 *
 * <p>A tree is built per exchange by one range scan per slot (about 60-70 ms per 100,000 keys,
 * docs/antientropy.md), not kept up to date from the write path: a pass covers a bounded slice
 * of slots, so the cost is bounded too. Writes that land during the scan are in the tree or
 * not; the next pass settles either.
 */
public final class ReplicaTrees {

    private final Engine engine;

    public ReplicaTrees(Engine engine) {
        this.engine = engine;
    }

    public MerkleTree build(RoaringBitmap slots, int subBuckets, int fanOut) {
        MerkleTree.Builder builder = MerkleTree.builder(slots, subBuckets, fanOut, EntryHasher.DEFAULT_SEED);
        for (int slot : slots) {
            engine.forEachInSlot(slot, (key, record) -> builder.add(slot, key, record.value()));
        }
        return builder.build();
    }

    /**
     * The digests of every key in {@code leaves} (leaves of {@code tree}'s shape), keys ascending.
     * One scan per slot that has a leaf in the list.
     */
    public static List<KeyDigests.Entry> digests(Engine engine, MerkleTree tree, List<Leaf> leaves) {
        TreeMap<Integer, BitSet> bySlot = new TreeMap<>();
        for (Leaf leaf : leaves) {
            bySlot.computeIfAbsent(leaf.slot(), s -> new BitSet()).set(leaf.subBucket());
        }
        List<KeyDigests.Entry> out = new ArrayList<>();
        for (var e : bySlot.entrySet()) {
            int slot = e.getKey();
            BitSet buckets = e.getValue();
            engine.forEachInSlot(slot, (key, record) -> {
                if (buckets.get(tree.leafOf(slot, key).subBucket())) {
                    out.add(new KeyDigests.Entry(key, tree.hasher().entryHash(key, record.value())));
                }
            });
        }
        out.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        return out;
    }

    public List<KeyDigests.Entry> digests(MerkleTree tree, List<Leaf> leaves) {
        return digests(engine, tree, leaves);
    }

    /** The leaves a leaf-level request names, checked against the shape. */
    public static List<Leaf> leaves(TreeShape shape, int[] indices) {
        List<Leaf> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            if (i < 0 || i >= shape.width(shape.leafLevel())) {
                throw new IllegalArgumentException("leaf " + i + " out of range");
            }
            out.add(shape.leafAt(i));
        }
        return out;
    }
}
