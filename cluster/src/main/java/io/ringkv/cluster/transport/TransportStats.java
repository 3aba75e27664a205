package io.ringkv.cluster.transport;

/**
 * A snapshot of one transport's counters since it was built. Bytes count whole frames (length
 * field included), handshake frames too.
 *
 * @param requestsSent      requests written to a connection
 * @param requestsReceived  requests decoded from peers (expired ones included)
 * @param repliesReceived   replies matched to a pending request
 * @param remoteFailures    failure answers matched to a pending request
 * @param timeouts          requests failed with TimeoutException
 * @param unavailable       requests failed with PeerUnavailableException
 * @param overloaded        requests refused with OverloadedException
 * @param lateReplies       answers that arrived after their request timed out (ignored)
 * @param expiredDropped    received requests dropped unhandled because their deadline had passed
 * @param authFailures      handshakes refused for a wrong secret, on either side
 */
public record TransportStats(long requestsSent, long requestsReceived, long repliesReceived,
        long remoteFailures, long timeouts, long unavailable, long overloaded, long lateReplies,
        long expiredDropped, long authFailures, long bytesSent, long bytesReceived) {
}
