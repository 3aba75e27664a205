package io.ringkv.cluster.transport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One request awaiting its answer. Whoever removes it from its connection's pending map (the
 * answer, the timeout, the connection's close) completes it, exactly once; completing frees its
 * place in the peer's pending bound. It is also the timeout task, so a request costs no lambda
 * for it.
 */
final class Pending implements Runnable {

    final Peer peer;
    final CompletableFuture<byte[]> future = new CompletableFuture<>();
    final int type;
    final long timeoutMillis;
    final long deadlineNanos;
    /** Until written; then null, so a large payload is not kept alive until the reply. */
    byte[] payload;

    // Set on the connection's event loop.
    ClientConnection connection;
    long id;
    ScheduledFuture<?> timer;

    Pending(Peer peer, int type, byte[] payload, long timeoutMillis, long deadlineNanos) {
        this.peer = peer;
        this.type = type;
        this.payload = payload;
        this.timeoutMillis = timeoutMillis;
        this.deadlineNanos = deadlineNanos;
    }

    /** The timeout. */
    @Override
    public void run() {
        connection.timedOut(this);
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    // The pending count drops before the future completes, so a callback that sends the next
    // request finds the place free.
    void complete(byte[] reply) {
        peer.pending.decrementAndGet();
        future.complete(reply);
    }

    void fail(Throwable cause) {
        peer.pending.decrementAndGet();
        future.completeExceptionally(cause);
    }
}
