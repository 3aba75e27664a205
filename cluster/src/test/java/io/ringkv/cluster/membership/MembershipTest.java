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

    private static Membership.Entry entry(NodeInfo n, RingStatus ring) {
        return new Membership.Entry(n, ring, 1);
    }

    @Test
    void aFounderIsCompleteOnceEverySeedHasAnswered() {
        Membership m = new Membership(node("a", 7000), SEEDS, 16, ReplicationFactor.of(3), List.of());
        assertFalse(m.topology().complete());
        assertEquals(List.of(NodeAddress.parse("127.0.0.1:7001"), NodeAddress.parse("127.0.0.1:7002")), m.seeds());
        assertTrue(m.update(List.of(entry(node("b", 7001), RingStatus.NORMAL)), List.of()));
        assertFalse(m.topology().complete(), "known through gossip, but the seed itself has not answered");
        assertTrue(m.seedAnswered(seed(7001), "b"));
        assertFalse(m.seedAnswered(seed(7001), "b"), "nothing new");
        assertFalse(m.seedAnswered(seed(7009), "x"), "not a seed");
        assertFalse(m.topology().complete());
        assertTrue(m.update(List.of(entry(node("c", 7002), RingStatus.NORMAL)), List.of()));
        assertTrue(m.seedAnswered(NodeAddress.parse("127.0.0.1:7002"), "c"));
        assertTrue(m.topology().complete());
        assertEquals(3, m.topology().nodes().size());
    }

    @Test
    void aNewNodeNeedsOneSeedAndStaysOutOfTheRingUntilItJoins() {
        Membership m = new Membership(node("x", 7005), SEEDS, 16, ReplicationFactor.of(3), RingStatus.WAITING, 0, List.of(), List.of());
        assertFalse(m.topology().complete());
        m.update(List.of(entry(node("a", 7000), RingStatus.NORMAL), entry(node("b", 7001), RingStatus.NORMAL),
            entry(node("c", 7002), RingStatus.NORMAL)), List.of());
        assertTrue(m.seedAnswered(seed(7000), "a"));
        Topology t = m.topology();
        assertTrue(t.complete());
        assertFalse(t.ring().contains("x"));
        assertFalse(t.changing());
        // Announcing JOINING puts it in the new placement only: writes reach it, reads do not.
        long epoch = t.epoch();
        assertTrue(m.update(List.of(new Membership.Entry(node("x", 7005), RingStatus.JOINING, 2)), List.of()));
        t = m.topology();
        assertTrue(t.epoch() > epoch);
        assertTrue(t.changing());
        assertFalse(t.ring().contains("x"));
        assertTrue(t.newRing().contains("x"));
        assertFalse(t.oldRing().contains("x"));
        // JOINED: read from the new placement, still written in both.
        m.update(List.of(new Membership.Entry(node("x", 7005), RingStatus.JOINED, 3)), List.of());
        t = m.topology();
        assertTrue(t.ring().contains("x"));
        assertTrue(t.changing());
        m.update(List.of(new Membership.Entry(node("x", 7005), RingStatus.NORMAL, 4)), List.of());
        assertFalse(m.topology().changing());
    }

    @Test
    void aSeedIsKnownByTheAddressDialedWhateverItAnnounces() {
        List<NodeAddress> seeds = List.of(NodeAddress.parse("localhost:7001"));
        Membership m = new Membership(node("a", 7000), seeds, 16, ReplicationFactor.of(3), List.of());
        m.update(List.of(entry(node("b", 7001), RingStatus.NORMAL)), List.of()); // announces 127.0.0.1
        assertTrue(m.seedAnswered(seeds.get(0), "b"));
        assertTrue(m.topology().complete());
        assertTrue(m.knows(seeds.get(0)));
    }

    @Test
    void aDepartedMemberNeverComesBack() {
        Membership m = new Membership(node("a", 7000), SEEDS, 16, ReplicationFactor.of(3), List.of(node("b", 7001), node("c", 7002)));
        assertTrue(m.topology().complete());
        assertTrue(m.update(List.of(), List.of("c")));
        assertEquals(List.of("a", "b"), m.topology().nodes().stream().map(NodeInfo::id).toList());
        assertFalse(m.update(List.of(entry(node("c", 7002), RingStatus.NORMAL)), List.of()), "gossip about it is ignored");
        assertTrue(m.isDeparted("c"));
    }

    @Test
    void aLeftNodeServesNothing() {
        Membership m = new Membership(node("a", 7000), SEEDS, 16, ReplicationFactor.of(3), List.of(node("b", 7001), node("c", 7002)));
        m.update(List.of(new Membership.Entry(node("a", 7000), RingStatus.LEFT, 9)), List.of());
        assertFalse(m.topology().complete());
        assertEquals(RingStatus.LEFT, m.topology().status("a"));
    }

    @Test
    void nodesFileRoundTripsAndARestartedNodeKnowsTheRingAtOnce(@TempDir Path dir) throws Exception {
        NodesFile file = new NodesFile(dir.resolve("nodes.conf"));
        file.save("a", List.of(node("b", 7001), node("c", 7002)));
        NodesFile.State state = file.load();
        assertEquals("a", state.selfId());
        Membership m = new Membership(node("a", 7000), SEEDS, 16, ReplicationFactor.of(3), state.members());
        assertTrue(m.topology().complete());
        file.save("x", RingStatus.JOINING, 5, List.of(new Membership.Entry(node("b", 7001), RingStatus.LEAVING, 7)),
            List.of("gone"));
        NodesFile.State again = file.load();
        assertEquals(RingStatus.JOINING, again.selfRing());
        assertEquals(5, again.selfRingVersion());
        assertEquals(List.of(new Membership.Entry(node("b", 7001), RingStatus.LEAVING, 7)), again.entries());
        assertEquals(List.of("gone"), again.departed());
        Files.writeString(dir.resolve("old.conf"), "myself a\nnode b 127.0.0.1:7001@17001 1 rack1 dc1\n");
        assertEquals(RingStatus.NORMAL, new NodesFile(dir.resolve("old.conf")).load().entries().get(0).ring());
        Files.writeString(dir.resolve("bad.conf"), "myself a\nnode b nonsense\n");
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> new NodesFile(dir.resolve("bad.conf")).load());
    }
}
