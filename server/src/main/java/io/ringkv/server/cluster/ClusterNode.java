package io.ringkv.server.cluster;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.ringkv.cluster.coordinator.ContextCache;
import io.ringkv.cluster.coordinator.Coordinator;
import io.ringkv.cluster.gossip.GossipConfig;
import io.ringkv.cluster.gossip.GossipState;
import io.ringkv.cluster.membership.Membership;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.NodesFile;
import io.ringkv.cluster.membership.RingStatus;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.node.Messages;
import io.ringkv.cluster.node.ReplicaService;
import io.ringkv.cluster.node.TransportReplicaClient;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.transport.InternodeTransport;
import io.ringkv.cluster.transport.TransportConfig;
import io.ringkv.server.ServerLog;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.storage.Engine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * This server's part in a cluster: its identity, the members it knows, its replicas, the
 * coordinator and the internode transport, wired together. Built with the server (so the
 * keyspace exists before any client connects) and started with it (the transport shares the
 * server's event loops).
 *
 * <p>Members are met and followed by {@link MemberGossip} (seeds, gossip rounds, failure
 * verdicts); this node's own joins, leaves and re-replication are driven by {@link RingChanges}
 * (docs/elasticity.md). Until the topology is complete requests fail with UNAVAILABLE rather
 * than place keys on the wrong nodes.
 */
public final class ClusterNode implements ClusterView, AutoCloseable {

    /** Anti-entropy's rate bound: slots compared and keys transferred per pass (docs/cluster.md). */
    private static final int ANTI_ENTROPY_SLOTS_PER_PASS = 4096;
    private static final int ANTI_ENTROPY_KEYS_PER_PASS = 20_000;

    private final ServerConfig config;
    private final ServerLog log;
    private final NodesFile nodesFile;
    private final Membership membership;
    private final ReplicaStore replicas;
    private final Coordinator coordinator;
    private final ClusterKeyspace keyspace;
    private final Clock clock;
    private ScheduledFuture<?> gossipRounds;
    private final io.ringkv.cluster.handoff.HintStore hints;
    private final io.ringkv.cluster.handoff.HintReplayer replayer;
    private ScheduledFuture<?> hintRounds;
    private ScheduledFuture<?> progressRounds;
    private volatile ScheduledExecutorService scheduler;
    private volatile InternodeTransport transport;
    private ScheduledFuture<?> discovery;
    /** Anti-entropy (docs/antientropy.md): passes on their own thread, answers on another. */
    private final io.ringkv.cluster.node.AntiEntropyDriver antiEntropy;
    private java.util.concurrent.ScheduledExecutorService antiEntropyPasses;
    private java.util.concurrent.ExecutorService antiEntropyAnswers;
    /** Meeting the seeds, gossip rounds and failure verdicts (docs/gossip.md). */
    private final MemberGossip members;
    /** Joins, leaves and re-replication (docs/elasticity.md), on their own thread. */
    private final RingChanges ringChanges;
    private java.util.concurrent.ScheduledExecutorService ringChangeThread;
    private java.util.concurrent.ExecutorService streamAnswers;
    private static final int STREAM_PARALLELISM = 4;
    private static final long STREAM_TIMEOUT_MILLIS = 30_000;

    public ClusterNode(ServerConfig config, Engine engine, Clock clock, ServerLog log) {
        this.config = config;
        this.log = log;
        this.nodesFile = new NodesFile(Path.of(config.get("dir")).resolve(config.get("cluster-config-file")));
        NodesFile.State saved;
        try {
            saved = nodesFile.load();
        } catch (IOException e) {
            throw new IllegalStateException("Can't read the cluster state: " + e.getMessage(), e);
        }
        // A node that left the cluster handed all its data over: started again (a Kubernetes
        // pod scaled back up on the same volume, say), it comes back as a new, empty node that
        // joins, rather than as a member that is out of the ring for good.
        boolean leftBefore = saved != null && saved.selfRing() == RingStatus.LEFT;
        if (leftBefore) {
            log.notice("This node left the cluster (as " + saved.selfId() + "); it starts again as a new node and joins");
            saved = null;
        }
        String id = saved == null ? NodesFile.newId(new SecureRandom()) : saved.selfId();
        NodeInfo self = new NodeInfo(new Member(id, config.intValue("weight"), config.get("rack"), config.get("datacenter")),
            new NodeAddress(announceHost(config), config.port(), clusterPort(config)));
        List<NodeAddress> seeds = new ArrayList<>();
        for (String s : config.get("cluster-seeds").trim().split("[\\s,]+")) {
            if (!s.isEmpty()) {
                try {
                    seeds.add(NodeAddress.parse(s));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("Bad cluster-seeds entry: " + e.getMessage(), e);
                }
            }
        }
        ReplicationFactor factor = ReplicationFactor.parse(config.get("replication-factor"));
        // Every datacenter that has nodes must hold replicas: otherwise a cluster whose only
        // members are in unlisted datacenters would have no replica for any key, and nodes
        // configured with different lists would place keys differently anyway.
        if (factor.isPerDatacenter() && !factor.perDatacenter().containsKey(self.member().datacenter())) {
            throw new IllegalStateException("replication-factor " + factor + " lists no replicas for this node's"
                + " datacenter '" + self.member().datacenter() + "': every datacenter with nodes must be listed");
        }
        // Every new node starts waiting. One whose address is among its seeds is a founder
        // candidate (waiting at ring version 0): at its first seed's answer it founds the cluster
        // with the other seeds, unless the cluster already knows a member at its address, its
        // own former identity, whose data was lost: then it joins (RingChanges). A node that left
        // starts again as a joiner (version 1), never a founder (docs/elasticity.md).
        boolean alone = Membership.alone(self.address(), seeds);
        // With no other seed there is nothing to wait for: a cluster of one, founded at once.
        RingStatus selfRing = saved != null ? saved.selfRing() : alone && !leftBefore ? RingStatus.NORMAL : RingStatus.WAITING;
        long selfRingVersion = saved != null ? saved.selfRingVersion() : leftBefore ? 1 : 0;
        this.membership = new Membership(self, seeds, config.intValue("vnodes"), factor,
            selfRing, selfRingVersion, saved == null ? List.of() : saved.entries(),
            saved == null ? List.of() : saved.departed());
        if (saved == null) {
            // The id fixes this node's ring tokens: a node that lost it would come back as
            // another node, owning other slots than the data it holds. So a new id must be on
            // disk before the node serves anything.
            try {
                nodesFile.save(id, selfRing, selfRingVersion, List.of(), List.of());
            } catch (IOException e) {
                throw new IllegalStateException("Can't save the cluster state: " + e.getMessage(), e);
            }
        }
        this.replicas = new ReplicaStore(engine, id, clock, () -> config.intValue("vclock-max-entries"),
            () -> config.intValue("max-siblings"), log::warning,
            // A departed member never writes again under its id (it would come back as a new
            // node), so its clock entries are the only ones safe to prune.
            nodeId -> membership.isDeparted(nodeId));
        if (leftBefore) {
            replicas.clear();
        }
        replicas.rebuildIndexes();
        long interval = config.longValue("gossip-interval");
        GossipConfig defaults = GossipConfig.defaults();
        GossipState gossip = new GossipState(self, clock.millis(), selfRing, selfRingVersion, new GossipConfig(interval, defaults.fanout(),
            defaults.phiThreshold(), defaults.windowSize(), defaults.minStdDeviationMillis(),
            defaults.acceptablePauseMillis(), defaults.maxSampleMillis(), defaults.confirmingSources(),
            Math.max(defaults.reportTtlMillis(), 30 * interval)));
        this.clock = clock;
        for (String gone : membership.departed()) {
            gossip.depart(gone);
        }
        for (Membership.Entry peer : membership.peers()) {
            gossip.introduce(peer.node(), peer.ring(), peer.ringVersion(), clock.millis());
        }
        this.members = new MemberGossip(gossip, membership, clock, log, () -> config.longValue("gossip-interval"),
            this::linkedTransport, () -> scheduler, this::topologyChanged, this::deliverHints);
        // Hinted handoff (docs/cluster.md): writes a replica missed are kept here for it.
        try {
            this.hints = io.ringkv.cluster.handoff.HintStore.open(Path.of(config.get("dir")).resolve("ringkv-hints"),
                io.ringkv.cluster.handoff.HintStore.DEFAULT_SEGMENT_BYTES);
        } catch (IOException e) {
            throw new IllegalStateException("Can't open the hint store: " + e.getMessage(), e);
        }
        if (hints.pendingCount() > 0) {
            log.notice(hints.pendingCount() + " hint(s) pending for " + hints.targets().size() + " node(s)");
        }
        TransportReplicaClient client = new TransportReplicaClient(this::linkedTransport);
        this.replayer = new io.ringkv.cluster.handoff.HintReplayer(hints, client, nodeId -> membership.topology().node(nodeId),
            this::isDown, clock, () -> config.longValue("max-hint-window") * 1000, 10_000, log::warning);
        this.coordinator = new Coordinator(membership::topology, replicas, client,
            clock, new ContextCache(1 << 16), this::isDown, this::hint,
            () -> config.get("sloppy-quorum").equals("yes"), this::speculate);
        TransportReplicaClient aeClient = new TransportReplicaClient(this::linkedTransport);
        this.antiEntropy = new io.ringkv.cluster.node.AntiEntropyDriver(membership::topology, this::isDown, replicas,
            (node, type, payload, timeout) -> aeClient.request(node, type, payload, 0, timeout),
            ANTI_ENTROPY_SLOTS_PER_PASS, ANTI_ENTROPY_KEYS_PER_PASS);
        this.keyspace = new ClusterKeyspace(coordinator, replicas, config, clock, new SplittableRandom());
        TransportReplicaClient streamClient = new TransportReplicaClient(this::linkedTransport);
        this.ringChanges = new RingChanges(new RingNode(), new io.ringkv.cluster.stream.StreamCopier(replicas,
            (node, type, payload, timeout) -> streamClient.request(node, type, payload, 0, timeout), STREAM_PARALLELISM,
            STREAM_TIMEOUT_MILLIS), log::notice, log::warning);
        log.notice("Cluster node " + id + " at " + self.address() + ", " + seeds.size() + " seed(s), N="
            + factor);
    }

    /** The coordinator's {@link io.ringkv.cluster.coordinator.HintSink}: keeps a missed write for its replica. */
    private void hint(NodeInfo target, int slot, byte[] key, byte[] versions) {
        if (config.longValue("max-hint-window") > 0) {
            hints.add(new io.ringkv.cluster.handoff.Hint(target.id(), slot, key, versions, clock.millis()));
        }
    }

    /*
     * The coordinator's timer for targeted reads: on the event loop the read runs on when it
     * runs on one (GET does; a loop's timers cost no lock), else on the server's scheduler.
     * Before the node has started, at once (the read then asks every replica straight away).
     */
    private void speculate(long delayMillis, Runnable task) {
        io.netty.util.concurrent.EventExecutor loop = io.netty.util.internal.ThreadExecutorMap.currentExecutor();
        if (loop != null) {
            loop.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            return;
        }
        ScheduledExecutorService s = scheduler;
        if (s == null) {
            task.run();
            return;
        }
        try {
            s.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run();
        }
    }

    /** A member is alive again: its hints go now. */
    private void deliverHints(String nodeId) {
        replayer.nodeUp(nodeId);
    }

    /** Another node handed this one a write for a down replica (sloppy quorum): keep it. */
    private void hintReceived(Messages.HintRequest h) {
        hints.add(new io.ringkv.cluster.handoff.Hint(h.target(), h.request().slot(), h.request().key(),
            remaining(h.request().rest()), clock.millis()));
    }

    private static byte[] remaining(java.nio.ByteBuffer in) {
        byte[] out = new byte[in.remaining()];
        in.get(out);
        return out;
    }

    /*
     * Every second: expired hints are dropped, the hints of every node not marked down are
     * offered to it (a node that is back but not yet seen by gossip gets them as soon as it
     * answers), and the hints written since the last round are fsynced.
     */
    private void hintRound() {
        try {
            replayer.tick();
            hints.sync();
        } catch (IOException | RuntimeException e) {
            log.warning("hint delivery round failed: " + e);
        }
    }

    public long hintsPending() {
        return hints.pendingCount();
    }

    public long hintsReplayed() {
        return replayer.replayed();
    }

    public long hintsDropped() {
        return replayer.dropped();
    }

    private static String announceHost(ServerConfig config) {
        String announce = config.get("cluster-announce-ip").trim();
        if (!announce.isEmpty()) {
            return announce;
        }
        String first = bindHost(config);
        return first.equals("0.0.0.0") || first.equals("::") ? "127.0.0.1" : first;
    }

    private static String bindHost(ServerConfig config) {
        String first = config.get("bind").trim().split("\\s+")[0];
        first = first.startsWith("-") ? first.substring(1) : first;
        return first.equals("*") ? "0.0.0.0" : first.equals("::*") ? "::" : first;
    }

    private static int clusterPort(ServerConfig config) {
        int cport = config.intValue("cluster-port");
        if (cport != 0) {
            return cport;
        }
        int port = config.port();
        if (port == 0 || port + NodeAddress.CLUSTER_PORT_OFFSET > 65535) {
            throw new IllegalStateException("cluster-port must be set when port + 10000 is not a valid port (port "
                + port + ")");
        }
        return port + NodeAddress.CLUSTER_PORT_OFFSET;
    }

    public ClusterKeyspace keyspace() {
        return keyspace;
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    /** The internode transport's counters, or null before the node has started. */
    public io.ringkv.cluster.transport.TransportStats transportStats() {
        InternodeTransport t = transport;
        return t == null ? null : t.stats();
    }

    public ReplicaStore replicas() {
        return replicas;
    }

    /** Binds the cluster port on the server's event loops and starts meeting the seeds. */
    public void start(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
                      Class<? extends Channel> channel, ScheduledExecutorService scheduler) throws InterruptedException {
        streamAnswers = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("stream-answers").factory());
        InternodeTransport t = new InternodeTransport(TransportConfig.defaults(config.get("cluster-secret")), group,
            serverChannel, channel, isolating(new io.ringkv.cluster.stream.StreamService(replicas,
                antiEntropyService(new ReplicaService(replicas, members::received, this::hintReceived)),
                streamAnswers)));
        NodeAddress self = membership.self().address();
        try {
            t.bind(new InetSocketAddress(bindHost(config), self.clusterPort()));
        } catch (RuntimeException e) {
            t.close();
            throw new IllegalStateException("Could not bind the cluster port " + self.clusterPort() + ": " + e.getMessage(), e);
        }
        transport = t;
        log.notice("Cluster bus listening on port " + self.clusterPort());
        discovery = scheduler.scheduleWithFixedDelay(members::discover, 0, MemberGossip.DISCOVERY_MILLIS,
            TimeUnit.MILLISECONDS);
        long interval = config.longValue("gossip-interval");
        gossipRounds = scheduler.scheduleWithFixedDelay(members::round, interval, interval, TimeUnit.MILLISECONDS);
        this.scheduler = scheduler;
        hintRounds = scheduler.scheduleWithFixedDelay(this::hintRound, 1000, 1000, TimeUnit.MILLISECONDS);
        progressRounds = scheduler.scheduleWithFixedDelay(this::logStreamProgress, 1000, 1000, TimeUnit.MILLISECONDS);
        ringChangeThread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("ring-changes").factory());
        ringChangeThread.scheduleWithFixedDelay(this::ringChangeStep, RING_STEP_MILLIS, RING_STEP_MILLIS,
            TimeUnit.MILLISECONDS);
        long aeSeconds = config.longValue("anti-entropy-interval");
        if (aeSeconds > 0) {
            antiEntropyPasses = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("anti-entropy").factory());
            antiEntropyPasses.scheduleWithFixedDelay(this::antiEntropyPass, aeSeconds, aeSeconds, TimeUnit.SECONDS);
        }
    }

    // ---- anti-entropy ------------------------------------------------------------------------

    /** The driver: its counters are INFO's cluster_antientropy_*. */
    public io.ringkv.cluster.node.AntiEntropyDriver antiEntropy() {
        return antiEntropy;
    }

    /*
     * Peers' anti-entropy requests build trees by scanning slots: one worker thread answers them
     * off the event loops, whether or not this node runs passes of its own.
     */
    private io.ringkv.cluster.transport.RequestHandler antiEntropyService(ReplicaService replicaService) {
        antiEntropyAnswers = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("anti-entropy-answers").factory());
        return new io.ringkv.cluster.node.AntiEntropyService(replicas, replicaService, antiEntropyAnswers, clock);
    }

    private void antiEntropyPass() {
        try {
            antiEntropy.pass().ifPresent(p -> {
                String line = "Anti-entropy pass with " + p.peer() + ": " + p.slots() + " slots, "
                    + p.outcome().name().toLowerCase(java.util.Locale.ROOT) + ", " + p.divergentLeaves()
                    + " divergent leaves, " + p.keysRepaired() + " keys repaired, " + p.bytes() + " bytes, "
                    + p.millis() + " ms";
                if (p.keysRepaired() > 0 || p.outcome() == io.ringkv.cluster.antientropy.Exchange.Outcome.SHAPE_MISMATCH) {
                    log.notice(line);
                } else {
                    log.verbose(line);
                }
            });
        } catch (Exception e) {
            log.verbose("Anti-entropy pass abandoned: " + e);
        }
    }

    /** True when failure detection has marked {@code nodeId} down. */
    public boolean isDown(String nodeId) {
        return members.isDown(nodeId);
    }

    @Override
    public String failFlag(String nodeId) {
        return members.failFlag(nodeId);
    }

    /** Members as failure detection sees them: UP, SUSPECT or DOWN counts (INFO). */
    public java.util.Map<io.ringkv.cluster.gossip.MemberStatus, Integer> memberStatusCounts() {
        return members.statusCounts();
    }

    /** Logs what changed in the ring, saves the nodes file, and re-replicates forgotten members' slots. */
    private void topologyChanged(Topology before, Topology after) {
        for (NodeInfo n : after.nodes()) {
            RingStatus was = before.status(n.id());
            RingStatus now = after.status(n.id());
            if (was != now && !n.id().equals(after.selfId())) {
                log.notice("Node " + n.id() + " at " + n.address() + " is " + (was == null ? "" : "now ") + now.label()
                    + " in the ring");
            }
        }
        List<NodeInfo> forgotten = new ArrayList<>();
        for (NodeInfo n : before.nodes()) {
            if (after.node(n.id()) == null && membership.isDeparted(n.id())) {
                log.notice("Node " + n.id() + " at " + n.address() + " has departed from the cluster");
                if (before.status(n.id()).inReadRing()) {
                    forgotten.add(n);
                }
            }
        }
        if (!forgotten.isEmpty() && after.complete()) {
            // Its copies are gone: the nodes that now hold its slots read every survivor.
            String self = after.selfId();
            List<io.ringkv.cluster.stream.StreamPlan.Transfer> mine = io.ringkv.cluster.stream.StreamPlan.forgotten(
                before::replicas, after::replicas, this::live, self).stream()
                .filter(tr -> tr.target().id().equals(self)).toList();
            ringChanges.reReplicate(mine);
        }
        saveMembers();
    }

    private synchronized void saveMembers() {
        try {
            nodesFile.save(membership.self().id(), membership.selfRing(), membership.selfRingVersion(),
                membership.peers(), membership.departed());
        } catch (IOException e) {
            log.warning("Could not save the cluster state: " + e.getMessage());
        }
    }

    // ---- ring changes (docs/elasticity.md) -----------------------------------------------------

    private static final long RING_STEP_MILLIS = 250;
    private static final long PROGRESS_LOG_MILLIS = 5000;
    private long lastProgressLog;

    private void ringChangeStep() {
        try {
            ringChanges.step();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warning("ring change step failed: " + e);
        }
    }

    /** Logs streaming progress every few seconds while it runs (from the scheduler). */
    private void logStreamProgress() {
        if (!ringChanges.streaming()) {
            return;
        }
        long now = System.nanoTime() / 1_000_000;
        if (now - lastProgressLog < PROGRESS_LOG_MILLIS) {
            return;
        }
        lastProgressLog = now;
        io.ringkv.cluster.stream.StreamCopier c = ringChanges.copier();
        log.notice("Streaming (" + ringChanges.phase() + "): " + c.slotsDone() + " of " + c.slotsTotal()
            + " transfers done, " + c.bytesDone() + " bytes done, about " + c.bytesLeft() + " left");
    }

    public RingChanges ringChanges() {
        return ringChanges;
    }

    /** True unless failure detection holds the member down; this node is always live. */
    private boolean live(String nodeId) {
        return nodeId.equals(membership.self().id()) || !isDown(nodeId);
    }

    @Override
    public RingStatus ringStatus() {
        return membership.selfRing();
    }

    @Override
    public String leave() {
        return ringChanges.requestLeave();
    }

    @Override
    public String forget(String nodeId) {
        if (nodeId.equals(membership.self().id())) {
            return "I tried hard but I can't forget myself...";
        }
        String error = members.forget(nodeId);
        if (error != null) {
            return error;
        }
        log.warning("Forgetting node " + nodeId + " (CLUSTER FORGET): its slots are re-replicated from the survivors");
        return null;
    }

    /**
     * In the ring for reads (the readiness probe's ring condition; the topology's completeness
     * is a check of its own).
     */
    @Override
    public boolean ready() {
        RingStatus s = membership.selfRing();
        return s == RingStatus.NORMAL || s == RingStatus.JOINED;
    }

    /** The driver's view of this node. */
    private final class RingNode implements RingChanges.Node {
        @Override
        public Topology topology() {
            return membership.topology();
        }

        @Override
        public RingStatus selfRing() {
            return membership.selfRing();
        }

        @Override
        public void announce(RingStatus status) {
            members.change(g -> g.setRing(status, clock.millis()));
        }

        @Override
        public boolean echoedByAll() {
            return members.locked(GossipState::ringVersionEchoedByAllLive);
        }

        @Override
        public java.util.Optional<String> earlierChange() {
            return members.locked(g -> g.earlierRingChange().map(m -> "node " + m.id() + " at " + m.node().address()
                + " is " + m.ring().label()));
        }

        @Override
        public boolean otherChangeInProgress() {
            return members.locked(GossipState::otherRingChange);
        }

        @Override
        public boolean live(String nodeId) {
            return ClusterNode.this.live(nodeId);
        }

        @Override
        public boolean founding() {
            return membership.founderCandidate();
        }

        @Override
        public boolean metASeed() {
            return membership.seeds().isEmpty() || membership.seeds().stream().anyMatch(membership::knows);
        }

        @Override
        public List<String> formerIdentities() {
            NodeAddress mine = membership.self().address();
            return members.locked(g -> g.membersAt(mine));
        }

        @Override
        public void forgetFormer(String nodeId) {
            members.change(g -> g.depart(nodeId));
        }

        @Override
        public void departSelf() {
            members.locked(g -> g.depart(g.selfId()));
        }
    }

    @Override
    public Topology topology() {
        return membership.topology();
    }

    // ---- fault injection (KV.DEBUG ISOLATE) ---------------------------------------------------

    /*
     * A node cut off from the others, for fault tests on real processes (issue 5: partitions):
     * while isolated it sends nothing to other nodes (its requests fail at once, as to an
     * unreachable node) and leaves their requests unanswered (they time out, as across a
     * partition). Its clients are still served, so it coordinates with itself alone: the
     * minority side of a partition.
     */
    private volatile boolean isolated;

    public void isolate(boolean cutOff) {
        if (isolated != cutOff) {
            isolated = cutOff;
            log.warning(cutOff ? "Isolated from the other nodes (KV.DEBUG ISOLATE)" : "Rejoined the other nodes (KV.DEBUG REJOIN)");
        }
    }

    public boolean isolated() {
        return isolated;
    }

    /** The transport, or null while it is not running or this node is isolated. */
    private InternodeTransport linkedTransport() {
        return isolated ? null : transport;
    }

    private io.ringkv.cluster.transport.RequestHandler isolating(io.ringkv.cluster.transport.RequestHandler inner) {
        return new io.ringkv.cluster.transport.RequestHandler() {
            @Override
            public void handle(int type, byte[] payload, io.ringkv.cluster.transport.Responder responder) {
                if (!isolated) {
                    inner.handle(type, payload, responder);
                }
            }

            @Override
            public void endOfBatch() {
                inner.endOfBatch();
            }
        };
    }

    @Override
    public boolean connected(String nodeId) {
        if (nodeId.equals(membership.self().id())) {
            return true;
        }
        InternodeTransport t = transport;
        NodeInfo node = membership.topology().node(nodeId);
        return t != null && node != null
            && t.connected(InetSocketAddress.createUnresolved(node.address().host(), node.address().clusterPort()));
    }

    @Override
    public void close() {
        if (discovery != null) {
            discovery.cancel(false);
        }
        if (gossipRounds != null) {
            gossipRounds.cancel(false);
        }
        if (antiEntropyPasses != null) {
            antiEntropyPasses.shutdownNow();
        }
        if (antiEntropyAnswers != null) {
            antiEntropyAnswers.shutdownNow();
        }
        if (hintRounds != null) {
            hintRounds.cancel(false);
        }
        if (ringChangeThread != null) {
            ringChangeThread.shutdownNow();
        }
        if (streamAnswers != null) {
            streamAnswers.shutdownNow();
        }
        InternodeTransport t = transport;
        if (t != null) {
            t.close();
        }
        try {
            hints.close();
        } catch (IOException e) {
            log.warning("Could not close the hint store: " + e.getMessage());
        }
    }
}
