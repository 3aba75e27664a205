package io.ringkv.cluster.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.LongObjectHashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The connecting side of one connection to a peer: it runs the handshake, sends requests and
 * matches answers to them.
 *
 * Threading: the event loop is chosen before the channel exists, and every field but
 * {@code state} and {@code channel} is touched only on it. A request from another thread is
 * handed over with one task; ids, the pending map and the timers then need no locks, and the
 * order in which one thread submits requests is the order they are written.
 *
 * Lifecycle: CONNECTING (TCP connect) -> HANDSHAKING -> READY -> CLOSED. Requests submitted
 * before READY wait in {@code waiting} and are written, in order, when READY arrives. Entering
 * CLOSED, from any state, fails every pending request with PeerUnavailableException at once;
 * closing before READY also starts the peer's reconnect backoff.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    enum State { CONNECTING, HANDSHAKING, READY, CLOSED }

    private final InternodeTransport transport;
    private final Peer peer;
    private final EventLoop loop;
    private final FrameDecoder decoder;
    private final Counters counters;

    private volatile State state = State.CONNECTING;
    /** Set by the creator right after connect() starts. */
    volatile Channel channel;

    private ChannelHandlerContext ctx;
    private final LongObjectHashMap<Pending> pending = new LongObjectHashMap<>();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private long nextId = 1;
    private byte[] nonce;
    private boolean challenged;
    private ScheduledFuture<?> handshakeTimer;
    private boolean flushScheduled;
    private final Runnable flushTask = this::flushNow;
    private String closeReason;

    ClientConnection(InternodeTransport transport, Peer peer, EventLoop loop, FrameDecoder decoder) {
        this.transport = transport;
        this.peer = peer;
        this.loop = loop;
        this.decoder = decoder;
        this.counters = transport.counters();
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    boolean isReady() {
        return state == State.READY;
    }

    // ---- requests (any thread -> event loop) -----------------------------------------------

    void submit(Pending p) {
        if (loop.inEventLoop()) {
            send(p);
            return;
        }
        try {
            loop.execute(() -> send(p));
        } catch (RejectedExecutionException e) {
            counters.unavailable.increment();
            p.fail(new PeerUnavailableException("event loop shut down"));
        }
    }

    private void send(Pending p) {
        if (state == State.CLOSED) {
            counters.unavailable.increment();
            p.fail(new PeerUnavailableException(closeReason));
            return;
        }
        long remaining = p.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            counters.timeouts.increment();
            p.fail(timeout(p));
            return;
        }
        p.connection = this;
        // Ids are a sequence spread over the 64-bit space by an odd multiplier (a bijection, so
        // still unique): Netty's LongObjectHashMap hashes a long by folding its halves, so
        // consecutive ids would fill consecutive buckets, and with thousands in flight every
        // remove shifted a long run of entries (it was the top of a CPU profile).
        p.id = (nextId++) * 0x9E3779B97F4A7C15L;
        pending.put(p.id, p);
        p.timer = loop.schedule(p, remaining, TimeUnit.NANOSECONDS);
        if (state == State.READY) {
            write(p);
            scheduleFlush();
        } else {
            waiting.add(p);
        }
    }

    private void write(Pending p) {
        // The peer learns how long it has left, rounded up, so it can drop a request nobody
        // will wait for (docs/transport.md, "Deadlines").
        long remainingNanos = p.deadlineNanos - System.nanoTime();
        long millis = Math.clamp((remainingNanos + 999_999) / 1_000_000, 1L, Integer.MAX_VALUE);
        int bytes = Frames.write(ctx, Frames.REQUEST, p.id, p.type, (int) millis, p.payload);
        p.payload = null;
        counters.requestsSent.increment();
        counters.bytesSent.add(bytes);
    }

    /*
     * One flush per run of the event loop's task queue rather than one per request: requests
     * handed over from other threads in a burst are each a task, and all of them that are queued
     * before the flush task go out in one write system call.
     */
    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (state == State.READY) {
            ctx.flush();
        }
    }

    void timedOut(Pending p) {
        if (pending.remove(p.id) == p) {
            counters.timeouts.increment();
            p.fail(timeout(p));
        }
    }

    private TimeoutException timeout(Pending p) {
        return new TimeoutException("no reply from " + peer.address + " within " + p.timeoutMillis + " ms");
    }

    // ---- channel events ----------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (state != State.CONNECTING) {
            ctx.close();
            return;
        }
        state = State.HANDSHAKING;
        nonce = transport.handshake().nonce();
        counters.bytesSent.add(Frames.writeHandshake(ctx, Frames.HELLO, Handshake.hello(nonce)));
        ctx.flush();
        handshakeTimer = loop.schedule(() -> {
            if (state == State.HANDSHAKING) {
                closeWith("handshake with " + peer.address + " timed out");
            }
        }, transport.config().connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame f = (Frame) msg;
        switch (state) {
            case HANDSHAKING -> onHandshake(f);
            case READY -> onAnswer(f);
            default -> { } // closing: nothing more is processed
        }
    }

    private void onHandshake(Frame f) {
        if (f.kind() == Frames.REJECT) {
            String reason = new String(f.body(), StandardCharsets.UTF_8);
            if (reason.startsWith(Handshake.AUTH_FAILED)) {
                counters.authFailures.increment();
            }
            closeWith("peer " + peer.address + " refused the connection: " + reason);
        } else if (f.kind() == Frames.CHALLENGE && !challenged) {
            Handshake.Greeting g = Handshake.parseGreeting(f.body(), true);
            if (g == null) {
                closeWith("malformed handshake from " + peer.address);
                return;
            }
            if (g.magic() != Handshake.MAGIC || g.version() != Handshake.VERSION) {
                closeWith("peer " + peer.address + ": " + Handshake.describe(g));
                return;
            }
            Handshake hs = transport.handshake();
            if (!hs.accepts(hs.acceptorProof(nonce, g.nonce()), g.proof())) {
                counters.authFailures.increment();
                reject(Handshake.AUTH_FAILED + ": the acceptor did not prove the cluster secret");
                closeWith(Handshake.AUTH_FAILED + ": peer " + peer.address
                        + " did not prove the cluster secret");
                return;
            }
            challenged = true;
            counters.bytesSent.add(Frames.writeHandshake(ctx, Frames.PROOF,
                    Handshake.proofBody(hs.connectorProof(g.nonce(), nonce))));
            ctx.flush();
        } else if (f.kind() == Frames.READY && challenged) {
            state = State.READY;
            handshakeTimer.cancel(false);
            decoder.openLimit();
            peer.connectSucceeded();
            for (Pending p : waiting) {
                if (pending.get(p.id) == p) { // else it timed out while waiting
                    write(p);
                }
            }
            waiting.clear();
            ctx.flush();
        } else {
            closeWith("protocol error: unexpected frame kind " + f.kind() + " from " + peer.address
                    + " during the handshake");
        }
    }

    private void reject(String reason) {
        counters.bytesSent.add(Frames.writeHandshake(ctx, Frames.REJECT, reason.getBytes(StandardCharsets.UTF_8)));
        ctx.flush();
    }

    private void onAnswer(Frame f) {
        boolean reply = f.kind() == Frames.REPLY;
        if (!reply && f.kind() != Frames.FAILURE) {
            closeWith("protocol error: unexpected frame kind " + f.kind() + " from " + peer.address);
            return;
        }
        Pending p = pending.remove(f.id());
        if (p == null) {
            counters.lateReplies.increment(); // timed out already: ignored
            return;
        }
        p.cancelTimer();
        if (reply) {
            counters.repliesReceived.increment();
            p.complete(f.body());
        } else {
            counters.remoteFailures.increment();
            p.fail(new RemoteFailureException(new String(f.body(), StandardCharsets.UTF_8)));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeWith("connection to " + peer.address + " closed");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        closeWith("connection to " + peer.address + " failed: " + c.getMessage());
    }

    /** The TCP connect failed (refused, timed out, unreachable). Any thread. */
    void connectFailed(Throwable cause) {
        onLoop(() -> closeWith("cannot connect to " + peer.address + ": " + cause.getMessage()));
    }

    /** Closes the connection, failing its pending requests with the reason. Any thread. */
    void close(String reason) {
        onLoop(() -> closeWith(reason));
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                Channel ch = channel;
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }

    /*
     * The one way into CLOSED. The first reason wins (a REJECT's "authentication failed" must
     * not be replaced by the "connection closed" that follows it). Pending requests fail here,
     * before the channel is closed, so that close() returning means they have failed.
     */
    private void closeWith(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasReady = state == State.READY;
        closeReason = reason;
        state = State.CLOSED;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        if (!wasReady) {
            peer.connectFailed(reason);
        }
        if (!pending.isEmpty()) {
            List<Pending> failed = new ArrayList<>(pending.values());
            pending.clear();
            for (Pending p : failed) {
                p.cancelTimer();
                counters.unavailable.increment();
                p.fail(new PeerUnavailableException(reason));
            }
        }
        waiting.clear();
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        } else if (ctx != null) {
            ctx.close();
        }
    }
}
