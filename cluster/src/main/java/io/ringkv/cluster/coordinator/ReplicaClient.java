package io.ringkv.cluster.coordinator;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import java.util.concurrent.CompletableFuture;

/**
 * How a coordinator reaches another node's replicas: the remote half of
 * {@link io.ringkv.cluster.replica.ReplicaStore}. Every call returns at once; the future fails
 * (never hangs) when the node does not answer within {@code timeoutMillis}. Calls with the same
 * slot to the same node are delivered in the order they were made, so a write followed by a read
 * of the same key from one coordinator is applied in that order.
 */
public interface ReplicaClient {

    /**
     * The key's siblings as the replica stores them ({@link io.ringkv.cluster.replica.VersionCodec}
     * bytes; empty when it has none): undecoded, because replicas usually agree and the
     * coordinator then decodes identical bytes once.
     */
    CompletableFuture<byte[]> read(NodeInfo node, int slot, byte[] key, long timeoutMillis);

    CompletableFuture<ReplicaStore.Stored> write(NodeInfo node, int slot, byte[] key, VectorClock context,
                                                 boolean blind, StoredValue value, long timeoutMillis);

    /** Completes once the node has deleted every key it holds. */
    CompletableFuture<Void> flush(NodeInfo node, long timeoutMillis);

    /** Completes once the replica has merged and stored {@code versions}. */
    CompletableFuture<Void> merge(NodeInfo node, int slot, byte[] key, byte[] encodedVersions, long timeoutMillis);

    /**
     * Sloppy quorum: asks {@code fallback} to keep {@code encodedVersions} as a hint for
     * {@code target} (a preferred replica that is down); completes once the hint is stored.
     */
    default CompletableFuture<Void> handOff(NodeInfo fallback, NodeInfo target, int slot, byte[] key,
                                            byte[] encodedVersions, long timeoutMillis) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("hand-off is not supported"));
    }
}
