package io.ringkv.cluster.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MembershipTest {

    private static NodeInfo node(String id, int port) {
        return new NodeInfo(Member.of(id), new NodeAddress("127.0.0.1", port, port + 10000));
    }

    private static NodeAddress seed(int port) {
        return NodeAddress.parse("127.0.0.1:" + port);
    }

    private static final List<NodeAddress> SEEDS = List.of(NodeAddress.parse("127.0.0.1:7000"),
        NodeAddress.parse("127.0.0.1:7001"), NodeAddress.parse("127.0.0.1:7002"));

    @Test
    void completeOnceEverySeedIsKnown_strangersAreNotTakenIn() {
        Membership m = new Membership(node("a", 7000), SEEDS, 16, ReplicationFactor.of(3), List.of());
        assertFalse(m.topology().complete());
        assertEquals(List.of(NodeAddress.parse("127.0.0.1:7001"), NodeAddress.parse("127.0.0.1:7002")), m.seeds());
        assertTrue(m.learnFromSeed(seed(7001), node("b", 7001)));
        assertFalse(m.learnFromSeed(seed(7001), node("b", 7001)), "nothing new");
        assertFalse(m.topology().complete());
        assertFalse(m.learnFromSeed(seed(7009), node("x", 7009)), "not a seed");
        assertTrue(m.learnFromSeed(NodeAddress.parse("127.0.0.1:7002"), node("c", 7002)));
        assertTrue(m.topology().complete());
        assertEquals(3, m.topology().nodes().size());
        long epoch = m.topology().epoch();
        // A seed wiped and restarted comes back with a new id: it replaces the old one.
        assertTrue(m.learnFromSeed(seed(7002), node("c2", 7002)));
        assertEquals(List.of("a", "b", "c2"), m.topology().nodes().stream().map(NodeInfo::id).toList());
        assertTrue(m.topology().epoch() > epoch);
    }

    @Test
    void aSeedIsKnownByTheAddressDialedWhateverItAnnounces() {
        List<NodeAddress> seeds = List.of(NodeAddress.parse("localhost:7001"));
        Membership m = new Membership(node("a", 7000), seeds, 16, ReplicationFactor.of(3), List.of());
        assertTrue(m.learnFromSeed(seeds.get(0), node("b", 7001))); // announces 127.0.0.1
        assertTrue(m.topology().complete());
        assertTrue(m.knows(seeds.get(0)));
    }

    @Test
    void nodesFileRoundTripsAndARestartedNodeKnowsTheRingAtOnce(@TempDir Path dir) throws Exception {
        NodesFile file = new NodesFile(dir.resolve("nodes.conf"));
        file.save("a", List.of(node("b", 7001), node("c", 7002)));
        NodesFile.State state = file.load();
        assertEquals("a", state.selfId());
        Membership m = new Membership(node("a", 7000), SEEDS, 16, ReplicationFactor.of(3), state.members());
        assertTrue(m.topology().complete());
        Files.writeString(dir.resolve("bad.conf"), "myself a\nnode b nonsense\n");
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> new NodesFile(dir.resolve("bad.conf")).load());
    }
}
