package io.ringkv.cluster.transport;

import java.util.Objects;

/**
 * Settings of one {@link InternodeTransport}.
 *
 * @param secret               the cluster's shared secret ({@code cluster-secret}); never sent
 *                             on the wire, only proven (docs/transport.md). Empty: no check.
 * @param connectionsPerPeer   long-lived connections opened to each peer; a request's affinity
 *                             picks one, so equal affinities stay in order
 * @param maxPendingPerPeer    requests awaiting a reply from one peer before further requests
 *                             fail fast with {@link OverloadedException}; also the most
 *                             unanswered requests the serving side reads from one connection
 * @param maxFrameBytes        largest frame accepted (the length field's value); a bigger one
 *                             closes the connection. Values can be 512 MB, hence 600 MB.
 * @param connectTimeoutMillis TCP connect, and then the handshake, must each finish within this
 * @param reconnectBackoffMillis after a failed connect, requests to that peer fail fast this long
 */
public record TransportConfig(String secret, int connectionsPerPeer, int maxPendingPerPeer,
        int maxFrameBytes, long connectTimeoutMillis, long reconnectBackoffMillis) {

    public static final int DEFAULT_CONNECTIONS_PER_PEER = 2;
    public static final int DEFAULT_MAX_PENDING_PER_PEER = 16384;
    public static final int DEFAULT_MAX_FRAME_BYTES = 600 * 1024 * 1024;
    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 1000;
    public static final long DEFAULT_RECONNECT_BACKOFF_MILLIS = 200;

    public TransportConfig {
        Objects.requireNonNull(secret, "secret");
        if (connectionsPerPeer < 1) {
            throw new IllegalArgumentException("connectionsPerPeer must be >= 1: " + connectionsPerPeer);
        }
        if (maxPendingPerPeer < 1) {
            throw new IllegalArgumentException("maxPendingPerPeer must be >= 1: " + maxPendingPerPeer);
        }
        if (maxFrameBytes < Frames.HANDSHAKE_MAX_FRAME) {
            throw new IllegalArgumentException("maxFrameBytes must be >= " + Frames.HANDSHAKE_MAX_FRAME
                    + ": " + maxFrameBytes);
        }
        if (connectTimeoutMillis < 1 || connectTimeoutMillis > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("connectTimeoutMillis out of range: " + connectTimeoutMillis);
        }
        if (reconnectBackoffMillis < 0) {
            throw new IllegalArgumentException("reconnectBackoffMillis must be >= 0: " + reconnectBackoffMillis);
        }
    }

    public static TransportConfig defaults(String secret) {
        return new TransportConfig(secret, DEFAULT_CONNECTIONS_PER_PEER, DEFAULT_MAX_PENDING_PER_PEER,
                DEFAULT_MAX_FRAME_BYTES, DEFAULT_CONNECT_TIMEOUT_MILLIS, DEFAULT_RECONNECT_BACKOFF_MILLIS);
    }

    public TransportConfig withConnectionsPerPeer(int n) {
        return new TransportConfig(secret, n, maxPendingPerPeer, maxFrameBytes, connectTimeoutMillis,
                reconnectBackoffMillis);
    }

    public TransportConfig withMaxPendingPerPeer(int n) {
        return new TransportConfig(secret, connectionsPerPeer, n, maxFrameBytes, connectTimeoutMillis,
                reconnectBackoffMillis);
    }

    public TransportConfig withMaxFrameBytes(int n) {
        return new TransportConfig(secret, connectionsPerPeer, maxPendingPerPeer, n, connectTimeoutMillis,
                reconnectBackoffMillis);
    }

    public TransportConfig withReconnectBackoffMillis(long millis) {
        return new TransportConfig(secret, connectionsPerPeer, maxPendingPerPeer, maxFrameBytes,
                connectTimeoutMillis, millis);
    }

    /** Hides the secret, so a config can be logged. */
    @Override
    public String toString() {
        return "TransportConfig[secret=" + (secret.isEmpty() ? "<none>" : "<set>")
                + ", connectionsPerPeer=" + connectionsPerPeer + ", maxPendingPerPeer=" + maxPendingPerPeer
                + ", maxFrameBytes=" + maxFrameBytes + ", connectTimeoutMillis=" + connectTimeoutMillis
                + ", reconnectBackoffMillis=" + reconnectBackoffMillis + "]";
    }
}
