package io.ringkv.cluster.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.ring.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GossipStateTest {

    private static final GossipConfig CONFIG = GossipConfig.defaults();

    static NodeInfo node(String id, int port) {
        return new NodeInfo(new Member(id, 1, "r1", "dc1"), new NodeAddress("127.0.0.1", port, port + 10000));
    }

    private static final NodeInfo A = node("a", 7000);
    private static final NodeInfo B = node("b", 7001);
    private static final NodeInfo C = node("c", 7002);
    private static final NodeInfo X = node("x", 7003);

    private static MemberState state(NodeInfo n, long generation, long heartbeat, MemberStatus status) {
        return new MemberState(n, generation, heartbeat, status);
    }

    /** A digest from {@code sender} with the given entries (its own first). */
    private static Digest from(NodeInfo sender, long senderHeartbeat, MemberState... others) {
        List<MemberState> list = new ArrayList<>();
        list.add(state(sender, 1, senderHeartbeat, MemberStatus.UP));
        list.addAll(List.of(others));
        return new Digest(sender.id(), list);
    }

    /** Feeds {@code state} X's heartbeats 1..n (generation 1), relayed by B, one a second from 0. */
    private static long regularHeartbeats(GossipState state, int n) {
        long t = 0;
        for (int hb = 1; hb <= n; hb++) {
            t = hb * 1000L;
            state.tick(t);
            state.apply(from(B, hb, state(X, 1, hb, MemberStatus.UP)), t);
        }
        return t;
    }

    private static List<StatusChange> of(String id, List<StatusChange> changes) {
        return changes.stream().filter(c -> c.nodeId().equals(id)).toList();
    }

    @Test
    void tickAdvancesOwnHeartbeat() {
        GossipState a = new GossipState(A, 5, CONFIG);
        a.tick(0);
        a.tick(1000);
        MemberState self = a.digest().members().get(0);
        assertEquals("a", self.id());
        assertEquals(5, self.generation());
        assertEquals(2, self.heartbeat());
        assertEquals(Optional.of(MemberStatus.UP), a.status("a"));
    }

    @Test
    void applyLearnsNewMembersAndReportsThem() {
        GossipState a = new GossipState(A, 1, CONFIG);
        List<StatusChange> changes = a.apply(from(B, 3, state(C, 1, 2, MemberStatus.UP)), 100);
        assertEquals(Set.of("b", "c"), changes.stream().map(StatusChange::nodeId).collect(Collectors.toSet()));
        assertTrue(changes.stream().allMatch(c -> c.previous() == null && c.current() == MemberStatus.UP));
        assertEquals(List.of("a", "b", "c"), a.members().stream().map(MemberState::id).toList());
        assertEquals(Optional.empty(), a.status("zz"));
    }

    @Test
    void higherGenerationWinsThenHigherHeartbeat() {
        GossipState a = new GossipState(A, 1, CONFIG);
        a.apply(from(B, 1, state(C, 5, 10, MemberStatus.UP)), 0);
        a.apply(from(B, 2, state(C, 5, 9, MemberStatus.UP)), 0);
        assertEquals(10, a.member("c").orElseThrow().heartbeat());
        a.apply(from(B, 3, state(C, 4, 99, MemberStatus.UP)), 0);
        assertEquals(5, a.member("c").orElseThrow().generation());
        a.apply(from(B, 4, state(C, 5, 11, MemberStatus.UP)), 0);
        assertEquals(11, a.member("c").orElseThrow().heartbeat());
        NodeInfo moved = node("c", 8000);
        a.apply(from(B, 5, state(moved, 6, 0, MemberStatus.UP)), 0);
        MemberState c = a.member("c").orElseThrow();
        assertEquals(6, c.generation());
        assertEquals(0, c.heartbeat());
        assertEquals(8000, c.node().address().port(), "the restarted member's new address is taken");
    }

    @Test
    void theSendersVerdictsAreNotAdoptedAsOwn() {
        GossipState a = new GossipState(A, 1, CONFIG);
        a.apply(from(B, 1, state(C, 1, 1, MemberStatus.DOWN)), 0);
        assertEquals(Optional.of(MemberStatus.UP), a.status("c"));
    }

    @Test
    void oneSourceOnlySuspects() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30);
        // X falls silent; B keeps gossiping (and never suspects X itself).
        List<StatusChange> all = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            t += 1000;
            all.addAll(a.tick(t));
            all.addAll(a.apply(from(B, 30 + i, state(X, 1, 30, MemberStatus.UP)), t));
        }
        assertEquals(Optional.of(MemberStatus.SUSPECT), a.status("x"));
        assertEquals(List.of(new StatusChange("x", MemberStatus.UP, MemberStatus.SUSPECT, all.get(0).atMillis())), all);
        // Suspected somewhere between 5 and 8 s of silence with these settings.
        long silence = all.get(0).atMillis() - 30_000;
        assertTrue(silence >= 5000 && silence <= 8000, "suspected after " + silence + " ms");
    }

    @Test
    void twoSourcesMarkDown() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30);
        t += 10_000;
        a.tick(t);
        assertEquals(Optional.of(MemberStatus.SUSPECT), a.status("x"));
        // B reports, first hand, that it suspects X at the same version: two sources.
        List<StatusChange> changes = of("x", a.apply(from(B, 41, state(X, 1, 30, MemberStatus.SUSPECT)), t));
        assertEquals(List.of(new StatusChange("x", MemberStatus.SUSPECT, MemberStatus.DOWN, t)), changes);
        assertEquals(Optional.of(MemberStatus.DOWN), a.status("x"));
        // DOWN is sticky: B changing its mind (its report withdrawn) does not undo it.
        a.apply(from(B, 42, state(X, 1, 30, MemberStatus.UP)), t + 1000);
        a.tick(t + 1000);
        assertEquals(Optional.of(MemberStatus.DOWN), a.status("x"));
    }

    @Test
    void anEarlierReportCountsOnceThisNodeSuspectsToo() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30);
        // C suspects X before A does (C's detector is faster or C was cut off from X's news).
        a.apply(from(C, 1, state(X, 1, 30, MemberStatus.SUSPECT)), t + 2000);
        a.tick(t + 2000);
        assertEquals(Optional.of(MemberStatus.UP), a.status("x"), "one source elsewhere is not enough");
        List<StatusChange> changes = of("x", a.tick(t + 10_000));
        assertEquals(List.of(new StatusChange("x", MemberStatus.UP, MemberStatus.DOWN, t + 10_000)), changes);
    }

    @Test
    void aSuspicionOfAnOlderHeartbeatDoesNotCount() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30);
        // B suspects X at heartbeat 20, but this node has seen X alive since (heartbeat 30).
        a.apply(from(B, 31, state(X, 1, 20, MemberStatus.SUSPECT)), t);
        a.tick(t + 10_000);
        assertEquals(Optional.of(MemberStatus.SUSPECT), a.status("x"));
    }

    @Test
    void aReportExpires() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30);
        a.apply(from(C, 1, state(X, 1, 30, MemberStatus.SUSPECT)), t);
        a.tick(t + CONFIG.reportTtlMillis() + 1);
        assertEquals(Optional.of(MemberStatus.SUSPECT), a.status("x"));
    }

    @Test
    void reportsAboutThisNodeOrTheSenderItselfAreIgnored() {
        GossipState a = new GossipState(A, 1, CONFIG);
        a.tick(0);
        a.apply(from(B, 1, state(A, 1, 1, MemberStatus.DOWN)), 0);
        assertEquals(Optional.of(MemberStatus.UP), a.status("a"));
        // B claiming it suspects itself is not a second source about B.
        GossipState c = new GossipState(C, 1, CONFIG);
        c.apply(new Digest("b", List.of(state(B, 1, 1, MemberStatus.SUSPECT))), 0);
        c.tick(20_000);
        assertEquals(Optional.of(MemberStatus.SUSPECT), c.status("b"));
    }

    @Test
    void recoveryWhenTheHeartbeatAdvancesAgain() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30) + 10_000;
        a.apply(from(B, 41, state(X, 1, 30, MemberStatus.SUSPECT)), t);
        assertEquals(Optional.of(MemberStatus.DOWN), a.status("x"));
        // A stale copy of the last heartbeat changes nothing.
        a.apply(from(C, 1, state(X, 1, 30, MemberStatus.UP)), t + 500);
        assertEquals(Optional.of(MemberStatus.DOWN), a.status("x"));
        // X was only paused: its heartbeat advances, and B still reports its old suspicion.
        List<StatusChange> changes = of("x", a.apply(from(B, 42, state(X, 1, 31, MemberStatus.SUSPECT)), t + 1000));
        assertEquals(List.of(new StatusChange("x", MemberStatus.DOWN, MemberStatus.UP, t + 1000)), changes);
        // B's suspicion was of heartbeat 31, which is now the latest: it stands, but A alone
        // decides whether X is suspect, and it is not.
        a.tick(t + 2000);
        assertEquals(Optional.of(MemberStatus.UP), a.status("x"));
    }

    @Test
    void recoveryByRestartWithAHigherGeneration() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30) + 10_000;
        a.apply(from(B, 41, state(X, 1, 30, MemberStatus.SUSPECT)), t);
        assertEquals(Optional.of(MemberStatus.DOWN), a.status("x"));
        List<StatusChange> changes = of("x", a.apply(from(C, 1, state(X, 2, 0, MemberStatus.UP)), t + 1000));
        assertEquals(List.of(new StatusChange("x", MemberStatus.DOWN, MemberStatus.UP, t + 1000)), changes);
        // The new incarnation's detector starts afresh: silent for long, it is suspected again,
        // and B's suspicion of the old generation does not make that DOWN.
        a.tick(t + 20_000);
        assertEquals(Optional.of(MemberStatus.SUSPECT), a.status("x"));
    }

    @Test
    void aNodeOutlivesALaterVersionOfItself() {
        GossipState a = new GossipState(A, 100, CONFIG);
        a.tick(0);
        a.apply(from(B, 1, state(A, 200, 7, MemberStatus.UP)), 0);
        MemberState self = a.member("a").orElseThrow();
        assertTrue(self.newerThan(state(A, 200, 7, MemberStatus.UP)), "self is now " + self);
        a.apply(from(B, 2, state(A, self.generation(), 50, MemberStatus.UP)), 0);
        assertEquals(51, a.member("a").orElseThrow().heartbeat());
    }

    @Test
    void introducedMembersLoseToAnyRealGossip() {
        GossipState a = new GossipState(A, 1, CONFIG);
        assertEquals(List.of(new StatusChange("b", null, MemberStatus.UP, 0)), a.introduce(B, 0));
        assertEquals(List.of(), a.introduce(B, 0));
        assertEquals(List.of(), a.introduce(A, 0));
        a.apply(from(B, 1), 10);
        assertEquals(1, a.member("b").orElseThrow().generation());
    }

    @Test
    void peersAreDistinctLiveMembersChosenUniformly() {
        GossipState a = new GossipState(A, 1, CONFIG);
        for (int i = 0; i < 10; i++) {
            a.introduce(node("n" + i, 8000 + i), 0);
        }
        SplittableRandom random = new SplittableRandom(1);
        Map<String, Integer> counts = new HashMap<>();
        for (int round = 0; round < 10_000; round++) {
            List<NodeInfo> peers = a.peersToGossipTo(random, 3);
            assertEquals(3, peers.size());
            Set<String> ids = new HashSet<>();
            for (NodeInfo p : peers) {
                assertTrue(ids.add(p.id()));
                assertFalse(p.id().equals("a"));
                counts.merge(p.id(), 1, Integer::sum);
            }
        }
        // Each of the 10 is picked 3000 times on average.
        counts.values().forEach(c -> assertTrue(c > 2700 && c < 3300, "count " + c));
        assertEquals(2, a.peersToGossipTo(random, 2).size());
        assertEquals(10, a.peersToGossipTo(random, 50).size());
    }

    @Test
    void downMembersAreGossipedToNowAndThen() {
        GossipState a = new GossipState(A, 1, CONFIG);
        long t = regularHeartbeats(a, 30) + 10_000;
        a.apply(from(B, 41, state(X, 1, 30, MemberStatus.SUSPECT)), t);
        assertEquals(Optional.of(MemberStatus.DOWN), a.status("x"));
        SplittableRandom random = new SplittableRandom(3);
        int toX = 0;
        for (int round = 0; round < 10_000; round++) {
            List<NodeInfo> peers = a.peersToGossipTo(random, 3);
            assertTrue(peers.get(0).id().equals("b"), "the one live peer first");
            toX += peers.stream().filter(p -> p.id().equals("x")).count();
        }
        // One down, one live: probability 1 / (1 + 1).
        assertTrue(toX > 4700 && toX < 5300, "gossiped to x " + toX + " times");
    }

    @Test
    void digestsRejectDuplicates() {
        assertThrows(IllegalArgumentException.class, () -> new Digest("a",
            List.of(state(B, 1, 1, MemberStatus.UP), state(B, 1, 2, MemberStatus.UP))));
        assertThrows(IllegalArgumentException.class, () -> state(B, -1, 0, MemberStatus.UP));
        assertThrows(IllegalArgumentException.class, () -> GossipConfig.defaults().withFanout(0));
    }

    @Test
    void aRingChangeSpreadsWithTheHeartbeatAndIsEchoedBack() {
        GossipState a = new GossipState(A, 100, CONFIG);
        GossipState b = new GossipState(B, 100, CONFIG);
        b.apply(a.digest(), 0);
        a.apply(b.digest(), 0);
        long before = a.ringVersionSeenBy("b");
        long version = a.setRing(io.ringkv.cluster.membership.RingStatus.LEAVING, 1_000);
        assertEquals(1_000, version);
        assertTrue(before < version);
        assertTrue(a.ringVersionSeenBy("b") < version, "b has not seen it yet");
        // Straight away, without a tick: the heartbeat moved with the status.
        b.apply(a.digest(), 10);
        assertEquals(io.ringkv.cluster.membership.RingStatus.LEAVING, b.member("a").orElseThrow().ring());
        a.apply(b.digest(), 20);
        assertEquals(version, a.ringVersionSeenBy("b"));
        // The version always grows, even if the clock does not.
        assertEquals(version + 1, a.setRing(io.ringkv.cluster.membership.RingStatus.DRAINED, 5));
    }

    @Test
    void aDepartedMemberIsDroppedEverywhereAndNeverComesBack() {
        GossipState a = new GossipState(A, 100, CONFIG);
        GossipState b = new GossipState(B, 100, CONFIG);
        GossipState c = new GossipState(C, 100, CONFIG);
        a.apply(c.digest(), 0);
        b.apply(c.digest(), 0);
        b.apply(a.digest(), 0);
        assertTrue(b.member("c").isPresent());
        assertTrue(a.depart("c"));
        assertFalse(a.depart("c"));
        b.apply(a.digest(), 10);
        assertTrue(b.member("c").isEmpty());
        assertTrue(b.departed().contains("c"));
        // Gossip from the departed member, or about it, changes nothing.
        c.tick(20);
        b.apply(c.digest(), 30);
        assertTrue(b.member("c").isEmpty());
        b.introduce(C, 40);
        assertTrue(b.member("c").isEmpty());
        assertTrue(b.digest().departed().contains("c"));
    }

    @Test
    void ofTwoRingChangesAnnouncedAtOnceTheEarlierGoesFirstOnBothSides() {
        GossipState a = new GossipState(A, 100, CONFIG);
        GossipState b = new GossipState(B, 100, CONFIG);
        a.setRing(io.ringkv.cluster.membership.RingStatus.LEAVING, 1_000);
        b.setRing(io.ringkv.cluster.membership.RingStatus.LEAVING, 1_000);
        b.apply(a.digest(), 0);
        a.apply(b.digest(), 0);
        assertTrue(a.otherRingChange());
        // Same version: the smaller id ("a") goes first.
        assertTrue(a.earlierRingChange().isEmpty());
        assertEquals("a", b.earlierRingChange().orElseThrow().id());
        // a saw b echo its version, b saw a: the barrier holds for both.
        assertTrue(a.ringVersionEchoedByAllLive());
        a.setRing(io.ringkv.cluster.membership.RingStatus.DRAINED, 2_000);
        assertFalse(a.ringVersionEchoedByAllLive(), "b has not seen the new version");
        assertEquals(List.of(), a.membersAt(A.address()));
        assertEquals(List.of("b"), a.membersAt(B.address()));
    }
}
