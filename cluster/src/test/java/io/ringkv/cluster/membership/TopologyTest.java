package io.ringkv.cluster.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyTest {

    /** a0-a2 in dc1, b0-b1 in dc2. */
    private static List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = i < 3 ? "a" + i : "b" + (i - 3);
            out.add(new NodeInfo(new Member(id, 1, "r1", i < 3 ? "dc1" : "dc2"),
                new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        return out;
    }

    @Test
    void replicasAndHoldsFollowAPerDatacenterFactor() {
        Topology t = new Topology("b0", nodes(), 16, ReplicationFactor.parse("dc1:2,dc2:1"), 1, true);
        assertEquals(3, t.effectiveReplicas());
        assertEquals(ReplicationFactor.parse("dc1:2,dc2:1"), t.replicationFactor());
        int held = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            List<NodeInfo> replicas = t.replicas(s);
            assertEquals(2, replicas.stream().filter(n -> n.member().datacenter().equals("dc1")).count());
            assertEquals(1, replicas.stream().filter(n -> n.member().datacenter().equals("dc2")).count());
            assertEquals(replicas.stream().anyMatch(n -> n.id().equals("b0")), t.holds(s), "slot " + s);
            held += t.holds(s) ? 1 : 0;
            assertEquals(t.placement().head(s).nodeId(), replicas.get(0).id());
        }
        // b0 and b1 share dc2's one replica: each holds about half the slots.
        assertEquals(Slots.COUNT / 2.0, held, Slots.COUNT * 0.15);
    }

    @Test
    void aPlainFactorIsClampedToTheMembers() {
        Topology t = new Topology("a0", nodes(), 16, ReplicationFactor.of(7), 1, true);
        assertEquals(5, t.effectiveReplicas());
        assertEquals(t.ring().preferenceList(9, 5), t.replicas(9).stream().map(NodeInfo::member).toList());
        // dc2 asks for more than it has: it gives what it has.
        assertEquals(4, new Topology("a0", nodes(), 16, ReplicationFactor.parse("dc1:2,dc2:5"), 1, true)
            .effectiveReplicas());
    }

    @Test
    void aFactorPlacingNoReplicaIsRefused() {
        assertThrows(IllegalArgumentException.class,
            () -> new Topology("a0", nodes(), 16, ReplicationFactor.parse("dc9:3"), 1, true));
    }
}
