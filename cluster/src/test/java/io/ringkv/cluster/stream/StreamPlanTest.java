package io.ringkv.cluster.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.RingStatus;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.Slots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamPlanTest {

    private static NodeInfo node(String id, int port) {
        return new NodeInfo(Member.of(id), new NodeAddress("127.0.0.1", port, port + 10000));
    }

    private static final List<NodeInfo> FOUR = List.of(node("a", 1), node("b", 2), node("c", 3), node("d", 4));

    private static Topology topology(String self, Map<String, RingStatus> statuses) {
        return new Topology(self, FOUR, statuses, 32, io.ringkv.cluster.ring.ReplicationFactor.of(3), 1, true);
    }

    private static Set<String> ids(List<NodeInfo> nodes) {
        Set<String> out = new HashSet<>();
        nodes.forEach(n -> out.add(n.id()));
        return out;
    }

    @Test
    void aJoinerGetsEverySlotItGainsFromTheNodeThatDropsIt() {
        Topology t = topology("d", Map.of("d", RingStatus.JOINING));
        List<StreamPlan.Transfer> plan = StreamPlan.forChange(t, id -> true);
        int gained = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            Set<String> old = ids(t.oldReplicas(s));
            Set<String> next = ids(t.newReplicas(s));
            assertTrue(!old.contains("d"));
            if (next.contains("d")) {
                gained++;
            }
        }
        assertEquals(gained, plan.size(), "one transfer per slot the joiner gains");
        for (StreamPlan.Transfer tr : plan) {
            assertEquals("d", tr.target().id());
            assertEquals(1, tr.sources().size());
            String source = tr.sources().get(0).id();
            assertTrue(ids(t.oldReplicas(tr.slot())).contains(source));
            assertTrue(!ids(t.newReplicas(tr.slot())).contains(source), "the source is the node dropping the slot");
        }
        // The other nodes reach the same plan: it does not depend on who computes it.
        assertEquals(plan, StreamPlan.forChange(topology("a", Map.of("d", RingStatus.JOINING)), id -> true));
    }

    @Test
    void aLeaverReadsItsOwnDataAndEveryGainerGetsIt() {
        Topology t = topology("b", Map.of("b", RingStatus.LEAVING));
        List<StreamPlan.Transfer> plan = StreamPlan.forChange(t, id -> true);
        assertTrue(!plan.isEmpty());
        for (StreamPlan.Transfer tr : plan) {
            assertEquals(List.of("b"), tr.sources().stream().map(NodeInfo::id).toList());
            assertTrue(!tr.target().id().equals("b"));
        }
    }

    @Test
    void withTheDropperDownEveryLiveOldReplicaIsRead() {
        Topology t = topology("d", Map.of("d", RingStatus.JOINING));
        List<StreamPlan.Transfer> plan = StreamPlan.forChange(t, id -> !id.equals("a"));
        for (StreamPlan.Transfer tr : plan) {
            Set<String> sources = ids(tr.sources());
            assertTrue(!sources.contains("a"));
            if (ids(t.oldReplicas(tr.slot())).contains("a") && !ids(t.newReplicas(tr.slot())).contains("a")) {
                assertEquals(2, sources.size(), "slot " + tr.slot() + ": both surviving old replicas");
            }
        }
    }

    @Test
    void noChangeNoTransfers() {
        assertEquals(List.of(), StreamPlan.forChange(topology("a", Map.of()), id -> true));
    }

    @Test
    void forgettingADeadNodeReadsEverySurvivor() {
        Topology before = topology("a", Map.of());
        Topology after = new Topology("a", FOUR.subList(0, 3), Map.of(), 32, io.ringkv.cluster.ring.ReplicationFactor.of(3), 2, true);
        List<StreamPlan.Transfer> plan = StreamPlan.forgotten(before::replicas, after::replicas,
            id -> !id.equals("d"), "a");
        Map<String, Integer> perTarget = new HashMap<>();
        for (StreamPlan.Transfer tr : plan) {
            perTarget.merge(tr.target().id(), 1, Integer::sum);
            List<String> expected = new ArrayList<>();
            for (NodeInfo n : before.replicas(tr.slot())) {
                if (!n.id().equals("d")) {
                    expected.add(n.id());
                }
            }
            assertEquals(expected, tr.sources().stream().map(NodeInfo::id).toList());
        }
        // With 3 nodes left and N = 3 every survivor gains the slots d held.
        int held = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            if (ids(before.replicas(s)).contains("d")) {
                held++;
            }
        }
        assertEquals(held, plan.size());
    }
}
