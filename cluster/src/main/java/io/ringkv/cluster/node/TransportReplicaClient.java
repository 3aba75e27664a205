package io.ringkv.cluster.node;

import io.ringkv.cluster.coordinator.ReplicaClient;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.replica.TooManySiblingsException;
import io.ringkv.cluster.replica.VersionCodec;
import io.ringkv.cluster.transport.InternodeTransport;
import io.ringkv.cluster.transport.RemoteFailureException;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@link ReplicaClient} over the internode transport. The slot is the connection affinity, so a
 * coordinator's requests for one key reach a replica in the order they were made.
 */
public final class TransportReplicaClient implements ReplicaClient {

    private final Supplier<InternodeTransport> transport;
    private final java.util.Map<io.ringkv.cluster.membership.NodeAddress, InetSocketAddress> addresses =
        new java.util.concurrent.ConcurrentHashMap<>();

    /** @param transport the transport, which exists only once the node has started */
    public TransportReplicaClient(Supplier<InternodeTransport> transport) {
        this.transport = transport;
    }

    private CompletableFuture<byte[]> call(NodeInfo node, int type, byte[] payload, int slot, long timeoutMillis) {
        InternodeTransport t = transport.get();
        if (t == null) {
            return CompletableFuture.failedFuture(
                new IllegalStateException("unreachable: this node has no link to the others (stopped or isolated)"));
        }
        // Unresolved, made once per node: the transport resolves the name at each connection
        // (a peer may come back at a new IP), never per request on an event loop.
        InetSocketAddress address = addresses.computeIfAbsent(node.address(),
            a -> InetSocketAddress.createUnresolved(a.host(), a.clusterPort()));
        return t.request(address, type, payload, timeoutMillis, slot).handle((bytes, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof RemoteFailureException r && r.getMessage() != null
                    && r.getMessage().startsWith(Messages.TOO_MANY_SIBLINGS)) {
                    throw new CompletionException(new TooManySiblingsException(r.getMessage()
                        .substring(Messages.TOO_MANY_SIBLINGS.length())));
                }
                throw cause instanceof CompletionException c ? c : new CompletionException(cause);
            }
            return bytes;
        });
    }

    /** Any request type (anti-entropy's), with its reply's payload. */
    public CompletableFuture<byte[]> request(NodeInfo node, int type, byte[] payload, int slot, long timeoutMillis) {
        return call(node, type, payload, slot, timeoutMillis);
    }

    @Override
    public CompletableFuture<Void> flush(NodeInfo node, long timeoutMillis) {
        return call(node, Messages.FLUSH, new byte[0], 0, timeoutMillis).thenApply(b -> null);
    }

    @Override
    public CompletableFuture<byte[]> read(NodeInfo node, int slot, byte[] key, long timeoutMillis) {
        return call(node, Messages.READ, Messages.keyRequest(slot, key), slot, timeoutMillis);
    }

    @Override
    public CompletableFuture<ReplicaStore.Stored> write(NodeInfo node, int slot, byte[] key, VectorClock context,
                                                        boolean blind, StoredValue value, long timeoutMillis) {
        return call(node, Messages.WRITE, Messages.write(slot, key, context, blind, value), slot, timeoutMillis)
            .thenApply(bytes -> new ReplicaStore.Stored(VersionCodec.decode(bytes), bytes));
    }

    @Override
    public CompletableFuture<Void> merge(NodeInfo node, int slot, byte[] key, byte[] encodedVersions,
                                         long timeoutMillis) {
        return call(node, Messages.MERGE, Messages.merge(slot, key, encodedVersions), slot, timeoutMillis)
            .thenApply(b -> null);
    }

    @Override
    public CompletableFuture<Void> handOff(NodeInfo fallback, NodeInfo target, int slot, byte[] key,
                                           byte[] encodedVersions, long timeoutMillis) {
        return call(fallback, Messages.HINT, Messages.hint(target.id(), slot, key, encodedVersions), slot, timeoutMillis)
            .thenApply(b -> null);
    }
}
