package io.ringkv.cluster.node;

import io.ringkv.cluster.antientropy.HashRequest;
import io.ringkv.cluster.antientropy.KeyDigests;
import io.ringkv.cluster.antientropy.MerkleTree;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.transport.RequestHandler;
import io.ringkv.cluster.transport.Responder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.roaringbitmap.RoaringBitmap;

/**
 * The answering side of anti-entropy: {@link Messages#AE_HASHES}, {@link Messages#AE_DIGESTS}
 * and {@link Messages#AE_READ}, in front of the node's other requests (everything else goes to
 * {@code next}, the {@link ReplicaService}).
 *
 * <p>Building a tree scans the shared slots, far too slow for an event loop, so these requests
 * are answered on {@code worker} (one thread is plenty: a peer's driver asks one request at a
 * time). A tree is cached by the exchange that asked for it (its id, slots and shape), for at
 * most {@link #CACHE_MILLIS} and {@value #CACHED_TREES} trees, so that one exchange's rounds cost
 * one build and the next exchange starts from a fresh one. A cached tree may miss a write made
 * during its exchange; the exchange then misses or flags it, and the next pass settles it.
 */
public final class AntiEntropyService implements RequestHandler {

    static final long CACHE_MILLIS = 30_000;
    private static final int CACHED_TREES = 4;

    private final ReplicaStore replicas;
    private final ReplicaTrees trees;
    private final RequestHandler next;
    private final Executor worker;
    private final Clock clock;

    private record TreeKey(long exchangeId, RoaringBitmap slots, int subBuckets, int fanOut) {
    }

    private record Cached(MerkleTree tree, long builtAt) {
    }

    /** Only touched on the worker. */
    private final Map<TreeKey, Cached> cache = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TreeKey, Cached> eldest) {
            return size() > CACHED_TREES;
        }
    };

    public AntiEntropyService(ReplicaStore replicas, RequestHandler next, Executor worker, Clock clock) {
        this.replicas = replicas;
        this.trees = new ReplicaTrees(replicas.engine());
        this.next = next;
        this.worker = worker;
        this.clock = clock;
    }

    @Override
    public void endOfBatch() {
        next.endOfBatch();
    }

    @Override
    public void handle(int type, byte[] payload, Responder responder) {
        if (type != Messages.AE_HASHES && type != Messages.AE_DIGESTS && type != Messages.AE_READ) {
            next.handle(type, payload, responder);
            return;
        }
        try {
            worker.execute(() -> answer(type, payload, responder));
        } catch (RejectedExecutionException e) {
            responder.fail("anti-entropy is shutting down");
        }
    }

    private void answer(int type, byte[] payload, Responder responder) {
        try {
            switch (type) {
                case Messages.AE_HASHES -> {
                    AntiEntropyMessages.TreeRequest r = AntiEntropyMessages.treeRequest(payload);
                    responder.reply(tree(r).answer(r.request()).encode());
                }
                case Messages.AE_DIGESTS -> {
                    AntiEntropyMessages.TreeRequest r = AntiEntropyMessages.treeRequest(payload);
                    MerkleTree tree = tree(r);
                    HashRequest q = r.request();
                    if (q.shape() != tree.shape().fingerprint() || q.level() != tree.shape().leafLevel()) {
                        responder.fail("malformed request: digests for another tree or level");
                        return;
                    }
                    // Digests come from the engine now, not from the cached tree: fresh keys.
                    responder.reply(KeyDigests.encode(trees.digests(tree, ReplicaTrees.leaves(tree.shape(), q.indices()))));
                }
                default -> {
                    List<AntiEntropyMessages.SlotKey> keys = AntiEntropyMessages.readRequest(payload);
                    // A prefix of the keys when their siblings pass the byte bound (at least
                    // one key); the asker asks again for the rest.
                    List<byte[]> out = new ArrayList<>(keys.size());
                    long size = 0;
                    for (AntiEntropyMessages.SlotKey k : keys) {
                        if (!out.isEmpty() && size >= AntiEntropyMessages.MAX_READ_REPLY_BYTES) {
                            break;
                        }
                        byte[] siblings = replicas.readEncoded(k.slot(), k.key());
                        out.add(siblings);
                        size += siblings.length;
                    }
                    responder.reply(AntiEntropyMessages.readReply(out));
                }
            }
        } catch (IllegalArgumentException e) {
            responder.fail("malformed request: " + e.getMessage());
        } catch (RuntimeException e) {
            responder.fail("failed: " + e);
        }
    }

    private MerkleTree tree(AntiEntropyMessages.TreeRequest r) {
        TreeKey key = new TreeKey(r.exchangeId(), r.slots(), r.subBuckets(), r.fanOut());
        long now = clock.millis();
        Cached c = cache.get(key);
        if (c == null || now - c.builtAt() > CACHE_MILLIS || now < c.builtAt()) {
            c = new Cached(trees.build(r.slots(), r.subBuckets(), r.fanOut()), now);
            cache.put(key, c);
        }
        return Objects.requireNonNull(c.tree());
    }
}
