package io.ringkv.cluster.coordinator;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Replicas of several nodes in one JVM, reached directly instead of over the network, with two
 * faults a test can switch on per node: down (every call fails at once, like a refused
 * connection) and hung (calls never answer, so they fail at their timeout). A hand-off (sloppy
 * quorum) is only recorded.
 */
final class InMemoryReplicas implements ReplicaClient {

    final Map<String, ReplicaStore> stores = new ConcurrentHashMap<>();
    final Set<String> down = ConcurrentHashMap.newKeySet();
    final Set<String> hung = ConcurrentHashMap.newKeySet();
    /** Remote reads asked, per node id. */
    final Map<String, java.util.concurrent.atomic.AtomicInteger> reads = new ConcurrentHashMap<>();
    /** Sloppy-quorum hand-offs taken: "fallback id -> target id". */
    final java.util.Queue<String> handOffs = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private <T> CompletableFuture<T> call(NodeInfo node, long timeoutMillis, Supplier<T> action) {
        if (down.contains(node.id())) {
            return CompletableFuture.failedFuture(new java.io.IOException("unreachable"));
        }
        if (hung.contains(node.id())) {
            return new CompletableFuture<T>().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        }
        try {
            return CompletableFuture.completedFuture(action.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> flush(NodeInfo node, long timeoutMillis) {
        return call(node, timeoutMillis, () -> {
            stores.get(node.id()).clear();
            return null;
        });
    }

    @Override
    public CompletableFuture<byte[]> read(NodeInfo node, int slot, byte[] key, long timeoutMillis) {
        reads.computeIfAbsent(node.id(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        return call(node, timeoutMillis, () -> stores.get(node.id()).readEncoded(slot, key));
    }

    @Override
    public CompletableFuture<ReplicaStore.Stored> write(NodeInfo node, int slot, byte[] key, VectorClock context,
                                                        boolean blind, StoredValue value, long timeoutMillis) {
        return call(node, timeoutMillis, () -> stores.get(node.id()).writeStored(slot, key, context, blind, value));
    }

    @Override
    public CompletableFuture<Void> handOff(NodeInfo fallback, NodeInfo target, int slot, byte[] key,
                                           byte[] encodedVersions, long timeoutMillis) {
        return call(fallback, timeoutMillis, () -> {
            handOffs.add(fallback.id() + " -> " + target.id());
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> merge(NodeInfo node, int slot, byte[] key, byte[] encodedVersions,
                                         long timeoutMillis) {
        return call(node, timeoutMillis, () -> {
            stores.get(node.id()).mergeEncoded(slot, key, encodedVersions);
            return null;
        });
    }
}
