package io.ringkv.cluster.antientropy;

import static io.ringkv.cluster.antientropy.Replica.key;
import static io.ringkv.cluster.antientropy.Replica.slot;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringkv.cluster.ring.Slots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * The tree's answer against brute force, on many seeded random cases: random slot sets (a few
 * slots, runs, all of them), random shapes, random replicas with hash-tagged keys, random
 * divergence (keys missing on either side, changed, both). Seeded so a failure names its seed
 * and replays exactly.
 */
class DiffPropertiesTest {

    private static final int CASES = 300;

    @Test
    void treeDiffIsExactlyTheLeavesOfTheDifferingKeys() {
        for (long seed = 0; seed < CASES; seed++) {
            Random random = new Random(seed);
            RoaringBitmap slots = randomSlots(random);
            int subBuckets = 1 << random.nextInt(9);
            int fanOut = 2 << random.nextInt(8);
            Replica a = randomReplica(random, slots);
            Replica b = diverge(random, a);
            MerkleTree ta = a.tree(slots, subBuckets, fanOut);
            MerkleTree tb = b.tree(slots, subBuckets, fanOut);
            List<Leaf> expected = Replica.differingLeaves(a, b, ta, slots);
            String where = "seed " + seed + " (" + slots.getCardinality() + " slots, B=" + subBuckets + ", F=" + fanOut + ")";
            assertEquals(expected, ta.diff(tb), where);
            assertEquals(expected, tb.diff(ta), where);
            assertEquals(expected.isEmpty(), ta.root() == tb.root(), where);
            Exchange paged = MerkleTreeTest.run(new Exchange(ta, 1 + random.nextInt(50)), tb);
            assertEquals(expected, paged.divergentLeaves(), where);
            assertEquals(expected.isEmpty() ? Exchange.Outcome.IN_SYNC : Exchange.Outcome.DIVERGENT, paged.outcome(), where);
        }
    }

    @Test
    void keyDigestsOfTheDivergentLeavesFindExactlyTheDifferingKeys() {
        for (long seed = 0; seed < CASES; seed++) {
            Random random = new Random(seed);
            RoaringBitmap slots = randomSlots(random);
            Replica a = randomReplica(random, slots);
            Replica b = diverge(random, a);
            MerkleTree ta = a.tree(slots);
            MerkleTree tb = b.tree(slots);
            List<Leaf> leaves = ta.diff(tb);
            List<KeyDigests.Entry> theirs = KeyDigests.decode(KeyDigests.encode(b.digests(tb, leaves)));
            Set<String> found = new TreeSet<>();
            for (byte[] k : KeyDigests.differingKeys(a.digests(ta, leaves), theirs)) {
                found.add(new String(k, StandardCharsets.UTF_8));
            }
            assertEquals(Replica.differingKeys(a, b, slots), found, "seed " + seed);

            // Transferring only those keys (B's bytes win here; the real merge is by version)
            // makes the trees equal.
            for (String k : found) {
                byte[] before = a.data.get(k);
                byte[] after = b.data.get(k);
                ta.replace(slot(k), key(k), before, after);
            }
            assertEquals(tb.root(), ta.root(), "seed " + seed);
            assertEquals(List.of(), ta.diff(tb), "seed " + seed);
        }
    }

    private static RoaringBitmap randomSlots(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> RoaringBitmap.bitmapOfRange(0, Slots.COUNT);
            case 1 -> {
                int from = random.nextInt(Slots.COUNT);
                yield RoaringBitmap.bitmapOfRange(from, Math.min(Slots.COUNT, from + 1 + random.nextInt(2000)));
            }
            default -> {
                RoaringBitmap s = new RoaringBitmap();
                int n = 1 + random.nextInt(random.nextBoolean() ? 5 : 3000);
                for (int i = 0; i < n; i++) {
                    s.add(random.nextInt(Slots.COUNT));
                }
                yield s;
            }
        };
    }

    /** Keys of the covered slots (most of them), a few hash-tagged into one slot. */
    private static Replica randomReplica(Random random, RoaringBitmap slots) {
        Replica r = new Replica();
        int n = random.nextInt(random.nextBoolean() ? 50 : 3000);
        String tag = "{t" + random.nextInt(100) + "}";
        for (int i = 0; r.data.size() < n && i < n * 50; i++) {
            String k = (random.nextInt(10) == 0 ? tag : "") + "k" + random.nextInt(1_000_000);
            if (slots.contains(slot(k)) || random.nextInt(20) == 0) { // a few outside the tree's slots
                r.data.put(k, value(random));
            }
        }
        return r;
    }

    private static Replica diverge(Random random, Replica a) {
        Replica b = a.copy();
        List<String> keys = new ArrayList<>(a.data.keySet());
        int changes = random.nextInt(4) == 0 ? 0 : random.nextInt(1 + keys.size() / (random.nextBoolean() ? 100 : 5) + 3);
        for (int i = 0; i < changes; i++) {
            switch (random.nextInt(4)) {
                case 0 -> b.data.put("new" + random.nextInt(1_000_000), value(random));
                case 1 -> {
                    if (!keys.isEmpty()) {
                        b.data.remove(keys.get(random.nextInt(keys.size())));
                    }
                }
                case 2 -> a.data.put("only-a" + random.nextInt(1_000_000), value(random));
                default -> {
                    if (!keys.isEmpty()) {
                        b.data.put(keys.get(random.nextInt(keys.size())), value(random));
                    }
                }
            }
        }
        return b;
    }

    private static byte[] value(Random random) {
        byte[] v = new byte[random.nextInt(20)];
        random.nextBytes(v);
        return v;
    }
}
