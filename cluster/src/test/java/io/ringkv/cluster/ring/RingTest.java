package io.ringkv.cluster.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class RingTest {

    private static List<Member> nodes(int count) {
        List<Member> list = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            list.add(Member.of("node-" + i));
        }
        return list;
    }

    private static Member at(String id, String rack, String dc) {
        return new Member(id, 1, rack, dc);
    }

    private static List<String> ids(List<Member> members) {
        return members.stream().map(Member::nodeId).toList();
    }

    // ---- members and construction ----

    @Test
    void memberRejectsWeightBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new Member("a", 0, "r", "d"));
        assertThrows(IllegalArgumentException.class, () -> new Member("a", -1, "r", "d"));
        assertEquals(1, new Member("a", 1, "r", "d").weight());
    }

    @Test
    void ringRejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Ring.of(List.of(), 1));
        assertThrows(IllegalArgumentException.class, () -> Ring.of(nodes(3), 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Ring.of(List.of(Member.of("a"), Member.of("a")), 1));
        Ring ring = Ring.of(nodes(3), 1);
        assertThrows(IllegalArgumentException.class, () -> ring.preferenceList(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> ring.preferenceList(Slots.COUNT, 1));
        assertThrows(IllegalArgumentException.class, () -> ring.preferenceList(0, 0));
    }

    @Test
    void tokenCountIsVnodesTimesWeight() {
        List<Member> members = List.of(new Member("a", 1, "r", "d"), new Member("b", 3, "r", "d"));
        assertEquals(4 * 256, Ring.of(members, 7).tokenCount());
        assertEquals(4 * 16, Ring.of(members, 16, 7).tokenCount());
        assertEquals(7, Ring.of(members, 7).epoch());
    }

    @Test
    void slotPositionsAreEqualUnsignedPartitions() {
        assertEquals(0L, Ring.slotPosition(0));
        assertEquals(1L << 50, Ring.slotPosition(1));
        assertEquals(Long.MIN_VALUE, Ring.slotPosition(Slots.COUNT / 2));
        assertEquals(-(1L << 50), Ring.slotPosition(Slots.COUNT - 1));
    }

    // ---- determinism ----

    @Test
    void sameMembersInAnyOrderGiveTheSameRing() {
        List<Member> members = nodes(7);
        List<Member> reversed = new ArrayList<>(members);
        java.util.Collections.reverse(reversed);
        Ring a = Ring.of(members, 1);
        Ring b = Ring.of(reversed, 2);
        for (int s = 0; s < Slots.COUNT; s++) {
            assertEquals(a.preferenceList(s, 3), b.preferenceList(s, 3), "slot " + s);
        }
        for (Member m : members) {
            assertEquals(a.ownedSlots(m.nodeId()), b.ownedSlots(m.nodeId()));
        }
    }

    @Test
    void tokenIsXxHash64OfIdHashIndex() {
        // Pinned so that a change of hash (or of the string fed to it) is noticed: every node
        // of a cluster must compute the same tokens.
        assertEquals(net.openhft.hashing.LongHashFunction.xx().hashBytes("node-1#0".getBytes()),
                Ring.token("node-1", 0));
    }

    // ---- preference lists ----

    @Test
    void preferenceListsHaveDistinctMembersAndNestAsPrefixes() {
        Ring ring = Ring.of(nodes(10), 1);
        for (int s = 0; s < Slots.COUNT; s++) {
            List<Member> seven = ring.preferenceList(s, 7); // past the precomputed depth
            assertEquals(7, new HashSet<>(seven).size(), "slot " + s);
            assertEquals(ring.preferenceList(s, 3), seven.subList(0, 3));
            assertEquals(ring.head(s), seven.get(0));
        }
    }

    @Test
    void nLargerThanTheMemberCountReturnsEveryMember() {
        Ring ring = Ring.of(nodes(4), 1);
        for (int s : new int[] {0, 1, 8191, Slots.COUNT - 1}) {
            List<Member> list = ring.preferenceList(s, 9);
            assertEquals(4, list.size());
            assertEquals(Set.copyOf(nodes(4)), Set.copyOf(list));
        }
        assertEquals(List.of(Member.of("solo")), Ring.of(List.of(Member.of("solo")), 1).preferenceList(5, 3));
    }

    /**
     * The plain walk, written the obvious way, as a reference: sort all tokens, find the first
     * at or after the slot's position (wrapping), collect distinct owners.
     */
    private static List<String> referenceWalk(List<Member> members, int vnodes, int slot, int n) {
        List<long[]> all = new ArrayList<>(); // {token, member index}
        for (int m = 0; m < members.size(); m++) {
            for (int i = 0; i < vnodes * members.get(m).weight(); i++) {
                all.add(new long[] {Ring.token(members.get(m).nodeId(), i), m});
            }
        }
        all.sort((x, y) -> Long.compareUnsigned(x[0], y[0]));
        long position = (long) slot << 50;
        int start = 0;
        while (start < all.size() && Long.compareUnsigned(all.get(start)[0], position) < 0) {
            start++;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < n; i++) {
            String id = members.get((int) all.get((start + i) % all.size())[1]).nodeId();
            if (!out.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void singleRackWalkMatchesTheReferenceIncludingWrapAround() {
        List<Member> members = nodes(5);
        Ring ring = Ring.of(members, 8, 1);
        for (int s = 0; s < Slots.COUNT; s += 97) {
            assertEquals(referenceWalk(members, 8, s, 3), ids(ring.preferenceList(s, 3)), "slot " + s);
        }
        // Wrap-around: with few tokens the last slots lie past the last token and must walk on
        // from the smallest token.
        int last = Slots.COUNT - 1;
        assertEquals(referenceWalk(members, 8, last, 5), ids(ring.preferenceList(last, 5)));
    }

    @Test
    void slotsPastTheLastTokenWrapToTheFirst() {
        // One token per node: find a slot whose position lies beyond every token.
        List<Member> members = nodes(3);
        Ring ring = Ring.of(members, 1, 1);
        long max = 0L; // the smallest unsigned value
        String firstOwner = null;
        long min = -1L; // max unsigned
        for (Member m : members) {
            long t = Ring.token(m.nodeId(), 0);
            if (Long.compareUnsigned(t, max) > 0) {
                max = t;
            }
            if (Long.compareUnsigned(t, min) < 0) {
                min = t;
                firstOwner = m.nodeId();
            }
        }
        int wrapped = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            if (Long.compareUnsigned(Ring.slotPosition(s), max) > 0) {
                assertEquals(firstOwner, ring.head(s).nodeId(), "slot " + s);
                wrapped++;
            }
        }
        System.out.println("wrap-around: " + wrapped + " slots past the last token, headed by " + firstOwner);
        assertTrue(wrapped > 0 || Long.compareUnsigned(max, Ring.slotPosition(Slots.COUNT - 1)) >= 0);
    }

    // ---- racks and datacenters ----

    @Test
    void replicasSpreadOverRacksWhenPossible() {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= 9; i++) {
            members.add(at("n" + i, "r" + (i % 3), "dc1"));
        }
        Ring ring = Ring.of(members, 1);
        for (int s = 0; s < Slots.COUNT; s++) {
            List<Member> list = ring.preferenceList(s, 3);
            assertEquals(3, list.stream().map(Member::rack).distinct().count(), "slot " + s + " " + list);
            // The head is unaffected by topology: it is always the first token's owner.
            assertEquals(referenceHead(ring, members, s), list.get(0).nodeId());
        }
    }

    private static String referenceHead(Ring ring, List<Member> members, int s) {
        return referenceWalk(members, ring.vnodes(), s, 1).get(0);
    }

    @Test
    void datacentersAreSpreadBeforeRacks() {
        List<Member> members = List.of(
                at("a1", "r1", "dc1"), at("a2", "r2", "dc1"), at("a3", "r3", "dc1"),
                at("b1", "r1", "dc2"), at("b2", "r2", "dc2"));
        Ring ring = Ring.of(members, 1);
        for (int s = 0; s < Slots.COUNT; s++) {
            List<Member> list = ring.preferenceList(s, 3);
            assertEquals(2, list.subList(0, 2).stream().map(Member::datacenter).distinct().count());
            // Third replica: every datacenter is used, so a new rack in either.
            assertEquals(3, list.stream().map(m -> m.datacenter() + "/" + m.rack()).distinct().count());
        }
    }

    @Test
    void fallsBackToSkippedMembersInWalkOrderWhenRacksRunOut() {
        // 3 replicas over 2 racks: the third must share a rack, and it is the first member the
        // walk skipped, not some later one.
        List<Member> members = List.of(
                at("a", "r1", "dc1"), at("b", "r1", "dc1"), at("c", "r1", "dc1"),
                at("x", "r2", "dc1"));
        Ring ring = Ring.of(members, 16, 1);
        for (int s = 0; s < Slots.COUNT; s += 13) {
            List<String> plain = referenceWalk(members, 16, s, 4);
            List<Member> list = ring.preferenceList(s, 3);
            assertEquals(2, list.subList(0, 2).stream().map(Member::rack).distinct().count(), "slot " + s);
            // Expected: head, then x if the head is not x, else the first r1 member; then the
            // first member of the plain walk not yet chosen.
            List<String> expected = new ArrayList<>();
            expected.add(plain.get(0));
            expected.add(plain.get(0).equals("x") ? plain.get(1) : "x");
            for (String id : plain) {
                if (!expected.contains(id)) {
                    expected.add(id);
                    break;
                }
            }
            assertEquals(expected, ids(list), "slot " + s);
            assertEquals(4, new HashSet<>(ring.preferenceList(s, 4)).size());
        }
    }

    @Test
    void singleRackTopologyStillFillsTheList() {
        List<Member> members = List.of(at("a", "r", "d"), at("b", "r", "d"), at("c", "r", "d"));
        Ring ring = Ring.of(members, 1);
        for (int s = 0; s < Slots.COUNT; s += 101) {
            assertEquals(3, new HashSet<>(ring.preferenceList(s, 3)).size());
        }
    }

    // ---- ownership ----

    @Test
    void ownedSlotsPartitionAllSlots() {
        Ring ring = Ring.of(nodes(5), 1);
        RoaringBitmap union = new RoaringBitmap();
        int total = 0;
        for (Member m : ring.members()) {
            RoaringBitmap b = ring.ownedSlots(m.nodeId());
            total += b.getCardinality();
            union.or(b);
            b.forEach((int s) -> assertEquals(m, ring.head(s)));
        }
        assertEquals(Slots.COUNT, total);
        assertEquals(Slots.COUNT, union.getCardinality());
        assertTrue(ring.ownedSlots("nobody").isEmpty());
        // The returned bitmap is a copy: mutating it leaves the ring unchanged.
        ring.ownedSlots("node-1").clear();
        assertTrue(ring.ownedCount("node-1") > 0);
    }

    // ---- measured properties (issue 4) ----

    @Test
    void largestNodeOwnsAtMost115PercentOfItsFairShare() {
        for (int n : new int[] {3, 5, 10}) {
            Ring ring = Ring.of(nodes(n), 1);
            double fair = (double) Slots.COUNT / n;
            int max = 0;
            int min = Integer.MAX_VALUE;
            for (Member m : ring.members()) {
                max = Math.max(max, ring.ownedCount(m.nodeId()));
                min = Math.min(min, ring.ownedCount(m.nodeId()));
            }
            System.out.printf("balance %2d nodes x 256 vnodes: fair %.1f, max %d (%.3fx), min %d (%.3fx)%n",
                    n, fair, max, max / fair, min, min / fair);
            assertTrue(max <= 1.15 * fair, n + " nodes: largest owns " + max / fair + "x its fair share");
        }
    }

    @Test
    void addingASixthNodeMovesFewSlotsAndOnlyToIt() {
        Ring five = Ring.of(nodes(5), 1);
        Ring six = Ring.of(nodes(6), 2);
        SlotMoves moves = Ring.diff(five, six);
        double ideal = Slots.COUNT / 6.0;
        System.out.printf("add node-6 to 5: moved %d slots, ideal %.1f (%.3fx)%n",
                moves.movedCount(), ideal, moves.movedCount() / ideal);
        assertEquals(Set.of("node-6"), moves.gainers());
        assertEquals(moves.moved(), moves.gained("node-6"));
        assertEquals(six.ownedSlots("node-6"), moves.gained("node-6"));
        assertTrue(moves.movedCount() <= 1.2 * ideal, "moved " + moves.movedCount() / ideal + "x the ideal");
        RoaringBitmap lost = new RoaringBitmap();
        for (String loser : moves.losers()) {
            lost.or(moves.lost(loser));
            assertEquals(RoaringBitmap.andNot(five.ownedSlots(loser), six.ownedSlots(loser)), moves.lost(loser));
        }
        assertEquals(moves.moved(), lost);
        // Removing it again is the exact inverse.
        SlotMoves back = Ring.diff(six, five);
        assertEquals(Set.of("node-6"), back.losers());
        assertEquals(moves.moved(), back.moved());
    }

    @Test
    void weightTwoRoughlyDoublesTheShare() {
        List<Member> members = new ArrayList<>(nodes(4));
        members.add(new Member("node-5", 2, Member.DEFAULT_RACK, Member.DEFAULT_DATACENTER));
        Ring ring = Ring.of(members, 1);
        double fair = Slots.COUNT / 6.0; // weights 1+1+1+1+2
        double heavy = ring.ownedCount("node-5");
        double light = 0;
        for (int i = 1; i <= 4; i++) {
            light += ring.ownedCount("node-" + i);
        }
        light /= 4;
        System.out.printf("weight 2: owns %.0f slots = %.3fx a weight-1 fair share; weight-1 mean %.1f; ratio %.3f%n",
                heavy, heavy / fair, light, heavy / light);
        assertTrue(Math.abs(heavy / (2 * fair) - 1) <= 0.2, "weight-2 share " + heavy / fair + "x");
        assertTrue(Math.abs(heavy / light / 2 - 1) <= 0.2, "weight-2 / weight-1 " + heavy / light);
    }

    @Test
    void constructionIsFastForAHundredNodes() {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            members.add(at("node-" + i, "r" + (i % 5), "dc" + (i % 2)));
        }
        Ring.of(members, 0); // warm-up
        long start = System.nanoTime();
        Ring ring = Ring.of(members, 1);
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("100 nodes x 256 vnodes, 2 dcs x 5 racks: built in " + ms + " ms");
        assertEquals(100 * 256, ring.tokenCount());
        // Generous bound: a shared 2-core CI machine, not a benchmark.
        assertTrue(ms < 2000, "construction took " + ms + " ms");
    }
}
