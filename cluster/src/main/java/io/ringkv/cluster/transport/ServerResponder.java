package io.ringkv.cluster.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The {@link Responder} of one received request. Answers given on the connection's event loop
 * are written at once; from another thread, the responder itself is the task that writes it.
 */
final class ServerResponder implements Responder, Runnable {

    private static final VarHandle ANSWERED;

    static {
        try {
            ANSWERED = MethodHandles.lookup().findVarHandle(ServerResponder.class, "answered", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ServerConnection connection;
    private final long id;
    @SuppressWarnings("unused") // through ANSWERED
    private volatile int answered;
    // Written before the hand-over to the event loop, which publishes them.
    private byte kind;
    private byte[] body;

    ServerResponder(ServerConnection connection, long id) {
        this.connection = connection;
        this.id = id;
    }

    @Override
    public void reply(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        claim();
        answer(Frames.REPLY, payload);
    }

    @Override
    public void fail(String message) {
        claim();
        answer(Frames.FAILURE, String.valueOf(message).getBytes(StandardCharsets.UTF_8));
    }

    /** Fails the request if nothing answered it yet (the handler threw). */
    void failIfUnanswered(String message) {
        if (ANSWERED.compareAndSet(this, 0, 1)) {
            answer(Frames.FAILURE, message.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void claim() {
        if (!ANSWERED.compareAndSet(this, 0, 1)) {
            throw new IllegalStateException("request already answered");
        }
    }

    private void answer(byte kind, byte[] body) {
        this.kind = kind;
        this.body = body;
        connection.dispatch(this);
    }

    @Override
    public void run() {
        connection.answered(id, kind, body);
    }
}
