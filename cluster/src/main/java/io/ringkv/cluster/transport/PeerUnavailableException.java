package io.ringkv.cluster.transport;

/**
 * The request could not reach the peer or its connection was lost before the reply: connect
 * refused or timed out (and, for reconnectBackoffMillis after that, every request to the peer),
 * connection closed, authentication refused (the message says "authentication failed"), or the
 * transport closed. The request may or may not have been handled by the peer.
 */
public final class PeerUnavailableException extends RuntimeException {
    public PeerUnavailableException(String message) {
        // No stack trace: this is an expected outcome, raised for every pending request of a
        // lost connection at once, and the message says all there is to say.
        super(message, null, false, false);
    }
}
