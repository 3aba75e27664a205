package io.ringkv.cluster.transport;

/**
 * Answers one request. Exactly one of the two methods is called, once, from any thread; a second
 * answer is a bug and throws {@link IllegalStateException}. An answer for a connection that has
 * closed meanwhile is dropped (the requester already failed it).
 */
public interface Responder {

    /** Answers with a payload; the transport keeps the array until it is written. */
    void reply(byte[] payload);

    /** Answers with a failure; the requester's future fails with {@link RemoteFailureException}. */
    void fail(String message);
}
