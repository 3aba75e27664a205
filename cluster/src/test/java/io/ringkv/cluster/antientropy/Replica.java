package io.ringkv.cluster.antientropy;

import io.ringkv.cluster.ring.Slots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.roaringbitmap.RoaringBitmap;

/** A replica's contents for the tests: key to stored-siblings bytes, and the brute-force diff. */
final class Replica {

    final TreeMap<String, byte[]> data = new TreeMap<>();

    Replica copy() {
        Replica r = new Replica();
        data.forEach((k, v) -> r.data.put(k, v.clone()));
        return r;
    }

    static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    static int slot(String k) {
        return Slots.slot(key(k));
    }

    MerkleTree tree(RoaringBitmap slots) {
        return tree(slots, TreeShape.DEFAULT_SUB_BUCKETS, TreeShape.DEFAULT_FAN_OUT);
    }

    MerkleTree tree(RoaringBitmap slots, int subBuckets, int fanOut) {
        MerkleTree.Builder b = MerkleTree.builder(slots, subBuckets, fanOut, EntryHasher.DEFAULT_SEED);
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            int slot = slot(e.getKey());
            if (slots.contains(slot)) {
                b.add(slot, key(e.getKey()), e.getValue());
            }
        }
        return b.build();
    }

    /** The keys of the given leaves, with their entry hashes (what a slot scan would produce). */
    List<KeyDigests.Entry> digests(MerkleTree tree, List<Leaf> leaves) {
        Set<Leaf> wanted = new HashSet<>(leaves);
        List<KeyDigests.Entry> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            int slot = slot(e.getKey());
            if (tree.shape().covers(slot) && wanted.contains(tree.leafOf(slot, key(e.getKey())))) {
                out.add(new KeyDigests.Entry(key(e.getKey()), tree.hasher().entryHash(key(e.getKey()), e.getValue())));
            }
        }
        return out;
    }

    /** Brute force: the keys of the covered slots that differ (missing on a side or other bytes). */
    static Set<String> differingKeys(Replica a, Replica b, RoaringBitmap slots) {
        Set<String> all = new TreeSet<>(a.data.keySet());
        all.addAll(b.data.keySet());
        Set<String> out = new TreeSet<>();
        for (String k : all) {
            if (slots.contains(slot(k)) && !Arrays.equals(a.data.get(k), b.data.get(k))) {
                out.add(k);
            }
        }
        return out;
    }

    /** Brute force: the leaves holding a differing key, ascending. */
    static List<Leaf> differingLeaves(Replica a, Replica b, MerkleTree shapeOf, RoaringBitmap slots) {
        TreeSet<Leaf> leaves = new TreeSet<>();
        for (String k : differingKeys(a, b, slots)) {
            leaves.add(shapeOf.leafOf(slot(k), key(k)));
        }
        return new ArrayList<>(leaves);
    }
}
