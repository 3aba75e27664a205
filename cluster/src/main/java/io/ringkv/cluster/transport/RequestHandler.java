package io.ringkv.cluster.transport;

/**
 * The serving side of the transport: what a node does with a request a peer sent it. The
 * transport knows nothing of keys or versions; {@code type} and the payload are the
 * application's.
 */
public interface RequestHandler {

    /**
     * A request from a peer. Called on the connection's event loop, in arrival order per
     * connection. Must eventually call exactly one of {@link Responder#reply} or
     * {@link Responder#fail}, from any thread. An exception thrown here is answered as a failure
     * ("internal error: ...") unless the responder was already used.
     */
    void handle(int type, byte[] payload, Responder responder);

    /**
     * Called on the event loop at the end of each read batch that handled at least one request
     * (channelReadComplete), BEFORE the responses produced synchronously during the batch are
     * flushed. If it throws, the connection is closed and those responses are never sent (the
     * server uses it to make a batch's storage writes durable before acknowledging them).
     * Responses given from inside this method are flushed with the batch.
     */
    default void endOfBatch() {}
}
