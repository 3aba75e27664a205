package io.ringkv.cluster.transport;

/**
 * More than maxPendingPerPeer requests were already waiting for that peer's replies. The request
 * was not sent: the transport fails fast rather than queueing without bound.
 */
public final class OverloadedException extends RuntimeException {
    public OverloadedException(String message) {
        super(message, null, false, false);
    }
}
