package io.ringkv.cluster.node;

import io.ringkv.cluster.antientropy.Exchange;
import io.ringkv.cluster.antientropy.HashRequest;
import io.ringkv.cluster.antientropy.HashResponse;
import io.ringkv.cluster.antientropy.KeyDigests;
import io.ringkv.cluster.antientropy.Leaf;
import io.ringkv.cluster.antientropy.MerkleTree;
import io.ringkv.cluster.antientropy.TreeShape;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.storage.Engine;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.roaringbitmap.RoaringBitmap;

/**
 * The asking side of anti-entropy: one {@link #pass()} compares this node's replicas with one
 * peer's over (a slice of) the slots both hold, and repairs the keys that differ, both ways.
 *
 * <pre>
 *   peer   = the next live member, round robin (gossip's DOWN nodes are skipped)
 *   shared = slots whose replicas (Topology.replicas) include both nodes
 *   slice  = up to maxSlotsPerPass of them, from where the last pass with this peer ended
 *   walk   = Exchange over a tree of the slice built from the engine, answered by AE_HASHES
 *   keys   = KeyDigests.differingKeys(local digests, AE_DIGESTS of the divergent leaves)
 *   repair = AE_READ the peer's siblings, mergeEncoded here; MERGE the result there when the
 *            peer's differ from it
 * </pre>
 *
 * <p>The rate bound is per pass (one pass every anti-entropy-interval): at most
 * {@code maxSlotsPerPass} slots are compared and at most {@code maxKeysPerPass} keys transferred.
 * A pass that reaches the key bound stops, and does not advance the slice, so the next pass with
 * that peer continues the same slots. Every request waits for its answer before the next one:
 * one request in flight per pass.
 *
 * <p>Not thread-safe: the node runs passes one at a time on one thread.
 */
public final class AntiEntropyDriver {

    /** A peer's answer to a request: the transport, in the node. */
    @FunctionalInterface
    public interface Caller {
        CompletableFuture<byte[]> call(NodeInfo node, int type, byte[] payload, long timeoutMillis);
    }

    /** What one pass did. */
    public record Pass(String peer, int slots, Exchange.Outcome outcome, int divergentLeaves, long keysRepaired,
                       long bytes, long millis) {
    }

    private static final long TIMEOUT_MILLIS = 10_000;
    private static final int LEAVES_PER_DIGEST_REQUEST = 256;

    private final Supplier<Topology> topology;
    private final Predicate<String> isDown;
    private final ReplicaStore replicas;
    private final ReplicaTrees trees;
    private final Caller caller;
    private final int maxSlotsPerPass;
    private final int maxKeysPerPass;
    private final int subBuckets = TreeShape.DEFAULT_SUB_BUCKETS;
    private final int fanOut = TreeShape.DEFAULT_FAN_OUT;

    private int nextPeer;
    /** Names each exchange for the peer's tree cache. */
    private final java.util.SplittableRandom exchangeIds = new java.util.SplittableRandom();
    /** Per peer: the first slot of the next slice. */
    private final Map<String, Integer> cursors = new HashMap<>();

    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong keysRepaired = new AtomicLong();

    public AntiEntropyDriver(Supplier<Topology> topology, Predicate<String> isDown, ReplicaStore replicas,
                             Caller caller, int maxSlotsPerPass, int maxKeysPerPass) {
        this.topology = topology;
        this.isDown = isDown;
        this.replicas = replicas;
        this.trees = new ReplicaTrees(replicas.engine());
        this.caller = caller;
        this.maxSlotsPerPass = maxSlotsPerPass;
        this.maxKeysPerPass = maxKeysPerPass;
    }

    /** Passes completed (INFO cluster_antientropy_rounds). */
    public long rounds() {
        return rounds.get();
    }

    /** Payload bytes sent and received by this node's passes (INFO cluster_antientropy_bytes). */
    public long bytes() {
        return bytes.get();
    }

    /** Keys found different and reconciled by this node's passes (INFO cluster_antientropy_keys_repaired). */
    public long keysRepaired() {
        return keysRepaired.get();
    }

    /**
     * One pass with the next live peer; empty when there is nothing to compare (incomplete ring,
     * no live peer, no shared slot).
     *
     * @throws Exception when a request fails or times out (the pass is abandoned; merges made so
     *                   far stay, and are harmless to redo)
     */
    public Optional<Pass> pass() throws Exception {
        Topology t = topology.get();
        if (!t.complete()) {
            return Optional.empty();
        }
        List<NodeInfo> peers = new ArrayList<>();
        for (NodeInfo n : t.nodes()) {
            if (!n.id().equals(t.selfId()) && !isDown.test(n.id())) {
                peers.add(n);
            }
        }
        if (peers.isEmpty()) {
            return Optional.empty();
        }
        NodeInfo peer = peers.get(Math.floorMod(nextPeer++, peers.size()));
        RoaringBitmap shared = sharedSlots(t, peer.id());
        if (shared.isEmpty()) {
            return Optional.empty();
        }
        long start = System.nanoTime();
        int from = cursors.getOrDefault(peer.id(), 0);
        Slice cut = slice(shared, from);
        RoaringBitmap slice = cut.slots();
        long[] traffic = {0};
        long exchangeId = exchangeIds.nextLong();
        MerkleTree local = trees.build(slice, subBuckets, fanOut);
        Exchange exchange = new Exchange(local);
        Optional<HashRequest> request = Optional.of(exchange.start());
        while (request.isPresent()) {
            byte[] reply = call(peer, Messages.AE_HASHES,
                AntiEntropyMessages.treeRequest(exchangeId, slice, subBuckets, fanOut, request.get()), traffic);
            request = exchange.onResponse(HashResponse.decode(reply));
        }
        List<Leaf> divergent = exchange.outcome() == Exchange.Outcome.DIVERGENT ? exchange.divergentLeaves() : List.of();
        long repaired = 0;
        boolean complete = true;
        for (int i = 0; i < divergent.size() && complete; i += LEAVES_PER_DIGEST_REQUEST) {
            List<Leaf> batch = divergent.subList(i, Math.min(divergent.size(), i + LEAVES_PER_DIGEST_REQUEST));
            int[] indices = new int[batch.size()];
            for (int j = 0; j < indices.length; j++) {
                indices[j] = local.shape().leafIndex(batch.get(j).slot(), batch.get(j).subBucket());
            }
            HashRequest leaves = new HashRequest(local.shape().fingerprint(), local.shape().leafLevel(), indices);
            List<KeyDigests.Entry> theirs = KeyDigests.decode(call(peer, Messages.AE_DIGESTS,
                AntiEntropyMessages.treeRequest(exchangeId, slice, subBuckets, fanOut, leaves), traffic));
            List<byte[]> keys = KeyDigests.differingKeys(trees.digests(local, batch), theirs);
            for (int k = 0; k < keys.size(); k += AntiEntropyMessages.MAX_READ_KEYS) {
                if (repaired >= maxKeysPerPass) {
                    complete = false;
                    break;
                }
                repaired += repair(peer, keys.subList(k, Math.min(keys.size(), k + AntiEntropyMessages.MAX_READ_KEYS)),
                    traffic);
            }
        }
        if (complete) {
            cursors.put(peer.id(), cut.next());
        }
        rounds.incrementAndGet();
        bytes.addAndGet(traffic[0]);
        keysRepaired.addAndGet(repaired);
        return Optional.of(new Pass(peer.id(), slice.getCardinality(), exchange.outcome(), divergent.size(), repaired,
            traffic[0], (System.nanoTime() - start) / 1_000_000));
    }

    /**
     * Reconciles a batch of keys with the peer: its siblings are merged here, and the merged
     * result is sent back when it is not what the peer has. Merging is idempotent and
     * order-independent, so a write racing with this, or the peer repairing the same key in its
     * own pass, does no harm. Returns the keys that were actually different.
     */
    private long repair(NodeInfo peer, List<byte[]> keys, long[] traffic) throws Exception {
        long repaired = 0;
        for (int from = 0; from < keys.size(); ) {
            List<AntiEntropyMessages.SlotKey> request = new ArrayList<>(keys.size() - from);
            for (byte[] key : keys.subList(from, keys.size())) {
                request.add(new AntiEntropyMessages.SlotKey(Slots.slot(key), key));
            }
            List<byte[]> theirs = AntiEntropyMessages.readReply(
                call(peer, Messages.AE_READ, AntiEntropyMessages.readRequest(request), traffic));
            if (theirs.isEmpty() || theirs.size() > request.size()) {
                throw new IllegalArgumentException("AE_READ answered " + theirs.size() + " of " + request.size()
                    + " keys");
            }
            repaired += reconcile(peer, request.subList(0, theirs.size()), theirs, traffic);
            from += theirs.size();
        }
        return repaired;
    }

    private long reconcile(NodeInfo peer, List<AntiEntropyMessages.SlotKey> request, List<byte[]> theirs,
                           long[] traffic) throws Exception {
        long repaired = 0;
        List<CompletableFuture<byte[]>> pushes = new ArrayList<>();
        for (int i = 0; i < request.size(); i++) {
            AntiEntropyMessages.SlotKey k = request.get(i);
            byte[] peerSiblings = theirs.get(i);
            byte[] before = replicas.readEncoded(k.slot(), k.key());
            if (peerSiblings.length > 0 && !Arrays.equals(before, peerSiblings)) {
                replicas.mergeEncoded(k.slot(), k.key(), peerSiblings);
            }
            byte[] after = replicas.readEncoded(k.slot(), k.key());
            if (after.length > 0 && !Arrays.equals(after, peerSiblings)) {
                byte[] merge = Messages.merge(k.slot(), k.key(), after);
                traffic[0] += merge.length;
                pushes.add(caller.call(peer, Messages.MERGE, merge, TIMEOUT_MILLIS));
            }
            if (!Arrays.equals(before, peerSiblings)) {
                repaired++;
            }
        }
        for (CompletableFuture<byte[]> push : pushes) {
            await(push);
        }
        return repaired;
    }

    private byte[] call(NodeInfo peer, int type, byte[] payload, long[] traffic) throws Exception {
        byte[] reply = await(caller.call(peer, type, payload, TIMEOUT_MILLIS));
        traffic[0] += payload.length + reply.length;
        return reply;
    }

    private static byte[] await(CompletableFuture<byte[]> f) throws Exception {
        try {
            return f.get(TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } catch (TimeoutException e) {
            f.cancel(false);
            throw e;
        }
    }

    /** Up to maxSlotsPerPass shared slots from {@code from} on, wrapping; and where the next slice starts. */
    private record Slice(RoaringBitmap slots, int next) {
    }

    private Slice slice(RoaringBitmap shared, int from) {
        if (shared.getCardinality() <= maxSlotsPerPass) {
            return new Slice(shared, 0);
        }
        RoaringBitmap slice = new RoaringBitmap();
        int taken = 0;
        int slot = from;
        while (taken < maxSlotsPerPass) {
            long s = shared.nextValue(slot);
            if (s < 0) {
                s = shared.first();
            }
            slice.add((int) s);
            taken++;
            slot = (int) s + 1 >= Engine.SLOTS ? 0 : (int) s + 1;
        }
        return new Slice(slice, slot);
    }

    private static RoaringBitmap sharedSlots(Topology t, String peerId) {
        RoaringBitmap shared = new RoaringBitmap();
        for (int slot = 0; slot < Engine.SLOTS; slot++) {
            boolean self = false;
            boolean peer = false;
            for (NodeInfo n : t.replicas(slot)) {
                self |= n.id().equals(t.selfId());
                peer |= n.id().equals(peerId);
            }
            if (self && peer) {
                shared.add(slot);
            }
        }
        return shared;
    }
}
