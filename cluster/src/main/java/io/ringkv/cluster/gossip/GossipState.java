package io.ringkv.cluster.gossip;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.RingStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One node's gossip membership and failure verdicts: a pure state machine (etcd raft style).
 * The caller owns the clock, the randomness and the network: every gossip interval it calls
 * {@link #tick}, sends {@link #digest()} to {@link #peersToGossipTo}, and hands every digest it
 * receives to {@link #apply}. Both return the status changes they caused. Not thread-safe: the
 * caller serialises calls (one event loop or one lock).
 *
 * <p><b>Merging.</b> For each member the later version wins: higher generation, then higher
 * heartbeat ({@link MemberState#newerThan}). A version this node had not seen yet is a fresh
 * heartbeat of that member and feeds its failure detector; a new generation starts a new
 * detector (a restarted process has its own rhythm, and the silence of its previous life says
 * nothing about it).
 *
 * <p><b>Failure verdicts</b> (docs/gossip.md has the reasoning). For every other member:
 * <ul>
 *   <li>this node suspects it when its detector's phi reaches the threshold;</li>
 *   <li>UP: this node does not suspect it;</li>
 *   <li>SUSPECT: this node suspects it, and fewer than {@code confirmingSources} other nodes
 *       report (first hand, in their own digests, about the same version) suspecting it;</li>
 *   <li>DOWN: this node suspects it and at least {@code confirmingSources} others do. DOWN is
 *       sticky: it is left only for UP, when this node stops suspecting the member, which
 *       happens only when its heartbeat advances or it restarts (only the member itself can
 *       produce either), and every report older than that advance is void by then.</li>
 * </ul>
 * This node itself is always UP; what others say about it is ignored.
 */
public final class GossipState {

    /** One other member as this node tracks it. */
    private static final class Tracked {
        MemberState state;
        PhiAccrualFailureDetector detector;

        Tracked(MemberState state, PhiAccrualFailureDetector detector) {
            this.state = state;
            this.detector = detector;
        }
    }

    private final GossipConfig config;
    private final String selfId;
    private MemberState self;
    // Sorted by id so that iteration, hence peer choice for a given random sequence, is
    // deterministic: one simulation seed replays one run.
    private final TreeMap<String, Tracked> others = new TreeMap<>();
    private final SuspicionReports reports;
    /** Per member: the highest ring version of this node it has shown in its digests. */
    private final java.util.Map<String, Long> echoed = new java.util.HashMap<>();
    /** Members gone for good (grow-only, merged by union). */
    private final java.util.TreeSet<String> departed = new java.util.TreeSet<>();

    /**
     * @param generation this incarnation of the node: larger than any earlier one's (its start
     *                   time in milliseconds will do)
     */
    public GossipState(NodeInfo self, long generation, GossipConfig config) {
        this(self, generation, RingStatus.NORMAL, 0, config);
    }

    /**
     * @param ring this node's place in the ring, as it was saved (a new node's first one)
     * @param ringVersion the version it was saved with
     */
    public GossipState(NodeInfo self, long generation, RingStatus ring, long ringVersion, GossipConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.self = new MemberState(self, generation, 0, MemberStatus.UP, ring, ringVersion);
        this.selfId = self.id();
        this.reports = new SuspicionReports(config.reportTtlMillis());
    }

    public String selfId() {
        return selfId;
    }

    public GossipConfig config() {
        return config;
    }

    /**
     * Makes a member known before any gossip from it (a seed met by introduction, or a member
     * of nodes.conf after a restart), at version (0, 0) so that any real gossip about it wins.
     * Its detector starts now: a member introduced but never heard from is suspected in time.
     */
    public List<StatusChange> introduce(NodeInfo node, long nowMillis) {
        return introduce(node, RingStatus.NORMAL, 0, nowMillis);
    }

    /** {@link #introduce(NodeInfo, long)} with the ring status remembered for it. */
    public List<StatusChange> introduce(NodeInfo node, RingStatus ring, long ringVersion, long nowMillis) {
        if (node.id().equals(selfId) || others.containsKey(node.id()) || departed.contains(node.id())) {
            return List.of();
        }
        learn(new MemberState(node, 0, 0, MemberStatus.UP, ring, ringVersion), nowMillis);
        return List.of(new StatusChange(node.id(), null, MemberStatus.UP, nowMillis));
    }

    /**
     * One gossip round begins: this node's heartbeat advances, and every member's verdict is
     * re-evaluated against the clock.
     */
    public List<StatusChange> tick(long nowMillis) {
        self = self.withHeartbeat(self.heartbeat() + 1);
        List<StatusChange> changes = new ArrayList<>();
        evaluate(nowMillis, changes);
        return changes;
    }

    /** This node's view to send: itself and every member it knows, each with its verdict. */
    public Digest digest() {
        List<MemberState> members = new ArrayList<>(others.size() + 1);
        if (!departed.contains(selfId)) {
            members.add(self);
        }
        for (Tracked t : others.values()) {
            members.add(t.state);
        }
        return new Digest(selfId, members, departed);
    }

    // ---- ring changes (docs/elasticity.md) ---------------------------------------------------

    /**
     * This node moves to {@code ring}. The heartbeat advances with it, so that the new status
     * is the newer version of this member everywhere at once rather than after the next tick.
     * Returns the new ring version: the member's clock, forced past the previous version.
     */
    public long setRing(RingStatus ring, long nowMillis) {
        long version = Math.max(self.ringVersion() + 1, nowMillis);
        self = new MemberState(self.node(), self.generation(), self.heartbeat() + 1, self.status(), ring, version);
        return version;
    }

    public RingStatus ring() {
        return self.ring();
    }

    public long ringVersion() {
        return self.ringVersion();
    }

    /**
     * The ring version of this node that {@code nodeId} last showed in a digest it sent (its
     * view of this node), or -1 if none came yet. A member that shows the current version has
     * applied the current ring status to its own topology: the barrier a ring change waits on.
     */
    public long ringVersionSeenBy(String nodeId) {
        return echoed.getOrDefault(nodeId, -1L);
    }

    /**
     * The barrier of a ring change: every other member that is not DOWN (nor left) has shown
     * this node's current ring version in a digest it sent.
     */
    public boolean ringVersionEchoedByAllLive() {
        for (Tracked t : others.values()) {
            if (t.state.ring() == RingStatus.LEFT || t.state.status() == MemberStatus.DOWN) {
                continue;
            }
            if (ringVersionSeenBy(t.state.id()) < self.ringVersion()) {
                return false;
            }
        }
        return true;
    }

    /** Some other member is joining or leaving. */
    public boolean otherRingChange() {
        for (Tracked t : others.values()) {
            if (t.state.ring().changing()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Another member's ring change that goes before this node's: of two changes announced at
     * once, the one with the smaller (ring version, id) goes first, on every node alike.
     */
    public Optional<MemberState> earlierRingChange() {
        for (Tracked t : others.values()) {
            MemberState m = t.state;
            if (m.ring().changing() && (m.ringVersion() < self.ringVersion()
                    || m.ringVersion() == self.ringVersion() && m.id().compareTo(selfId) < 0)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** The other members announced at {@code address}'s client address. */
    public List<String> membersAt(io.ringkv.cluster.membership.NodeAddress address) {
        List<String> ids = new ArrayList<>();
        for (Tracked t : others.values()) {
            if (t.state.node().address().sameClientAddress(address)) {
                ids.add(t.state.id());
            }
        }
        return ids;
    }

    /**
     * Removes {@code nodeId} for good (CLUSTER FORGET, or a member that finished leaving): it is
     * dropped from the view, ignored in later digests, and gossiped as departed, so every node
     * drops it. Returns false if it was departed already.
     */
    public boolean depart(String nodeId) {
        if (!departed.add(nodeId)) {
            return false;
        }
        others.remove(nodeId);
        echoed.remove(nodeId);
        return true;
    }

    /** The members gone for good. */
    public java.util.Set<String> departed() {
        return java.util.Collections.unmodifiableSet(departed);
    }

    /** Merges a peer's digest received at {@code nowMillis}; returns the status changes it caused. */
    public List<StatusChange> apply(Digest digest, long nowMillis) {
        String sender = digest.senderId();
        if (sender.equals(selfId)) {
            return List.of();
        }
        List<StatusChange> changes = new ArrayList<>();
        for (String id : digest.departed()) {
            depart(id);
        }
        if (departed.contains(sender)) {
            return changes;
        }
        for (MemberState m : digest.members()) {
            if (departed.contains(m.id())) {
                continue;
            }
            if (m.id().equals(selfId)) {
                outliveOlderSelf(m);
                echoed.merge(sender, m.ringVersion(), Math::max);
                continue;
            }
            Tracked t = others.get(m.id());
            if (t == null) {
                learn(m, nowMillis);
                changes.add(new StatusChange(m.id(), null, MemberStatus.UP, nowMillis));
            } else if (m.newerThan(t.state)) {
                if (m.generation() != t.state.generation()) {
                    t.detector = config.newDetector();
                }
                t.state = new MemberState(m.node(), m.generation(), m.heartbeat(), t.state.status(), m.ring(),
                    m.ringVersion());
                t.detector.heartbeat(nowMillis);
            }
            if (!m.id().equals(sender)) {
                reports.record(sender, m, nowMillis);
            }
        }
        evaluate(nowMillis, changes);
        return changes;
    }

    /**
     * Someone gossips a version of this very node later than the one it runs: an earlier
     * incarnation whose generation was larger (the clock went back across a restart) or a
     * process sharing its id. Left alone, every peer would keep preferring that version and
     * ignore this node's heartbeats forever, so it moves past it.
     */
    private void outliveOlderSelf(MemberState seen) {
        if (seen.generation() > self.generation()) {
            self = new MemberState(self.node(), seen.generation() + 1, 0, MemberStatus.UP, self.ring(), self.ringVersion());
        } else if (seen.generation() == self.generation() && seen.heartbeat() > self.heartbeat()) {
            self = self.withHeartbeat(seen.heartbeat() + 1);
        }
    }

    private void learn(MemberState m, long nowMillis) {
        PhiAccrualFailureDetector detector = config.newDetector();
        detector.heartbeat(nowMillis);
        others.put(m.id(), new Tracked(m.withStatus(MemberStatus.UP), detector));
    }

    private void evaluate(long nowMillis, List<StatusChange> changes) {
        for (Tracked t : others.values()) {
            MemberStatus before = t.state.status();
            if (before == MemberStatus.LEFT) {
                continue;
            }
            MemberStatus after;
            if (t.detector.isAvailable(nowMillis, config.phiThreshold())) {
                after = MemberStatus.UP;
            } else if (before == MemberStatus.DOWN
                || reports.confirmations(t.state, nowMillis) >= config.confirmingSources()) {
                after = MemberStatus.DOWN;
            } else {
                after = MemberStatus.SUSPECT;
            }
            if (after != before) {
                t.state = t.state.withStatus(after);
                changes.add(new StatusChange(t.state.id(), before, after, nowMillis));
            }
        }
    }

    /**
     * Up to {@code fanout} distinct members this node does not hold DOWN (nor LEFT), chosen
     * uniformly; plus, with probability down / (live + 1), one DOWN member. The second part is
     * Cassandra's: without it two sides of a healed partition, each holding the other DOWN,
     * would never gossip again, and a member back from a pause would wait to be gossiped to.
     */
    public List<NodeInfo> peersToGossipTo(RandomGenerator random, int fanout) {
        List<NodeInfo> live = new ArrayList<>();
        List<NodeInfo> down = new ArrayList<>();
        for (Tracked t : others.values()) {
            switch (t.state.status()) {
                case UP, SUSPECT -> live.add(t.state.node());
                case DOWN -> down.add(t.state.node());
                case LEFT -> { }
            }
        }
        List<NodeInfo> chosen = new ArrayList<>(Math.min(fanout, live.size()) + 1);
        // A partial Fisher-Yates shuffle: the first k slots end up a uniform k-subset.
        for (int i = 0; i < fanout && i < live.size(); i++) {
            Collections.swap(live, i, i + random.nextInt(live.size() - i));
            chosen.add(live.get(i));
        }
        if (!down.isEmpty() && random.nextDouble() < (double) down.size() / (live.size() + 1)) {
            chosen.add(down.get(random.nextInt(down.size())));
        }
        return chosen;
    }

    /** {@link #peersToGossipTo(RandomGenerator, int)} with the configured fanout. */
    public List<NodeInfo> peersToGossipTo(RandomGenerator random) {
        return peersToGossipTo(random, config.fanout());
    }

    /** This node's verdict on a member; empty for a member it does not know. Itself is UP. */
    public Optional<MemberStatus> status(String nodeId) {
        if (nodeId.equals(selfId)) {
            return Optional.of(MemberStatus.UP);
        }
        Tracked t = others.get(nodeId);
        return t == null ? Optional.empty() : Optional.of(t.state.status());
    }

    public Optional<MemberState> member(String nodeId) {
        if (nodeId.equals(selfId)) {
            return Optional.of(self);
        }
        Tracked t = others.get(nodeId);
        return t == null ? Optional.empty() : Optional.of(t.state);
    }

    /** Every member this node knows, itself included, sorted by id. */
    public List<MemberState> members() {
        List<MemberState> all = new ArrayList<>(others.size() + 1);
        for (Tracked t : others.values()) {
            all.add(t.state);
        }
        all.add(self);
        all.sort((a, b) -> a.id().compareTo(b.id()));
        return all;
    }

    /** The member's current phi (for INFO and CLUSTER NODES); empty for an unknown member, 0 for itself. */
    public OptionalDouble phi(String nodeId, long nowMillis) {
        if (nodeId.equals(selfId)) {
            return OptionalDouble.of(0.0);
        }
        Tracked t = others.get(nodeId);
        return t == null ? OptionalDouble.empty() : OptionalDouble.of(t.detector.phi(nowMillis));
    }
}
