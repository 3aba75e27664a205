package io.ringkv.cluster.coordinator;

import io.ringkv.cluster.coordinator.QuorumTracker.Requirement;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.replica.TooManySiblingsException;
import io.ringkv.cluster.replica.VersionCodec;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Runs one key's reads and writes against its replicas: every node is a coordinator for every
 * key (DESIGN.md "Requests"). Nothing here blocks; each call returns a future that completes
 * when the quorum is reached, or fails with {@link UnavailableException} once it cannot be
 * (replicas failed, or the deadline passed: every remote call carries the time that is left, so
 * the last one fails by the deadline at the latest).
 *
 * <h2>Writes</h2>
 * Dynamo and Riak have a replica coordinate each write: it issues the new version's dot under
 * its key lock (no other node may issue dots in its name), stores it, and sends the resulting
 * siblings to the other replicas, which merge them. The write replica is this node when it holds
 * the key (no hop), else the first replica in preference-list order that answers. The write is
 * acknowledged once W replicas have stored it, the write replica included. If the write replica
 * fails, the next one is tried until the deadline; a write that timed out may have been applied,
 * so the retry can leave two siblings of one client write, never a lost write.
 *
 * <h2>Reads</h2>
 * The read goes to all N replicas at once and answers with the merge of the first R replies;
 * reading from all (not only R) costs little on small values and lets read repair see every
 * replica. Replicas found stale are sent the merge (read repair): those that answered before the
 * reply, before it is sent (so a later request of the same client, on the same connection to
 * that replica, sees the repaired value), and late ones when they answer. This node's own replica
 * is repaired in place.
 *
 * <h2>Counting</h2>
 * What a request waits for is a list of requirements over named replicas
 * ({@link Consistency#requirements}: all replicas for QUORUM, the local datacenter's for
 * LOCAL_QUORUM, one per datacenter for EACH_QUORUM), judged by a {@link QuorumTracker}. Every
 * success and failure is counted under the replica it is for: a sloppy-quorum fallback's
 * acknowledgement (or answer) under the replica it stands in for.
 */
public final class Coordinator {

    /** One replica's answer to a read: its versions, or why it failed. */
    public record ReplicaReply(NodeInfo node, Siblings<StoredValue> versions, String failure) {
        public boolean ok() {
            return versions != null;
        }
    }

    /** A read's outcome: the merge of the replies that made the quorum, and every reply so far. */
    public record ReadResult(Siblings<StoredValue> merged, List<ReplicaReply> replies) {
    }

    private final Supplier<Topology> topology;
    private final ReplicaStore local;
    private final ReplicaClient remote;
    private final Clock clock;
    private final ContextCache contexts;
    private final java.util.function.Predicate<String> down;
    private final HintSink hints;
    private final java.util.function.BooleanSupplier sloppy;
    private final LongAdder handedOff = new LongAdder();
    private final LongAdder readRepairs = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder hinted = new LongAdder();
    private final ReadTimer speculation;
    private final LongAdder speculativeReads = new LongAdder();

    /**
     * How long a targeted read waits for the replicas it asked before it asks the others too.
     * Well above a loaded replica's usual answer time here (a few ms at p99), so that it rarely
     * doubles the work, and short enough that a replica that stopped answering, not yet marked
     * down, costs a read this much rather than the request timeout.
     */
    public static final long SPECULATE_MILLIS = 50;

    public Coordinator(Supplier<Topology> topology, ReplicaStore local, ReplicaClient remote, Clock clock,
                       ContextCache contexts) {
        this(topology, local, remote, clock, contexts, node -> false);
    }

    /**
     * @param down the nodes failure detection has marked down: they are not asked at all and
     *             count as failed replicas at once, so a request does not wait out its timeout on
     *             a node known to be gone (strict quorums: they still count towards N)
     */
    public Coordinator(Supplier<Topology> topology, ReplicaStore local, ReplicaClient remote, Clock clock,
                       ContextCache contexts, java.util.function.Predicate<String> down) {
        this(topology, local, remote, clock, contexts, down, HintSink.NONE);
    }

    /**
     * @param hints where a write a replica missed is left for it (hinted handoff): a replica
     *              marked down, a write replica candidate that failed, or a MERGE that failed or
     *              timed out. The write's quorum is unchanged: a hint is not an acknowledgement.
     */
    public Coordinator(Supplier<Topology> topology, ReplicaStore local, ReplicaClient remote, Clock clock,
                       ContextCache contexts, java.util.function.Predicate<String> down, HintSink hints) {
        this(topology, local, remote, clock, contexts, down, hints, () -> false);
    }

    /**
     * @param sloppy sloppy-quorum: when true, a preferred replica that is down or fails gets its
     *               copy through the next healthy node past the preference list, as a hint naming
     *               it (HINT), and that node's acknowledgement counts towards W; reads ask the
     *               first N healthy nodes (docs/cluster.md "Hinted handoff")
     */
    public Coordinator(Supplier<Topology> topology, ReplicaStore local, ReplicaClient remote, Clock clock,
                       ContextCache contexts, java.util.function.Predicate<String> down, HintSink hints,
                       java.util.function.BooleanSupplier sloppy) {
        this(topology, local, remote, clock, contexts, down, hints, sloppy, ReadTimer.NONE);
    }

    /**
     * @param speculation targeted reads: a read first asks only the replicas its quorum needs
     *                    (this node first), and the others only if one of those fails or the
     *                    quorum is not in after {@link #SPECULATE_MILLIS}; {@link ReadTimer#NONE}
     *                    asks every replica at once
     */
    public Coordinator(Supplier<Topology> topology, ReplicaStore local, ReplicaClient remote, Clock clock,
                       ContextCache contexts, java.util.function.Predicate<String> down, HintSink hints,
                       java.util.function.BooleanSupplier sloppy, ReadTimer speculation) {
        this.speculation = speculation;
        this.sloppy = sloppy;
        this.hints = hints;
        this.down = down;
        this.topology = topology;
        this.local = local;
        this.remote = remote;
        this.clock = clock;
        this.contexts = contexts;
    }

    public long readRepairs() {
        return readRepairs.sum();
    }

    /** Targeted reads that had to ask their spare replicas (a failure or a slow answer). */
    public long speculativeReads() {
        return speculativeReads.sum();
    }

    /** Hints handed to the {@link HintSink} so far. */
    public long hintsWritten() {
        return hinted.sum();
    }

    /** Copies of writes a fallback node acknowledged for a preferred replica (sloppy quorum). */
    public long handedOff() {
        return handedOff.sum();
    }

    public long unavailableErrors() {
        return unavailable.sum();
    }

    /**
     * The topology requests run against, or null while it is incomplete (not every seed has been
     * reached yet): the ring would lack members and place keys wrongly.
     */
    private Topology readyTopology() {
        Topology t = topology.get();
        return t.complete() ? t : null;
    }

    private <T> CompletableFuture<T> forming() {
        unavailable.increment();
        Topology t = topology.get();
        if (t.status(t.selfId()) == io.ringkv.cluster.membership.RingStatus.LEFT) {
            return CompletableFuture.failedFuture(new UnavailableException(
                "this node has left the cluster (CLUSTER LEAVE): connect to a member of the ring"));
        }
        return CompletableFuture.failedFuture(
            new UnavailableException("the cluster is still forming: not every seed node has been reached yet"));
    }

    // ---- reads -------------------------------------------------------------------------------

    public CompletableFuture<ReadResult> read(byte[] key, Consistency consistency, long timeoutMillis) {
        return read(key, consistency, timeoutMillis, false);
    }

    /**
     * Asks every replica and completes once each has answered or failed (by the deadline at
     * the latest), with every reply: what KV.INFO shows. Never fails for lack of a quorum.
     */
    public CompletableFuture<ReadResult> inspect(byte[] key, long timeoutMillis) {
        return read(key, Consistency.ONE, timeoutMillis, true);
    }

    private CompletableFuture<ReadResult> read(byte[] key, Consistency consistency, long timeoutMillis,
                                               boolean waitForAll) {
        Topology t = readyTopology();
        if (t == null) {
            return forming();
        }
        int slot = Slots.slot(key);
        List<NodeInfo> owners = t.replicas(slot);
        // Sloppy reads ask a healthy fallback in place of each owner marked down; its answer
        // counts as that owner's.
        List<NodeInfo> replicas = !waitForAll && sloppy.getAsBoolean() ? standIns(t, slot, owners) : owners;
        String localDc = t.self().member().datacenter();
        List<Requirement> requirements = consistency.requirements(owners, localDc);
        Read read = new Read(key, slot, replicas, owners, requirements, waitForAll);
        read.deadline = clock.millis() + timeoutMillis;
        read.timeoutMillis = timeoutMillis;
        boolean[] first = waitForAll || speculation == null ? null : firstRound(replicas, owners, requirements, localDc);
        boolean spares = false;
        for (int i = 0; first != null && i < first.length; i++) {
            spares |= !first[i];
        }
        if (spares) {
            // Set before any replica is asked: a failure answered at once must find the spares.
            read.spares = first;
        }
        // This node's own replica first: it answers at once, and a remote failure that is also
        // immediate (a refused connection) must not decide the quorum before it is counted.
        for (int i = 0; i < replicas.size(); i++) {
            if (replicas.get(i).id().equals(local.nodeId()) && (first == null || first[i])) {
                ask(read, i);
            }
        }
        for (int i = 0; i < replicas.size(); i++) {
            if (!replicas.get(i).id().equals(local.nodeId()) && (first == null || first[i])) {
                ask(read, i);
            }
        }
        if (spares && !read.future.isDone()) {
            speculation.after(SPECULATE_MILLIS, () -> askSpares(read, true));
        }
        return read.future;
    }

    /**
     * The replicas a targeted read asks first: enough to meet every requirement if they all
     * answer, this node first, then the replicas not marked down (its own datacenter's first),
     * then the others. {@code true} marks one to ask.
     */
    private boolean[] firstRound(List<NodeInfo> replicas, List<NodeInfo> owners, List<Requirement> requirements,
                                 String dc) {
        int n = replicas.size();
        boolean[] chosen = new boolean[n];
        int[] counted = new int[requirements.size()];
        // Each replica's rank once (the down check takes the gossip lock): 0 this node, 1 its
        // datacenter, 2 another, 3 marked down. Then one pass per rank, best first.
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) {
            NodeInfo node = replicas.get(i);
            boolean self = node.id().equals(local.nodeId());
            rank[i] = self ? 0 : down.test(node.id()) ? 3 : node.member().datacenter().equals(dc) ? 1 : 2;
        }
        for (int pass = 0; pass < 4; pass++) {
            for (int i = 0; i < n; i++) {
                if (rank[i] != pass) {
                    continue;
                }
                String owner = owners.get(i).id();
                boolean useful = false;
                for (int r = 0; r < requirements.size(); r++) {
                    Requirement req = requirements.get(r);
                    if (counted[r] < req.needed() && req.nodeIds().contains(owner)) {
                        useful = true;
                    }
                }
                if (useful) {
                    chosen[i] = true;
                    for (int r = 0; r < requirements.size(); r++) {
                        if (requirements.get(r).nodeIds().contains(owner)) {
                            counted[r]++;
                        }
                    }
                }
            }
        }
        return chosen;
    }

    /** Asks replica {@code index} of the read (this node's own store, or a remote one). */
    private void ask(Read read, int index) {
        NodeInfo node = read.replicas.get(index);
        if (node.id().equals(local.nodeId())) {
            byte[] versions;
            try {
                versions = local.readEncoded(read.slot, read.key);
            } catch (RuntimeException e) {
                answer(read, index, null, label(node) + " failed: " + e.getMessage());
                return;
            }
            answer(read, index, versions, null);
        } else if (down.test(node.id())) {
            answer(read, index, null, label(node) + " is down");
        } else {
            remote.read(node, read.slot, read.key, remaining(read.deadline)).whenComplete((versions, error) ->
                answer(read, index, versions, error == null ? null : label(node) + " " + reason(error, read.timeoutMillis)));
        }
    }

    /** Records an answer; a failure while spares remain sends the read to them (off the lock). */
    private void answer(Read read, int index, byte[] versions, String failure) {
        read.answer(index, versions, failure);
        if (failure != null) {
            askSpares(read, false);
        }
    }

    private void askSpares(Read read, boolean slow) {
        boolean[] first;
        synchronized (read) {
            first = read.spares;
            if (first == null || read.future.isDone()) {
                return;
            }
            read.spares = null;
        }
        speculativeReads.increment();
        for (int i = 0; i < first.length; i++) {
            if (!first[i]) {
                ask(read, i);
            }
        }
    }

    /** The state of one read; replies arrive on any thread, so every step is under its lock. */
    private final class Read {
        final byte[] key;
        final int slot;
        final List<NodeInfo> replicas;
        final QuorumTracker tracker;
        final ReplicaReply[] replies;
        final CompletableFuture<ReadResult> future = new CompletableFuture<>();
        /** What stale replicas were last repaired to, once the reply is sent; null before. */
        Siblings<StoredValue> repairedTo;
        final boolean[] repaired;
        final boolean waitForAll;
        long deadline;
        long timeoutMillis;
        /** A targeted read's first round (true = asked) until its spares are asked; null after, or for none. */
        boolean[] spares;
        /**
         * The key's replicas, index for index with {@code replicas} (which differ only where a
         * sloppy read asks a fallback in an owner's place): each answer counts as its owner's,
         * and only owners are read-repaired (a fallback does not own the key).
         */
        final List<NodeInfo> owners;

        Read(byte[] key, int slot, List<NodeInfo> replicas, List<NodeInfo> owners, List<Requirement> requirements,
             boolean waitForAll) {
            this.waitForAll = waitForAll;
            this.key = key;
            this.slot = slot;
            this.replicas = replicas;
            this.owners = owners;
            this.tracker = new QuorumTracker("read", ids(owners), requirements);
            this.replies = new ReplicaReply[replicas.size()];
            this.repaired = new boolean[replicas.size()];
        }

        synchronized void answer(int index, byte[] encoded, String failure) {
            Siblings<StoredValue> versions = null;
            if (encoded != null) {
                try {
                    versions = decodeOnce(encoded);
                } catch (RuntimeException e) {
                    // Whatever a replica sent, it is counted (as a failure): an answer that
                    // escaped the count would leave the request waiting forever.
                    failure = label(replicas.get(index)) + " sent malformed versions: " + e.getMessage();
                }
            }
            replies[index] = new ReplicaReply(replicas.get(index), versions, failure);
            if (versions != null) {
                tracker.success(owners.get(index).id());
            } else {
                tracker.failure(owners.get(index).id(), failure);
            }
            if (future.isDone()) {
                if (versions != null && repairedTo != null) {
                    Siblings<StoredValue> merged = repairedTo.merge(versions);
                    if (!merged.equals(repairedTo)) {
                        // A late reply knew more than the quorum did: bring everyone level.
                        repairedTo = merged;
                        java.util.Arrays.fill(repaired, false);
                    }
                    repairStale(merged);
                }
                return;
            }
            QuorumTracker.State state = tracker.state();
            if (waitForAll) {
                state = !tracker.allAnswered() ? QuorumTracker.State.WAITING
                    : tracker.successes() > 0 ? QuorumTracker.State.SUCCEEDED : QuorumTracker.State.WAITING;
                if (tracker.allAnswered() && tracker.successes() == 0) {
                    future.complete(new ReadResult(Siblings.empty(), snapshot()));
                    return;
                }
            }
            switch (state) {
                case SUCCEEDED -> {
                    Siblings<StoredValue> merged = Siblings.empty();
                    for (ReplicaReply r : replies) {
                        if (r != null && r.ok()) {
                            merged = merged.merge(r.versions());
                        }
                    }
                    repairedTo = merged;
                    repairStale(merged);
                    contexts.remember(key, merged.context());
                    future.complete(new ReadResult(merged, snapshot()));
                }
                case FAILED -> {
                    unavailable.increment();
                    future.completeExceptionally(new UnavailableException(tracker.describeFailure()));
                }
                case WAITING -> {
                }
            }
        }

        /* Replicas usually agree: identical bytes are decoded once and share one value. */
        private byte[] lastEncoded;
        private Siblings<StoredValue> lastDecoded;

        private Siblings<StoredValue> decodeOnce(byte[] encoded) {
            if (lastEncoded != null && java.util.Arrays.equals(lastEncoded, encoded)) {
                return lastDecoded;
            }
            lastEncoded = encoded;
            lastDecoded = ReplicaStore.decode(encoded);
            return lastDecoded;
        }

        private Siblings<StoredValue> repairBytesFor;
        private byte[] repairBytes;

        private void repairStale(Siblings<StoredValue> merged) {
            for (int i = 0; i < replies.length; i++) {
                ReplicaReply r = replies[i];
                if (r == null || !r.ok() || repaired[i] || r.versions() == merged || r.versions().equals(merged)) {
                    continue;
                }
                repaired[i] = true;
                NodeInfo node = r.node();
                if (!owners.contains(node)) {
                    continue;
                }
                readRepairs.increment();
                if (node.id().equals(local.nodeId())) {
                    try {
                        local.merge(slot, key, merged);
                    } catch (RuntimeException e) {
                        // Best effort: anti-entropy or the next read repairs it.
                    }
                } else {
                    if (repairBytesFor != merged) {
                        repairBytesFor = merged;
                        repairBytes = VersionCodec.encode(merged);
                    }
                    remote.merge(node, slot, key, repairBytes, REPAIR_TIMEOUT_MILLIS);
                }
            }
        }

        private List<ReplicaReply> snapshot() {
            List<ReplicaReply> out = new ArrayList<>();
            for (ReplicaReply r : replies) {
                if (r != null) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    /** Read repair is fire-and-forget; its own bound keeps it from holding resources long. */
    private static final long REPAIR_TIMEOUT_MILLIS = 5000;

    // ---- writes ------------------------------------------------------------------------------

    /**
     * Writes {@code value} as a new version of {@code key}.
     *
     * @param context what the writer read (KV.PUT's CONTEXT; empty for none)
     * @param blind plain SET/DEL semantics: also supersede every version the write replica holds
     *              and every version this coordinator read recently ({@link ContextCache})
     * @return the key's siblings after the write, as the write replica had them
     */
    public CompletableFuture<Siblings<StoredValue>> write(byte[] key, VectorClock context, boolean blind,
                                                          StoredValue value, Consistency consistency,
                                                          long timeoutMillis) {
        Topology t = readyTopology();
        if (t == null) {
            return forming();
        }
        int slot = Slots.slot(key);
        VectorClock writerContext = blind ? context.merge(contexts.lookup(key)) : context;
        String localDc = t.self().member().datacenter();
        List<NodeInfo> replicas;
        List<Requirement> requirements;
        if (!t.changing()) {
            replicas = t.replicas(slot);
            requirements = consistency.requirements(replicas, localDc);
        } else {
            // A ring change is in progress (docs/elasticity.md): the write goes to the replicas
            // of the placements before and after it, and needs its quorum in each, so that a
            // read in either placement meets it whichever phase the reader's node is in.
            List<NodeInfo> before = t.oldReplicas(slot);
            List<NodeInfo> after = t.newReplicas(slot);
            replicas = new ArrayList<>(before);
            List<String> beforeIds = ids(before);
            for (NodeInfo n : after) {
                if (!beforeIds.contains(n.id())) {
                    replicas.add(n);
                }
            }
            requirements = new ArrayList<>();
            for (Requirement r : consistency.requirements(before, localDc)) {
                requirements.add(placed(r, "before the ring change"));
            }
            for (Requirement r : consistency.requirements(after, localDc)) {
                requirements.add(placed(r, "after the ring change"));
            }
        }
        Write write = new Write(key, slot, replicas, requirements, localDc,
            writerContext, blind, value, clock.millis() + timeoutMillis, timeoutMillis);
        if (sloppy.getAsBoolean()) {
            write.fallbacks = fallbacks(t, slot, replicas);
            write.fallbackUsed = new boolean[write.fallbacks.size()];
            write.sameDatacenterFallbacks = t.replicationFactor().isPerDatacenter();
        }
        write.tryNextWriter();
        return write.future;
    }

    /** The requirement, labelled with the placement it applies to (for the failure message). */
    private static Requirement placed(Requirement r, String placement) {
        return new Requirement(r.nodeIds(), r.needed(), (r.label().isEmpty() ? "" : r.label() + " ") + placement);
    }

    private final class Write {
        final byte[] key;
        final int slot;
        final List<NodeInfo> candidates;
        final List<NodeInfo> replicas;
        final QuorumTracker tracker;
        final VectorClock context;
        final boolean blind;
        final StoredValue value;
        final long deadline;
        final long timeoutMillis;
        final CompletableFuture<Siblings<StoredValue>> future = new CompletableFuture<>();
        int nextCandidate;
        Siblings<StoredValue> result;
        /** Sloppy quorum: healthy nodes that are not replicas, taken in order (see takeFallback); null when strict. */
        List<NodeInfo> fallbacks;
        boolean[] fallbackUsed;
        /** Per-datacenter factor: a fallback stands in only for a replica of its own datacenter. */
        boolean sameDatacenterFallbacks;
        /** Sloppy quorum: write candidates that failed, counted only once no fallback takes their copy. */
        final java.util.Map<String, String> writerFailures = new java.util.LinkedHashMap<>();

        Write(byte[] key, int slot, List<NodeInfo> replicas, List<Requirement> requirements, String localDc,
              VectorClock context, boolean blind, StoredValue value, long deadline, long timeoutMillis) {
            this.key = key;
            this.slot = slot;
            this.replicas = replicas;
            this.tracker = new QuorumTracker("write", ids(replicas), requirements);
            this.context = context;
            this.blind = blind;
            this.value = value;
            this.deadline = deadline;
            this.timeoutMillis = timeoutMillis;
            // This node first when it holds the key: no hop, and its dots are its own to issue.
            // Then the replicas of its own datacenter, so that a LOCAL_QUORUM write does not
            // wait on another datacenter (or on one that is gone) for its write replica.
            List<NodeInfo> order = new ArrayList<>(replicas.size());
            for (NodeInfo n : replicas) {
                if (n.id().equals(local.nodeId())) {
                    order.add(n);
                }
            }
            for (NodeInfo n : replicas) {
                if (!n.id().equals(local.nodeId()) && n.member().datacenter().equals(localDc)) {
                    order.add(n);
                }
            }
            for (NodeInfo n : replicas) {
                if (!n.id().equals(local.nodeId()) && !n.member().datacenter().equals(localDc)) {
                    order.add(n);
                }
            }
            this.candidates = order;
        }

        void tryNextWriter() {
            NodeInfo node;
            synchronized (this) {
                if (nextCandidate >= candidates.size() || clock.millis() >= deadline) {
                    fail();
                    return;
                }
                node = candidates.get(nextCandidate++);
            }
            if (!node.id().equals(local.nodeId()) && down.test(node.id())) {
                writerFailed(node, label(node) + " is down");
                return;
            }
            if (node.id().equals(local.nodeId())) {
                ReplicaStore.Stored stored;
                try {
                    stored = local.writeStored(slot, key, context, blind, value);
                } catch (TooManySiblingsException e) {
                    future.completeExceptionally(e);
                    return;
                } catch (RuntimeException e) {
                    writerFailed(node, label(node) + " failed: " + e.getMessage());
                    return;
                }
                written(node, stored);
            } else {
                remote.write(node, slot, key, context, blind, value, remaining(deadline)).whenComplete((stored, error) -> {
                    if (error == null) {
                        written(node, stored);
                    } else if (unwrap(error) instanceof TooManySiblingsException e) {
                        future.completeExceptionally(e);
                    } else {
                        writerFailed(node, label(node) + " " + reason(error, timeoutMillis));
                    }
                });
            }
        }

        private void writerFailed(NodeInfo node, String reason) {
            synchronized (this) {
                if (fallbacks != null) {
                    // Sloppy: its copy may still go to a fallback once a writer succeeds.
                    writerFailures.put(node.id(), reason);
                } else {
                    tracker.failure(node.id(), reason);
                }
                // Too few replicas left for the quorum: fail now rather than have the next
                // candidate store a write the client is told failed.
                if (tracker.state() == QuorumTracker.State.FAILED) {
                    fail();
                    return;
                }
            }
            tryNextWriter();
        }

        private void written(NodeInfo writer, ReplicaStore.Stored stored) {
            synchronized (this) {
                result = stored.versions();
                tracker.success(writer.id());
                if (settle()) {
                    // W = 1: acknowledged already; the others still get the new version below.
                }
            }
            for (NodeInfo node : replicas) {
                if (node.id().equals(writer.id())) {
                    continue;
                }
                if (alreadyFailed(node)) {
                    String failure;
                    synchronized (this) {
                        failure = writerFailures.remove(node.id());
                    }
                    if (failure == null) {
                        hint(node, stored.encoded()); // counted as failed already
                    } else {
                        missed(node, stored.encoded(), failure);
                    }
                    continue;
                }
                if (!node.id().equals(local.nodeId()) && down.test(node.id())) {
                    missed(node, stored.encoded(), label(node) + " is down");
                    continue;
                }
                if (node.id().equals(local.nodeId())) {
                    try {
                        local.mergeEncoded(slot, key, stored.encoded());
                        replicated(node, true, null);
                    } catch (RuntimeException e) {
                        replicated(node, false, label(node) + " failed: " + e.getMessage());
                    }
                } else {
                    remote.merge(node, slot, key, stored.encoded(), remaining(deadline)).whenComplete((ignored, error) -> {
                        if (error == null) {
                            replicated(node, true, null);
                        } else {
                            missed(node, stored.encoded(), label(node) + " " + reason(error, timeoutMillis));
                        }
                    });
                }
            }
        }

        /*
         * A preferred replica missed the write. Strict quorum: keep a hint for it here and count
         * it as failed. Sloppy quorum: hand the copy to the next healthy node past the preference
         * list, which keeps it as a hint for the replica and whose acknowledgement counts towards
         * W as the replica's own would; if that node fails too, the next one; with none left, as
         * strict.
         */
        private void missed(NodeInfo node, byte[] encoded, String failure) {
            NodeInfo fallback = null;
            synchronized (this) {
                if (fallbacks != null && !node.id().equals(local.nodeId())) {
                    fallback = takeFallback(fallbacks, fallbackUsed, node, sameDatacenterFallbacks);
                }
            }
            if (fallback == null) {
                hint(node, encoded);
                replicated(node, false, failure);
            } else if (fallback.id().equals(local.nodeId())) {
                if (hint(node, encoded)) {
                    handedOff.increment();
                    replicated(node, true, null);
                } else {
                    missed(node, encoded, failure);
                }
            } else {
                NodeInfo via = fallback;
                remote.handOff(via, node, slot, key, encoded, remaining(deadline)).whenComplete((ignored, error) -> {
                    if (error == null) {
                        handedOff.increment();
                        replicated(node, true, null);
                    } else {
                        missed(node, encoded, failure + "; fallback " + label(via) + " " + reason(error, timeoutMillis));
                    }
                });
            }
        }

        /*
         * A replica that missed the write gets it later from the hint. Only remote replicas: this
         * node's own replica failing is a local storage error that no replay would fix.
         */
        private boolean hint(NodeInfo node, byte[] encoded) {
            if (node.id().equals(local.nodeId())) {
                return false;
            }
            try {
                hints.hint(node, slot, key, encoded);
                hinted.increment();
                return true;
            } catch (RuntimeException e) {
                // Best effort: anti-entropy still brings the replica level.
                return false;
            }
        }

        private boolean alreadyFailed(NodeInfo node) {
            // A candidate that failed to coordinate was counted as a failure already; sending it
            // the result too would count it twice.
            int index = candidates.indexOf(node);
            synchronized (this) {
                return index >= 0 && index < nextCandidate - 1;
            }
        }

        /** {@code replica}'s copy was stored (by it, or by a fallback for it), or could not be. */
        private synchronized void replicated(NodeInfo replica, boolean stored, String failure) {
            if (stored) {
                tracker.success(replica.id());
            } else {
                tracker.failure(replica.id(), failure);
            }
            settle();
        }

        /** Completes the future when the tracker has decided; true when it has. */
        private boolean settle() {
            if (future.isDone()) {
                return true;
            }
            switch (tracker.state()) {
                case SUCCEEDED -> {
                    contexts.remember(key, result.context());
                    future.complete(result);
                    return true;
                }
                case FAILED -> {
                    fail();
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }

        private synchronized void fail() {
            for (java.util.Map.Entry<String, String> failure : writerFailures.entrySet()) {
                tracker.failure(failure.getKey(), failure.getValue());
            }
            writerFailures.clear();
            if (!future.isDone()) {
                unavailable.increment();
                future.completeExceptionally(new UnavailableException(tracker.describeFailure()));
            }
        }
    }

    /** At most this many nodes past the preference list stand in for failed replicas. */
    private static final int MAX_FALLBACKS = 3;

    /**
     * The healthy nodes that are not replicas of the slot, in ring order (sloppy quorum): for a
     * plain N the nodes after the preference list, for a per-datacenter factor the next nodes of
     * each listed datacenter's own walk, at most {@link #MAX_FALLBACKS} of each.
     */
    private List<NodeInfo> fallbacks(Topology t, int slot, List<NodeInfo> replicas) {
        List<NodeInfo> out = new ArrayList<>();
        ReplicationFactor factor = t.replicationFactor();
        if (!factor.isPerDatacenter()) {
            int n = replicas.size();
            int walk = Math.min(t.nodes().size(), n + MAX_FALLBACKS);
            List<Member> list = t.ring().preferenceList(slot, walk);
            for (int i = n; i < list.size(); i++) {
                addIfHealthy(out, t.node(list.get(i).nodeId()));
            }
            return out;
        }
        for (String dc : factor.perDatacenter().keySet()) {
            int held = 0;
            for (NodeInfo r : replicas) {
                if (r.member().datacenter().equals(dc)) {
                    held++;
                }
            }
            if (held == 0) {
                continue;
            }
            for (Member m : t.ring().preferenceList(slot, dc, held + MAX_FALLBACKS)) {
                NodeInfo node = t.node(m.nodeId());
                if (node != null && !replicas.contains(node)) {
                    addIfHealthy(out, node);
                }
            }
        }
        return out;
    }

    private void addIfHealthy(List<NodeInfo> out, NodeInfo node) {
        if (node != null && (node.id().equals(local.nodeId()) || !down.test(node.id()))) {
            out.add(node);
        }
    }

    /**
     * The first fallback not taken yet to stand in for {@code owner} (with {@code sameDatacenter},
     * only one in the owner's datacenter, so that LOCAL_QUORUM and EACH_QUORUM keep counting
     * copies held in the datacenter they name), marked taken; null when none is left.
     */
    private static NodeInfo takeFallback(List<NodeInfo> fallbacks, boolean[] used, NodeInfo owner,
                                         boolean sameDatacenter) {
        for (int i = 0; i < fallbacks.size(); i++) {
            NodeInfo f = fallbacks.get(i);
            if (!used[i] && (!sameDatacenter || f.member().datacenter().equals(owner.member().datacenter()))) {
                used[i] = true;
                return f;
            }
        }
        return null;
    }

    /**
     * What a sloppy read asks, index for index with {@code owners}: the owner itself, or for an
     * owner marked down a healthy fallback standing in for it (the owner when none is left).
     */
    private List<NodeInfo> standIns(Topology t, int slot, List<NodeInfo> owners) {
        boolean anyDown = false;
        for (NodeInfo n : owners) {
            anyDown |= !n.id().equals(local.nodeId()) && down.test(n.id());
        }
        if (!anyDown) {
            return owners;
        }
        List<NodeInfo> spare = fallbacks(t, slot, owners);
        boolean[] used = new boolean[spare.size()];
        boolean sameDatacenter = t.replicationFactor().isPerDatacenter();
        List<NodeInfo> out = new ArrayList<>(owners.size());
        for (NodeInfo n : owners) {
            if (n.id().equals(local.nodeId()) || !down.test(n.id())) {
                out.add(n);
            } else {
                NodeInfo f = takeFallback(spare, used, n, sameDatacenter);
                out.add(f != null ? f : n);
            }
        }
        return out;
    }

    // ---- FLUSHALL ----------------------------------------------------------------------------

    /**
     * Deletes every key on every node: FLUSHALL across the cluster. It needs every member (a
     * node that missed it would bring the keys back through read repair), so it fails with
     * UNAVAILABLE unless all answer. Like Redis's, it is not atomic with concurrent writes: a
     * write that overlaps it may survive on some replicas.
     */
    public CompletableFuture<Void> flushAll(long timeoutMillis) {
        Topology t = readyTopology();
        if (t == null) {
            return forming();
        }
        List<NodeInfo> nodes = t.nodes();
        List<String> ids = ids(nodes);
        QuorumTracker tracker = new QuorumTracker("flush", ids, List.of(new Requirement(ids, ids.size())));
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable settle = () -> {
            switch (tracker.state()) {
                case SUCCEEDED -> done.complete(null);
                case FAILED -> done.completeExceptionally(new UnavailableException(tracker.describeFailure()));
                default -> {
                }
            }
        };
        for (NodeInfo node : nodes) {
            if (node.id().equals(local.nodeId())) {
                local.clear();
                synchronized (tracker) {
                    tracker.success(node.id());
                    settle.run();
                }
            } else {
                remote.flush(node, timeoutMillis).whenComplete((ignored, error) -> {
                    synchronized (tracker) {
                        if (error == null) {
                            tracker.success(node.id());
                        } else {
                            tracker.failure(node.id(), label(node) + " " + reason(error, timeoutMillis));
                        }
                        settle.run();
                    }
                });
            }
        }
        return done;
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static List<String> ids(List<NodeInfo> nodes) {
        String[] out = new String[nodes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nodes.get(i).id();
        }
        return List.of(out);
    }

    private long remaining(long deadline) {
        return Math.max(1, deadline - clock.millis());
    }

    private static String label(NodeInfo node) {
        return node.address().host() + ":" + node.address().port();
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String reason(Throwable error, long timeoutMillis) {
        Throwable t = unwrap(error);
        if (t instanceof TimeoutException) {
            return "timed out after " + timeoutMillis + " ms";
        }
        // The transport's own texts name the peer again and carry socket details; the client
        // needs to know which replica failed and how, in a line.
        if (t instanceof io.ringkv.cluster.transport.PeerUnavailableException) {
            String m = t.getMessage();
            return m != null && m.contains("authentication") ? "refused the cluster secret" : "unreachable";
        }
        if (t instanceof io.ringkv.cluster.transport.OverloadedException) {
            return "overloaded (too many requests pending)";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
