package io.ringkv.server.cluster;

import io.ringkv.cluster.gossip.Digest;
import io.ringkv.cluster.gossip.DigestCodec;
import io.ringkv.cluster.gossip.GossipState;
import io.ringkv.cluster.gossip.MemberState;
import io.ringkv.cluster.gossip.MemberStatus;
import io.ringkv.cluster.gossip.StatusChange;
import io.ringkv.cluster.membership.Membership;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.node.Messages;
import io.ringkv.cluster.transport.InternodeTransport;
import io.ringkv.server.ServerLog;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node's view of the members, kept current: meeting the seeds, gossip rounds, merging the
 * digests it receives into the gossip state (docs/gossip.md) and the membership, and failure
 * detection's verdicts for the request path. The I/O edge around the pure {@link GossipState}.
 *
 * <p>The gossip state is guarded by itself. Whatever changes it hands the new view to the
 * membership under the same lock ({@link #syncMembership}), so a digest this node sends shows a
 * member's ring status only once this node's own topology applies it: the barrier of a ring
 * change relies on that (RingChanges). Work that a change of topology calls for (logging, the
 * nodes file, re-replication) runs off the lock, on the scheduler.
 */
final class MemberGossip {

    /** Unknown seeds are gossiped with this often; known ones every {@link #REFRESH_MILLIS}. */
    static final long DISCOVERY_MILLIS = 200;
    private static final long REFRESH_MILLIS = 5000;

    private final GossipState gossip;
    private final Membership membership;
    private final Clock clock;
    private final ServerLog log;
    private final LongSupplier intervalMillis;
    private final Supplier<InternodeTransport> transport;
    private final Supplier<ScheduledExecutorService> scheduler;
    private final BiConsumer<Topology, Topology> topologyChanged;
    private final Consumer<String> nodeUp;
    private final SplittableRandom random = new SplittableRandom();
    private long lastRefresh;

    /**
     * @param transport the transport, or null while the node is stopped or isolated
     * @param topologyChanged told (before, after) when the membership's topology changed
     * @param nodeUp told when a member is seen alive again (its hints can go)
     */
    MemberGossip(GossipState gossip, Membership membership, Clock clock, ServerLog log, LongSupplier intervalMillis,
                 Supplier<InternodeTransport> transport, Supplier<ScheduledExecutorService> scheduler,
                 BiConsumer<Topology, Topology> topologyChanged, Consumer<String> nodeUp) {
        this.gossip = gossip;
        this.membership = membership;
        this.clock = clock;
        this.log = log;
        this.intervalMillis = intervalMillis;
        this.transport = transport;
        this.scheduler = scheduler;
        this.topologyChanged = topologyChanged;
        this.nodeUp = nodeUp;
    }

    /** Runs {@code query} on the gossip state under its lock. */
    <T> T locked(Function<GossipState, T> query) {
        synchronized (gossip) {
            return query.apply(gossip);
        }
    }

    /** Changes the gossip state under its lock, then hands the new view to the membership. */
    void change(Consumer<GossipState> change) {
        synchronized (gossip) {
            change.accept(gossip);
            syncMembership();
        }
    }

    /**
     * CLUSTER FORGET: departs a member that failure detection holds down, checked and done
     * under one lock. Returns an error text, or null when it is departed.
     */
    String forget(String nodeId) {
        synchronized (gossip) {
            if (gossip.member(nodeId).isEmpty()) {
                return "Unknown node " + nodeId;
            }
            if (gossip.status(nodeId).orElse(MemberStatus.UP) != MemberStatus.DOWN) {
                return "Node " + nodeId + " is not marked as failing: a live node leaves with CLUSTER LEAVE";
            }
            gossip.depart(nodeId);
            syncMembership();
            return null;
        }
    }

    /** A seed is met by gossiping with it: its answer is its whole view of the cluster. */
    void discover() {
        InternodeTransport t = transport.get();
        if (t == null) {
            return;
        }
        long now = System.nanoTime() / 1_000_000;
        boolean refresh = now - lastRefresh >= REFRESH_MILLIS;
        if (refresh) {
            lastRefresh = now;
        }
        byte[] hello = locked(g -> DigestCodec.encode(g.digest()));
        for (NodeAddress seed : membership.seeds()) {
            if (membership.knows(seed) && !refresh) {
                continue;
            }
            t.request(InetSocketAddress.createUnresolved(seed.host(), seed.clusterPort()), Messages.GOSSIP, hello, 1000, 0)
                .whenComplete((reply, error) -> {
                    if (error != null) {
                        return;
                    }
                    Digest digest = apply(reply);
                    if (digest != null && membership.seedAnswered(seed, digest.senderId())) {
                        Topology topo = membership.topology();
                        NodeInfo node = topo.node(digest.senderId());
                        log.notice("Met seed " + seed + " (node " + digest.senderId() + "); " + topo.nodes().size()
                            + " node(s) in the ring" + (topo.complete() ? ", the cluster is complete" : ""));
                        if (node != null && !node.address().sameClientAddress(seed)) {
                            log.notice("Seed " + seed + " announces itself as " + node.address());
                        }
                    }
                });
        }
    }

    /**
     * One round: this node's heartbeat advances and its view goes to a few random members
     * (push); each answers with its own view (pull). Verdicts (UP, SUSPECT, DOWN) are each node's
     * own; a node is marked down only when another node suspects it too (docs/gossip.md).
     * Members and their ring statuses travel the same way (docs/elasticity.md).
     */
    void round() {
        InternodeTransport t = transport.get();
        if (t == null) {
            return;
        }
        try {
            byte[] digest;
            List<NodeInfo> peers;
            synchronized (gossip) {
                logChanges(gossip.tick(clock.millis()));
                syncMembership();
                digest = DigestCodec.encode(gossip.digest());
                peers = gossip.peersToGossipTo(random);
            }
            long timeout = Math.max(100, intervalMillis.getAsLong());
            for (NodeInfo peer : peers) {
                t.request(InetSocketAddress.createUnresolved(peer.address().host(), peer.address().clusterPort()),
                    Messages.GOSSIP, digest, timeout, 0).whenComplete((reply, error) -> {
                        if (error == null) {
                            apply(reply);
                        }
                    });
            }
        } catch (RuntimeException e) {
            log.warning("gossip round failed: " + e);
        }
    }

    /** A peer's digest arrived: merge it and answer with this node's view. */
    byte[] received(byte[] digest) {
        apply(digest);
        return locked(g -> DigestCodec.encode(g.digest()));
    }

    /** Merges a digest into the gossip state and the membership; returns it, or null if malformed. */
    private Digest apply(byte[] bytes) {
        Digest digest;
        try {
            digest = DigestCodec.decode(bytes);
        } catch (IllegalArgumentException e) {
            log.warning("Ignoring a malformed gossip digest: " + e.getMessage());
            return null;
        }
        synchronized (gossip) {
            logChanges(gossip.apply(digest, clock.millis()));
            syncMembership();
        }
        return digest;
    }

    /** Hands gossip's view to the membership; called with the gossip lock held. */
    private void syncMembership() {
        List<Membership.Entry> entries = new ArrayList<>();
        for (MemberState m : gossip.members()) {
            entries.add(new Membership.Entry(m.node(), m.ring(), m.ringVersion()));
        }
        Topology before = membership.topology();
        if (membership.update(entries, gossip.departed())) {
            Topology after = membership.topology();
            // Off the gossip lock: the request path takes it.
            ScheduledExecutorService s = scheduler.get();
            if (s != null) {
                s.execute(() -> topologyChanged.accept(before, after));
            } else {
                topologyChanged.accept(before, after);
            }
        }
    }

    private void logChanges(List<StatusChange> changes) {
        for (StatusChange c : changes) {
            if (c.previous() == null) {
                continue;
            }
            NodeInfo node = membership.topology().node(c.nodeId());
            String who = c.nodeId() + (node == null ? "" : " at " + node.address());
            switch (c.current()) {
                case DOWN -> log.warning("Marking node " + who + " as failing (confirmed by another node)");
                case SUSPECT -> log.notice("Node " + who + " is suspected of failing");
                case UP -> {
                    log.notice("Node " + who + " is " + (c.previous() == MemberStatus.DOWN
                        ? "reachable again: clearing its fail state" : "no longer suspected"));
                    // Its hints go now, off the gossip lock held here.
                    ScheduledExecutorService s = scheduler.get();
                    if (s != null) {
                        String id = c.nodeId();
                        s.execute(() -> nodeUp.accept(id));
                    }
                }
                default -> log.notice("Node " + who + " is " + c.current());
            }
        }
    }

    /** True when failure detection has marked {@code nodeId} down. */
    boolean isDown(String nodeId) {
        return locked(g -> g.status(nodeId).map(s -> s == MemberStatus.DOWN).orElse(false));
    }

    /** "" when up, "fail?" while suspected, "fail" once marked down (Redis Cluster's flags). */
    String failFlag(String nodeId) {
        return locked(g -> switch (g.status(nodeId).orElse(MemberStatus.UP)) {
            case SUSPECT -> "fail?";
            case DOWN -> "fail";
            default -> "";
        });
    }

    /** Members as failure detection sees them: UP, SUSPECT or DOWN counts (INFO). */
    Map<MemberStatus, Integer> statusCounts() {
        Map<MemberStatus, Integer> counts = new EnumMap<>(MemberStatus.class);
        synchronized (gossip) {
            for (MemberState m : gossip.members()) {
                if (!m.id().equals(gossip.selfId())) {
                    counts.merge(gossip.status(m.id()).orElse(m.status()), 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
