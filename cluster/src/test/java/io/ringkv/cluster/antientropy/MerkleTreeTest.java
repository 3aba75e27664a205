package io.ringkv.cluster.antientropy;

import static io.ringkv.cluster.antientropy.Replica.key;
import static io.ringkv.cluster.antientropy.Replica.slot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.ring.Slots;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class MerkleTreeTest {

    private static final RoaringBitmap ALL = RoaringBitmap.bitmapOfRange(0, Slots.COUNT);

    private static Replica replica(int keys, long seed) {
        Random random = new Random(seed);
        Replica r = new Replica();
        for (int i = 0; i < keys; i++) {
            byte[] v = new byte[1 + random.nextInt(40)];
            random.nextBytes(v);
            r.data.put("key:" + i, v);
        }
        return r;
    }

    @Test
    void identicalReplicasHaveEqualRootsAndNoDiff() {
        Replica a = replica(5_000, 1);
        MerkleTree ta = a.tree(ALL);
        MerkleTree tb = a.copy().tree(ALL);
        assertEquals(ta.root(), tb.root());
        assertNotEquals(0, ta.root());
        assertEquals(List.of(), ta.diff(tb));
        assertEquals(5_000, ta.entryCount());
    }

    @Test
    void oneChangedKeyIsExactlyItsLeaf() {
        Replica a = replica(5_000, 2);
        Replica b = a.copy();
        b.data.get("key:1234")[0] ^= 1;
        MerkleTree ta = a.tree(ALL);
        MerkleTree tb = b.tree(ALL);
        assertNotEquals(ta.root(), tb.root());
        Leaf leaf = ta.leafOf(slot("key:1234"), key("key:1234"));
        assertEquals(List.of(leaf), ta.diff(tb));
        assertEquals(List.of(leaf), tb.diff(ta));
    }

    @Test
    void keysAddedRemovedAndChangedInAFewSlotsAreExactlyThoseLeaves() {
        Replica a = replica(20_000, 3);
        Replica b = a.copy();
        b.data.remove("key:7");
        b.data.put("new:1", new byte[] {1});
        b.data.put("new:{key:7}", new byte[] {2}); // same slot as key:7 via the hash tag
        b.data.put("key:99", new byte[] {9, 9});
        MerkleTree ta = a.tree(ALL);
        MerkleTree tb = b.tree(ALL);
        List<Leaf> expected = Replica.differingLeaves(a, b, ta, ALL);
        assertTrue(expected.size() >= 3 && expected.size() <= 4, expected.toString());
        assertEquals(expected, ta.diff(tb));
        assertEquals(expected, tb.diff(ta));
    }

    @Test
    void insertionOrderDoesNotMatter() {
        Replica a = replica(3_000, 4);
        List<Map.Entry<String, byte[]>> entries = new ArrayList<>(a.data.entrySet());
        Collections.shuffle(entries, new Random(4));
        MerkleTree.Builder b = MerkleTree.builder(ALL);
        for (Map.Entry<String, byte[]> e : entries) {
            b.add(slot(e.getKey()), key(e.getKey()), e.getValue());
        }
        MerkleTree shuffled = b.build();
        MerkleTree sorted = a.tree(ALL);
        assertEqualTrees(sorted, shuffled);
    }

    @Test
    void incrementalUpdatesGiveTheTreeBuiltFromScratch() {
        Replica a = replica(3_000, 5);
        Replica b = a.copy();
        MerkleTree live = a.tree(ALL);
        Random random = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            String k = "key:" + random.nextInt(4_000);
            byte[] before = b.data.get(k);
            byte[] after = random.nextInt(4) == 0 ? null : new byte[] {(byte) random.nextInt(), (byte) i};
            if (after == null) {
                b.data.remove(k);
            } else {
                b.data.put(k, after);
            }
            switch (random.nextInt(2)) {
                case 0 -> live.replace(slot(k), key(k), before, after);
                default -> {
                    if (before != null) {
                        live.remove(slot(k), key(k), before);
                    }
                    if (after != null) {
                        live.add(slot(k), key(k), after);
                    }
                }
            }
        }
        assertEqualTrees(b.tree(ALL), live);
        assertEquals(b.data.size(), live.entryCount());
    }

    @Test
    void anEntryAddedTwiceDoesNotCancelOut() {
        // XOR would make these equal: the reason leaves sum instead.
        MerkleTree empty = MerkleTree.builder(ALL).build();
        MerkleTree twice = MerkleTree.builder(ALL).add(slot("k"), key("k"), new byte[] {1})
                .add(slot("k"), key("k"), new byte[] {1}).build();
        assertEquals(0, empty.root());
        assertNotEquals(empty.root(), twice.root());
    }

    @Test
    void aSubsetOfSlotsOnlyCoversThoseSlots() {
        RoaringBitmap some = RoaringBitmap.bitmapOf(3, 500, 9000, 16383);
        Replica a = new Replica();
        for (int i = 0; a.data.size() < 400; i++) {
            if (some.contains(slot("k" + i))) {
                a.data.put("k" + i, new byte[] {(byte) i});
            }
        }
        Replica b = a.copy();
        String changed = a.data.firstKey();
        b.data.put(changed, new byte[] {-1});
        MerkleTree ta = a.tree(some);
        MerkleTree tb = b.tree(some);
        assertEquals(List.of(ta.leafOf(slot(changed), key(changed))), ta.diff(tb));
        assertEquals(3, ta.shape().levels()); // root, 4 slots, 64 leaves
        int outside = 0;
        while (some.contains(slot("x" + outside))) {
            outside++;
        }
        String other = "x" + outside;
        assertThrows(IllegalArgumentException.class, () -> ta.add(slot(other), key(other), new byte[0]));
    }

    @Test
    void treesOverDifferentSlotsOrShapesRefuseToCompare() {
        MerkleTree a = MerkleTree.builder(RoaringBitmap.bitmapOf(1, 2, 3)).build();
        MerkleTree b = MerkleTree.builder(RoaringBitmap.bitmapOf(1, 2, 4)).build();
        MerkleTree c = MerkleTree.builder(RoaringBitmap.bitmapOf(1, 2, 3), 64, 16, EntryHasher.DEFAULT_SEED).build();
        MerkleTree d = MerkleTree.builder(RoaringBitmap.bitmapOf(1, 2, 3), 16, 16, 42).build();
        for (MerkleTree other : List.of(b, c, d)) {
            assertNotEquals(a.shape().fingerprint(), other.shape().fingerprint());
            assertThrows(IllegalArgumentException.class, () -> a.diff(other));
            Exchange exchange = new Exchange(a);
            assertEquals(Optional.empty(), exchange.onResponse(other.answer(exchange.start())));
            assertEquals(Exchange.Outcome.SHAPE_MISMATCH, exchange.outcome());
            assertEquals(other.shape().fingerprint(), exchange.peerShape());
        }
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.builder(new RoaringBitmap()));
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.builder(RoaringBitmap.bitmapOf(Slots.COUNT)));
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.builder(RoaringBitmap.bitmapOf(-1)));
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.builder(ALL, 12, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.builder(ALL, 512, 16, 0));
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.builder(ALL, 16, 1, 0));
    }

    @Test
    void shapeOfTheFullSlotRange() {
        TreeShape s = MerkleTree.builder(ALL).build().shape();
        int[] widths = new int[s.levels()];
        for (int l = 0; l < widths.length; l++) {
            widths[l] = s.width(l);
        }
        assertEquals(List.of(1, 4, 64, 1024, 16384, 262144), java.util.Arrays.stream(widths).boxed().toList());
        assertEquals(new Leaf(16383, 15), s.leafAt(s.leafIndex(16383, 15)));
        TreeShape odd = MerkleTree.builder(RoaringBitmap.bitmapOfRange(0, 17), 1, 4, 0).build().shape();
        assertEquals(List.of(1, 2, 5, 17, 17), java.util.stream.IntStream.range(0, odd.levels()).map(odd::width).boxed().toList());
        assertEquals(1, odd.childCount(1, 1)); // the last node of a level may have fewer children
        assertEquals(1, odd.childCount(3, 16));
    }

    @Test
    void aWipedReplicaIsFoundWithoutDescendingIntoItsEmptySubtrees() {
        Replica full = replica(2_000, 6);
        MerkleTree healthy = full.tree(ALL);
        MerkleTree wiped = new Replica().tree(ALL);
        List<Leaf> expected = Replica.differingLeaves(full, new Replica(), healthy, ALL);
        Exchange fromHealthy = run(new Exchange(healthy), wiped);
        assertEquals(expected, fromHealthy.divergentLeaves());
        assertEquals(1, fromHealthy.rounds()); // the peer's root is 0: nothing to ask
        Exchange fromWiped = run(new Exchange(wiped), healthy);
        assertEquals(expected, fromWiped.divergentLeaves());
        assertEquals(Exchange.Outcome.DIVERGENT, fromWiped.outcome());
    }

    @Test
    void pagingRequestsGivesTheSameLeaves() {
        Replica a = replica(10_000, 7);
        Replica b = a.copy();
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            b.data.put("key:" + random.nextInt(12_000), new byte[] {(byte) i});
        }
        MerkleTree ta = a.tree(ALL);
        MerkleTree tb = b.tree(ALL);
        Exchange small = run(new Exchange(ta, 5), tb);
        Exchange big = run(new Exchange(ta), tb);
        assertEquals(Replica.differingLeaves(a, b, ta, ALL), small.divergentLeaves());
        assertEquals(big.divergentLeaves(), small.divergentLeaves());
        assertTrue(small.rounds() > big.rounds());
        assertEquals(big.nodesCompared(), small.nodesCompared());
    }

    @Test
    void anExchangeRejectsAResponseToAnotherRequest() {
        MerkleTree a = replica(100, 8).tree(ALL);
        MerkleTree b = replica(100, 9).tree(ALL);
        Exchange exchange = new Exchange(a);
        HashRequest first = exchange.start();
        HashRequest second = exchange.onResponse(b.answer(first)).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> exchange.onResponse(b.answer(first)));
        assertThrows(IllegalStateException.class, () -> exchange.onResponse(b.answer(second)));
        assertThrows(IllegalArgumentException.class,
                () -> a.answer(new HashRequest(a.shape().fingerprint(), 1, new int[] {4})));
        assertThrows(IllegalArgumentException.class,
                () -> a.answer(new HashRequest(a.shape().fingerprint(), 6, new int[] {0})));
    }

    /** Runs an exchange to its end, through the wire encoding both ways. */
    static Exchange run(Exchange exchange, MerkleTree peer) {
        Optional<HashRequest> next = Optional.of(exchange.start());
        while (next.isPresent()) {
            HashRequest request = HashRequest.decode(next.get().encode());
            next = exchange.onResponse(HashResponse.decode(peer.answer(request).encode()));
        }
        return exchange;
    }

    private static void assertEqualTrees(MerkleTree expected, MerkleTree actual) {
        assertEquals(expected.root(), actual.root());
        TreeShape s = expected.shape();
        for (int l = 0; l < s.levels(); l++) {
            for (int i = 0; i < s.width(l); i++) {
                if (expected.hash(l, i) != actual.hash(l, i)) {
                    throw new AssertionError("level " + l + " node " + i + " differs");
                }
            }
        }
    }
}
