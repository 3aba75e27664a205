package io.ringkv.cluster.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.cluster.coordinator.QuorumTracker.Requirement;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.ring.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsistencyTest {

    private static NodeInfo node(String id, String dc) {
        return new NodeInfo(new Member(id, 1, "r1", dc), new NodeAddress("127.0.0.1", 7000, 17000));
    }

    /** Head in dc2, then dc1, dc1, dc2, dc1: the order a per-datacenter placement may give. */
    private static final List<NodeInfo> REPLICAS = List.of(node("b1", "dc2"), node("a1", "dc1"), node("a2", "dc1"),
        node("b2", "dc2"), node("a3", "dc1"));
    private static final List<String> ALL_IDS = List.of("b1", "a1", "a2", "b2", "a3");

    @Test
    void parsesEveryLevelInAnyCase() {
        assertEquals(Consistency.ONE, Consistency.parse("One"));
        assertEquals(Consistency.QUORUM, Consistency.parse("QUORUM"));
        assertEquals(Consistency.ALL, Consistency.parse(" all "));
        assertEquals(Consistency.LOCAL_QUORUM, Consistency.parse("Local_Quorum"));
        assertEquals(Consistency.EACH_QUORUM, Consistency.parse("EACH_QUORUM"));
        assertEquals(new Consistency(2, Consistency.Level.NUMBER), Consistency.parse("2"));
        assertEquals("local_quorum", Consistency.LOCAL_QUORUM.toString());
        assertEquals("each_quorum", Consistency.EACH_QUORUM.toString());
        assertEquals("16", Consistency.parse("16").toString());
        assertEquals("consistency must be a number, ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM: 'most'",
            assertThrows(IllegalArgumentException.class, () -> Consistency.parse("most")).getMessage());
        assertEquals("consistency must be between 1 and 16: '17'",
            assertThrows(IllegalArgumentException.class, () -> Consistency.parse("17")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Consistency.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> Consistency.parse("local-quorum"));
    }

    @Test
    void plainLevelsAreOneRequirementOverEveryReplica() {
        assertEquals(List.of(new Requirement(ALL_IDS, 1)), Consistency.ONE.requirements(REPLICAS, "dc1"));
        assertEquals(List.of(new Requirement(ALL_IDS, 3)), Consistency.QUORUM.requirements(REPLICAS, "dc1"));
        assertEquals(List.of(new Requirement(ALL_IDS, 5)), Consistency.ALL.requirements(REPLICAS, "dc1"));
        assertEquals(List.of(new Requirement(ALL_IDS, 2)), Consistency.parse("2").requirements(REPLICAS, "dc1"));
        // A number above N is clamped to N.
        assertEquals(List.of(new Requirement(ALL_IDS, 5)), Consistency.parse("9").requirements(REPLICAS, "dc1"));
        assertEquals(List.of(new Requirement(List.of("a1"), 1)),
            Consistency.parse("3").requirements(List.of(node("a1", "dc1")), "dc1"));
    }

    @Test
    void localQuorumIsAQuorumOfTheLocalReplicas() {
        assertEquals(List.of(new Requirement(List.of("a1", "a2", "a3"), 2, "in dc1 (LOCAL_QUORUM)")),
            Consistency.LOCAL_QUORUM.requirements(REPLICAS, "dc1"));
        assertEquals(List.of(new Requirement(List.of("b1", "b2"), 2, "in dc2 (LOCAL_QUORUM)")),
            Consistency.LOCAL_QUORUM.requirements(REPLICAS, "dc2"));
        // No local replica: a quorum of all of them.
        assertEquals(List.of(new Requirement(ALL_IDS, 3)), Consistency.LOCAL_QUORUM.requirements(REPLICAS, "dc3"));
    }

    @Test
    void eachQuorumIsAQuorumPerDatacenterInTheOrderTheyAppear() {
        assertEquals(List.of(new Requirement(List.of("b1", "b2"), 2, "in dc2 (EACH_QUORUM)"),
                new Requirement(List.of("a1", "a2", "a3"), 2, "in dc1 (EACH_QUORUM)")),
            Consistency.EACH_QUORUM.requirements(REPLICAS, "dc1"));
        List<NodeInfo> oneDc = List.of(node("a1", "dc1"), node("a2", "dc1"), node("a3", "dc1"));
        assertEquals(List.of(new Requirement(List.of("a1", "a2", "a3"), 2, "in dc1 (EACH_QUORUM)")),
            Consistency.EACH_QUORUM.requirements(oneDc, "dc9"));
    }

    @Test
    void aKeyWithoutReplicasIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Consistency.QUORUM.requirements(List.of(), "dc1"));
    }
}
