package io.ringkv.cluster.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Per-datacenter replication factors: {@link Ring#placement} and {@link Ring#preferenceList(int, String, int)}. */
class PlacementTest {

    private static Member at(String id, String rack, String dc) {
        return new Member(id, 1, rack, dc);
    }

    private static List<String> ids(List<Member> members) {
        return members.stream().map(Member::nodeId).toList();
    }

    /** dc1: 6 nodes over 3 racks; dc2: 4 nodes over 2 racks; dc3: 2 nodes in one rack. */
    private static List<Member> threeDatacenters() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            members.add(at("a" + i, "r" + (i % 3), "dc1"));
        }
        for (int i = 0; i < 4; i++) {
            members.add(at("b" + i, "r" + (i % 2), "dc2"));
        }
        members.add(at("c0", "r0", "dc3"));
        members.add(at("c1", "r0", "dc3"));
        return members;
    }

    private static Map<String, Integer> perDatacenter(List<Member> replicas) {
        Map<String, Integer> out = new HashMap<>();
        for (Member m : replicas) {
            out.merge(m.datacenter(), 1, Integer::sum);
        }
        return out;
    }

    /**
     * The placement written the obvious way: every token sorted, each datacenter's members in the
     * order the walk from the slot first meets them; per listed datacenter the greedy rack-spread
     * pick over that order; all picks ordered by where the walk first met them.
     */
    private static List<String> reference(List<Member> members, int vnodes, ReplicationFactor factor, int slot) {
        Map<String, Integer> firstMet = firstMet(members, vnodes, slot);
        List<Member> order = new ArrayList<>();
        for (String id : firstMet.keySet()) {
            order.add(members.stream().filter(m -> m.nodeId().equals(id)).findFirst().orElseThrow());
        }
        List<Member> chosen = new ArrayList<>();
        factor.perDatacenter().forEach((dc, count) -> {
            List<Member> inDc = order.stream().filter(m -> m.datacenter().equals(dc)).toList();
            Set<String> racks = new HashSet<>();
            inDc.forEach(m -> racks.add(m.rack()));
            Set<String> usedRacks = new HashSet<>();
            List<Member> picked = new ArrayList<>();
            while (picked.size() < Math.min(count, inDc.size())) {
                Member pick = null;
                if (usedRacks.size() < racks.size()) {
                    pick = inDc.stream().filter(m -> !picked.contains(m) && !usedRacks.contains(m.rack()))
                        .findFirst().orElseThrow();
                } else {
                    pick = inDc.stream().filter(m -> !picked.contains(m)).findFirst().orElseThrow();
                }
                picked.add(pick);
                usedRacks.add(pick.rack());
            }
            chosen.addAll(picked);
        });
        chosen.sort((x, y) -> Integer.compare(firstMet.get(x.nodeId()), firstMet.get(y.nodeId())));
        return ids(chosen);
    }

    /** Each member's id, with how many tokens past the slot's position the walk first meets it, in walk order. */
    private static Map<String, Integer> firstMet(List<Member> members, int vnodes, int slot) {
        List<long[]> all = new ArrayList<>(); // {token, member index}
        for (int m = 0; m < members.size(); m++) {
            for (int i = 0; i < vnodes * members.get(m).weight(); i++) {
                all.add(new long[] {Ring.token(members.get(m).nodeId(), i), m});
            }
        }
        all.sort((x, y) -> {
            int c = Long.compareUnsigned(x[0], y[0]);
            return c != 0 ? c : members.get((int) x[1]).nodeId().compareTo(members.get((int) y[1]).nodeId());
        });
        long position = (long) slot << 50;
        int start = 0;
        while (start < all.size() && Long.compareUnsigned(all.get(start)[0], position) < 0) {
            start++;
        }
        Map<String, Integer> firstMet = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            Member m = members.get((int) all.get((start + i) % all.size())[1]);
            firstMet.putIfAbsent(m.nodeId(), i);
        }
        return firstMet;
    }

    @Test
    void eachListedDatacenterGetsExactlyItsCountAndUnlistedOnesNothing() {
        Ring ring = Ring.of(threeDatacenters(), 1);
        Placement p = ring.placement(ReplicationFactor.parse("dc1:3,dc2:2"));
        assertEquals(5, p.replicasPerSlot());
        for (int s = 0; s < Slots.COUNT; s++) {
            List<Member> list = p.replicas(s);
            assertEquals(Map.of("dc1", 3, "dc2", 2), perDatacenter(list), "slot " + s + " " + list);
            assertEquals(5, new HashSet<>(list).size());
        }
    }

    @Test
    void aDatacenterWithFewerMembersThanItsCountGivesThemAll() {
        Ring ring = Ring.of(threeDatacenters(), 1);
        Placement p = ring.placement(ReplicationFactor.parse("dc3:5,dc1:1,nowhere:2"));
        assertEquals(3, p.replicasPerSlot());
        for (int s = 0; s < Slots.COUNT; s += 7) {
            assertEquals(Map.of("dc1", 1, "dc3", 2), perDatacenter(p.replicas(s)), "slot " + s);
        }
        // A factor naming only datacenters without members places nothing.
        assertEquals(0, ring.placement(ReplicationFactor.parse("nowhere:2")).replicasPerSlot());
        assertNull(ring.placement(ReplicationFactor.parse("nowhere:2")).head(0));
    }

    @Test
    void racksAreSpreadInsideEachDatacenter() {
        Ring ring = Ring.of(threeDatacenters(), 1);
        Placement p = ring.placement(ReplicationFactor.parse("dc1:3,dc2:2"));
        Placement four = ring.placement(ReplicationFactor.parse("dc1:4,dc2:3"));
        for (int s = 0; s < Slots.COUNT; s++) {
            List<Member> list = p.replicas(s);
            assertEquals(3, list.stream().filter(m -> m.datacenter().equals("dc1")).map(Member::rack).distinct().count());
            assertEquals(2, list.stream().filter(m -> m.datacenter().equals("dc2")).map(Member::rack).distinct().count());
            // More replicas than racks: every rack still used, one twice.
            List<Member> more = four.replicas(s);
            assertEquals(3, more.stream().filter(m -> m.datacenter().equals("dc1")).map(Member::rack).distinct().count());
            assertEquals(2, more.stream().filter(m -> m.datacenter().equals("dc2")).map(Member::rack).distinct().count());
        }
    }

    @Test
    void matchesTheReferenceWalkIncludingTheHeadRule() {
        List<Member> members = new ArrayList<>(threeDatacenters());
        members.add(new Member("heavy", 3, "r9", "dc2"));
        for (String text : List.of("dc1:3,dc2:2", "dc1:2,dc2:1", "dc2:4,dc3:1", "dc1:1,dc2:1,dc3:1", "dc1:6")) {
            ReplicationFactor f = ReplicationFactor.parse(text);
            Ring ring = Ring.of(members, 8, 1);
            Placement p = ring.placement(f);
            for (int s = 0; s < Slots.COUNT; s += 61) {
                assertEquals(reference(members, 8, f, s), ids(p.replicas(s)), text + " slot " + s);
            }
            int last = Slots.COUNT - 1; // past the last token: the walk wraps
            assertEquals(reference(members, 8, f, last), ids(p.replicas(last)), text);
        }
    }

    @Test
    void theHeadIsTheFirstReplicaMetAndHeadCountsAddUp() {
        List<Member> members = threeDatacenters();
        Ring ring = Ring.of(members, 1);
        Placement p = ring.placement(ReplicationFactor.parse("dc1:1,dc3:1"));
        int dc3Heads = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            List<Member> list = p.replicas(s);
            assertEquals(list.get(0), p.head(s));
            if (s % 41 == 0) {
                // Head first, then the rest in the order the walk meets them.
                Map<String, Integer> met = firstMet(members, 256, s);
                assertTrue(met.get(list.get(0).nodeId()) < met.get(list.get(1).nodeId()), "slot " + s + " " + list);
            }
            if (p.head(s).datacenter().equals("dc3")) {
                dc3Heads++;
            }
        }
        int total = 0;
        for (Member m : members) {
            total += p.headedCount(m.nodeId());
            if (m.datacenter().equals("dc2")) {
                assertEquals(0, p.headedCount(m.nodeId()), "dc2 holds no replicas, so heads nothing");
            }
        }
        assertEquals(Slots.COUNT, total);
        assertEquals(0, p.headedCount("stranger"));
        // dc1 and dc3 each hold one replica per slot; the head is whichever the walk meets first,
        // so both datacenters head a share (dc1 has 6 of the 8 nodes' tokens: about 3/4).
        assertTrue(dc3Heads > Slots.COUNT / 8 && dc3Heads < Slots.COUNT / 2, "dc3 heads " + dc3Heads);
    }

    @Test
    void theSamePlacementWhateverOrderTheMembersCameIn() {
        List<Member> members = threeDatacenters();
        List<Member> shuffled = new ArrayList<>(members);
        Collections.shuffle(shuffled, new Random(7));
        ReplicationFactor f = ReplicationFactor.parse("dc1:3,dc2:2");
        Placement a = Ring.of(members, 1).placement(f);
        Placement b = Ring.of(shuffled, 1).placement(f);
        for (int s = 0; s < Slots.COUNT; s++) {
            assertEquals(a.replicas(s), b.replicas(s), "slot " + s);
        }
    }

    @Test
    void aPlainFactorIsThePreferenceList() {
        List<Member> members = threeDatacenters();
        Ring ring = Ring.of(members, 1);
        Placement p = ring.placement(ReplicationFactor.of(3));
        assertEquals(3, p.replicasPerSlot());
        for (int s = 0; s < Slots.COUNT; s += 3) {
            assertEquals(ring.preferenceList(s, 3), p.replicas(s));
            assertEquals(ring.head(s), p.head(s));
        }
        for (Member m : members) {
            assertEquals(ring.ownedCount(m.nodeId()), p.headedCount(m.nodeId()));
        }
        // Clamped to the member count.
        assertEquals(members.size(), ring.placement(ReplicationFactor.of(16)).replicasPerSlot());
    }

    @Test
    void aDatacentersOwnPreferenceListNestsAndMatchesThePlacement() {
        List<Member> members = threeDatacenters();
        Ring ring = Ring.of(members, 1);
        Placement p = ring.placement(ReplicationFactor.parse("dc1:2,dc2:2"));
        for (int s = 0; s < Slots.COUNT; s += 11) {
            List<Member> six = ring.preferenceList(s, "dc1", 10);
            assertEquals(6, six.size());
            assertEquals(6, new HashSet<>(six).size());
            assertEquals(ring.preferenceList(s, "dc1", 2), six.subList(0, 2));
            assertEquals(Set.copyOf(six.subList(0, 2)),
                Set.copyOf(p.replicas(s).stream().filter(m -> m.datacenter().equals("dc1")).toList()));
        }
        assertEquals(List.of(), ring.preferenceList(0, "nowhere", 3));
    }

    @Test
    void aLargeTwoDatacenterPlacementIsQuickToBuild() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            members.add(at(String.format("node-%03d", i), "r" + (i % 5), i < 70 ? "dc1" : "dc2"));
        }
        Ring ring = Ring.of(members, 1);
        long start = System.nanoTime();
        Placement p = ring.placement(ReplicationFactor.parse("dc1:3,dc2:3"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("placement dc1:3,dc2:3 over 100 nodes (70 + 30), 256 vnodes: " + millis + " ms");
        assertEquals(6, p.replicasPerSlot());
        assertTrue(millis < 5000, millis + " ms");
    }

    // ---- properties ----

    record Setup(List<Member> members, ReplicationFactor factor) {
    }

    @Provide
    Arbitrary<Setup> setups() {
        Arbitrary<Member> member = Combinators.combine(
            Arbitraries.integers().between(1, 3), Arbitraries.of("r1", "r2", "r3"), Arbitraries.of("dc1", "dc2", "dc3"))
            .as((weight, rack, dc) -> new Member("x", weight, rack, dc));
        Arbitrary<List<Member>> members = member.list().ofMinSize(1).ofMaxSize(12).map(list -> {
            List<Member> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                Member m = list.get(i);
                named.add(new Member("n" + i, m.weight(), m.rack(), m.datacenter()));
            }
            return named;
        });
        Arbitrary<Map<String, Integer>> counts = Arbitraries.maps(Arbitraries.of("dc1", "dc2", "dc3", "dc4"),
            Arbitraries.integers().between(1, 4)).ofMinSize(1).ofMaxSize(4); // at most 16 in all
        return Combinators.combine(members, counts).as((m, c) -> new Setup(m, ReplicationFactor.of(c)));
    }

    @Property(tries = 150)
    void noMemberTwiceAndEachDatacenterGetsMinOfItsCountAndSize(@ForAll("setups") Setup setup) {
        Ring ring = Ring.of(setup.members(), 8, 1);
        Placement p = ring.placement(setup.factor());
        Map<String, Integer> size = perDatacenter(setup.members());
        Map<String, Integer> expected = new HashMap<>();
        setup.factor().perDatacenter().forEach((dc, n) -> {
            if (size.containsKey(dc)) {
                expected.put(dc, Math.min(n, size.get(dc)));
            }
        });
        int perSlot = expected.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(perSlot, p.replicasPerSlot());
        for (int s = 0; s < Slots.COUNT; s += 37) {
            List<Member> list = p.replicas(s);
            assertEquals(list.size(), new HashSet<>(list).size(), "a member twice at slot " + s + ": " + list);
            assertEquals(expected, perDatacenter(list), "slot " + s + " " + list);
        }
    }
}
