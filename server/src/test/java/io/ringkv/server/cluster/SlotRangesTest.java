package io.ringkv.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.server.cluster.SlotRanges.Range;
import io.ringkv.server.cluster.SlotRanges.ReplicaRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

class SlotRangesTest {

    static Topology topology(int members, int n) {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            nodes.add(new NodeInfo(Member.of(String.format("%040x", 0xabc000 + i)),
                new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        return new Topology(nodes.get(0).id(), nodes, 256, ReplicationFactor.of(n), 1, true);
    }

    private static List<String> ids(List<NodeInfo> nodes) {
        return nodes.stream().map(NodeInfo::id).toList();
    }

    @Test
    void runsOfABitmap() {
        assertEquals("", SlotRanges.format(SlotRanges.runs(new RoaringBitmap())));
        assertEquals("0-2 5 7-8 16383",
            SlotRanges.format(SlotRanges.runs(RoaringBitmap.bitmapOf(0, 1, 2, 5, 7, 8, 16383))));
        assertEquals(List.of(new Range(0, 16383)), SlotRanges.runs(RoaringBitmap.bitmapOfRange(0, 16384)));
        assertEquals(List.of(new Range(42, 42)), SlotRanges.runs(RoaringBitmap.bitmapOf(42)));
    }

    @Test
    void rangeRefusesWhatIsNotARange() {
        assertThrows(IllegalArgumentException.class, () -> new Range(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> new Range(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new Range(0, 16384));
    }

    @Test
    void runsOfEveryNodeTileTheSlotSpace() {
        Topology t = topology(5, 3);
        int[] owner = new int[Slots.COUNT];
        java.util.Arrays.fill(owner, -1);
        for (int i = 0; i < t.nodes().size(); i++) {
            NodeInfo node = t.nodes().get(i);
            for (Range r : SlotRanges.runs(t.ring().ownedSlots(node.id()))) {
                for (int s = r.start(); s <= r.end(); s++) {
                    assertEquals(-1, owner[s], "slot " + s + " owned twice");
                    owner[s] = i;
                    assertEquals(node.id(), t.ring().head(s).nodeId());
                }
            }
        }
        for (int s = 0; s < Slots.COUNT; s++) {
            assertNotEquals(-1, owner[s], "slot " + s + " not owned");
        }
    }

    @Test
    void replicaRangesCoverEverySlotOnceWithMaximalRuns() {
        for (int[] shape : new int[][] {{1, 1}, {1, 3}, {3, 3}, {5, 3}, {4, 2}}) {
            Topology t = topology(shape[0], shape[1]);
            List<ReplicaRange> ranges = SlotRanges.byReplicas(t);
            int next = 0;
            List<String> previous = null;
            for (ReplicaRange range : ranges) {
                assertEquals(next, range.range().start());
                for (int s = range.range().start(); s <= range.range().end(); s++) {
                    assertEquals(ids(t.replicas(s)), ids(range.replicas()), "slot " + s);
                }
                // Maximal: two neighbouring runs never share a replica list.
                assertNotEquals(previous, ids(range.replicas()));
                previous = ids(range.replicas());
                next = range.range().end() + 1;
            }
            assertEquals(Slots.COUNT, next);
        }
    }

    @Test
    void aSingleNodeIsOneRange() {
        Topology t = topology(1, 3);
        List<ReplicaRange> ranges = SlotRanges.byReplicas(t);
        assertEquals(1, ranges.size());
        assertEquals(new Range(0, 16383), ranges.get(0).range());
        assertEquals(List.of(t.self()), ranges.get(0).replicas());
    }

    @Test
    void aNodeMarkedDownGoesLastAndHeadsNothing() {
        Topology t = topology(3, 3);
        String down = t.nodes().get(1).id();
        List<ReplicaRange> ranges = SlotRanges.byReplicas(t, id -> id.equals(down));
        int covered = 0;
        for (ReplicaRange r : ranges) {
            covered += r.range().end() - r.range().start() + 1;
            assertEquals(down, r.replicas().get(r.replicas().size() - 1).id(), r.toString());
        }
        assertEquals(16384, covered);
        var headed = SlotRanges.headed(ranges);
        assertEquals(null, headed.get(down));
        int headedSlots = 0;
        for (var list : headed.values()) {
            for (var range : list) {
                headedSlots += range.end() - range.start() + 1;
            }
        }
        assertEquals(16384, headedSlots);
        // With nobody down the advertised ranges are the ring's.
        assertEquals(SlotRanges.byReplicas(t).size(), SlotRanges.byReplicas(t, id -> false).size());
    }

    @Test
    void aPerDatacenterPlacementIsAdvertisedHeadFirst() {
        // Nodes 0-3 in dc1, 4-5 in dc2; dc3's node 6 holds nothing, so it heads nothing.
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            nodes.add(new NodeInfo(new Member(String.format("%040x", 0xdc0000 + i), 1, "rack1",
                i < 4 ? "dc1" : i < 6 ? "dc2" : "dc3"), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        Topology t = new Topology(nodes.get(0).id(), nodes, 64, ReplicationFactor.parse("dc1:2,dc2:1"), 1, true);
        List<ReplicaRange> ranges = SlotRanges.byReplicas(t);
        java.util.Map<String, Integer> headedSlots = new java.util.HashMap<>();
        for (ReplicaRange r : ranges) {
            assertEquals(3, r.replicas().size());
            for (int s = r.range().start(); s <= r.range().end(); s++) {
                assertEquals(ids(t.replicas(s)), ids(r.replicas()), "slot " + s);
            }
            headedSlots.merge(r.replicas().get(0).id(), r.range().end() - r.range().start() + 1, Integer::sum);
        }
        for (NodeInfo n : nodes) {
            assertEquals(t.placement().headedCount(n.id()), headedSlots.getOrDefault(n.id(), 0), n.id());
        }
        assertEquals(null, headedSlots.get(nodes.get(6).id()));
    }
}
