package io.ringkv.cluster.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The accepting side of one connection: it runs the handshake, hands requests to the
 * {@link RequestHandler} and writes their answers. Every field is touched only on the
 * channel's event loop.
 *
 * Batching: an answer given synchronously inside handle() (or inside endOfBatch()) is written
 * without a flush; at channelReadComplete the transport calls endOfBatch() and then flushes
 * once. If endOfBatch() throws, the connection is closed with those answers still unflushed,
 * and Netty discards unflushed writes on close, so none of them reaches the peer. An answer
 * given at any other time (another thread, a later task) is written and flushed at once.
 *
 * Backpressure: the connection stops reading (autoRead false) while its outbound buffer is
 * above the high water mark, or while maxPendingPerPeer of its requests are unanswered, and
 * resumes when both have drained. A peer that sends requests faster than we answer, or never
 * reads our answers, therefore fills its own socket buffers, not our heap.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

    private enum State { AWAIT_HELLO, AWAIT_PROOF, READY, CLOSED }

    private final InternodeTransport transport;
    private final RequestHandler handler;
    private final FrameDecoder decoder;
    private final Counters counters;
    private final int maxFrameBytes;
    private final int maxInFlight;

    private ChannelHandlerContext ctx;
    private EventLoop loop;
    private State state = State.AWAIT_HELLO;
    private ScheduledFuture<?> handshakeTimer;
    private byte[] connectorNonce;
    private byte[] nonce;

    private boolean inBatch;
    private boolean batchHandled;
    private boolean needsFlush;
    private int inFlight;

    ServerConnection(InternodeTransport transport, FrameDecoder decoder) {
        this.transport = transport;
        this.handler = transport.handler();
        this.decoder = decoder;
        this.counters = transport.counters();
        this.maxFrameBytes = transport.config().maxFrameBytes();
        this.maxInFlight = transport.config().maxPendingPerPeer();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = ctx.channel().eventLoop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        transport.accepted(ctx.channel());
        handshakeTimer = loop.schedule(() -> {
            if (state == State.AWAIT_HELLO || state == State.AWAIT_PROOF) {
                closeNow();
            }
        }, transport.config().connectTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Frame f = (Frame) msg;
        switch (state) {
            case AWAIT_HELLO -> onHello(f);
            case AWAIT_PROOF -> onProof(f);
            case READY -> {
                if (f.kind() != Frames.REQUEST) {
                    closeNow(); // protocol error
                    return;
                }
                inBatch = true;
                onRequest(f);
            }
            case CLOSED -> { }
        }
    }

    // ---- handshake ---------------------------------------------------------------------------

    private void onHello(Frame f) {
        Handshake.Greeting g = f.kind() == Frames.HELLO ? Handshake.parseGreeting(f.body(), false) : null;
        if (g == null || g.magic() != Handshake.MAGIC) {
            closeNow(); // not one of ours: no answer
            return;
        }
        if (g.version() != Handshake.VERSION) {
            reject(Handshake.describe(g));
            return;
        }
        Handshake hs = transport.handshake();
        connectorNonce = g.nonce();
        nonce = hs.nonce();
        counters.bytesSent.add(Frames.writeHandshake(ctx, Frames.CHALLENGE,
                Handshake.challenge(nonce, hs.acceptorProof(connectorNonce, nonce))));
        ctx.flush();
        state = State.AWAIT_PROOF;
    }

    private void onProof(Frame f) {
        if (f.kind() == Frames.REJECT) {
            // The connector found our proof wrong.
            if (new String(f.body(), StandardCharsets.UTF_8).startsWith(Handshake.AUTH_FAILED)) {
                counters.authFailures.increment();
            }
            closeNow();
            return;
        }
        byte[] proof = f.kind() == Frames.PROOF ? Handshake.parseProof(f.body()) : null;
        if (proof == null) {
            closeNow();
            return;
        }
        Handshake hs = transport.handshake();
        if (!hs.accepts(hs.connectorProof(nonce, connectorNonce), proof)) {
            counters.authFailures.increment();
            reject(Handshake.AUTH_FAILED + ": wrong cluster secret");
            return;
        }
        state = State.READY;
        handshakeTimer.cancel(false);
        decoder.openLimit();
        counters.bytesSent.add(Frames.writeHandshake(ctx, Frames.READY, Frames.EMPTY));
        ctx.flush();
    }

    /** Sends REJECT with a reason and closes once it is written. */
    private void reject(String reason) {
        state = State.CLOSED;
        handshakeTimer.cancel(false);
        counters.bytesSent.add(Frames.writeHandshake(ctx, Frames.REJECT, reason.getBytes(StandardCharsets.UTF_8)));
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- requests ----------------------------------------------------------------------------

    private void onRequest(Frame f) {
        counters.requestsReceived.increment();
        /*
         * The deadline counts from when the frame's header was decoded. A request is dropped,
         * unanswered, if it has already passed: the requester's own deadline (which started
         * earlier, when it sent) has passed too, so it has failed the request with a timeout
         * and would ignore any answer. Sending none saves the work and the bandwidth.
         */
        if (System.nanoTime() - f.arrivedNanos() >= f.deadlineMillis() * 1_000_000L) {
            counters.expiredDropped.increment();
            return;
        }
        batchHandled = true;
        inFlight++;
        ServerResponder responder = new ServerResponder(this, f.id());
        try {
            handler.handle(f.type(), f.body(), responder);
        } catch (RuntimeException | Error e) {
            responder.failIfUnanswered("internal error: " + e);
        }
        if (inFlight >= maxInFlight) {
            updateAutoRead();
        }
    }

    /** Hands an answer to the event loop (or writes it, when already there). Any thread. */
    void dispatch(ServerResponder responder) {
        if (loop.inEventLoop()) {
            responder.run();
        } else {
            try {
                loop.execute(responder);
            } catch (RejectedExecutionException e) {
                // Shutting down: the connection is closing and the requester fails the request.
            }
        }
    }

    /** Writes one answer; on the event loop. */
    void answered(long id, byte kind, byte[] body) {
        inFlight--;
        if (state != State.READY) {
            return; // closed meanwhile: the requester has failed the request already
        }
        if (Frames.frameLength(kind, body.length) > maxFrameBytes) {
            kind = Frames.FAILURE;
            body = ("reply of " + body.length + " bytes exceeds the frame limit of " + maxFrameBytes)
                    .getBytes(StandardCharsets.UTF_8);
        }
        counters.bytesSent.add(Frames.write(ctx, kind, id, 0, 0, body));
        if (inBatch) {
            needsFlush = true;
        } else {
            ctx.flush();
        }
        updateAutoRead();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (batchHandled) {
            batchHandled = false;
            try {
                handler.endOfBatch();
            } catch (RuntimeException | Error e) {
                // The batch's answers must not go out (e.g. its writes are not durable).
                inBatch = false;
                needsFlush = false;
                closeNow();
                return;
            }
        }
        inBatch = false;
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
        updateAutoRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
    }

    private void updateAutoRead() {
        if (state == State.CLOSED) {
            return;
        }
        boolean read = ctx.channel().isWritable() && inFlight < maxInFlight;
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        transport.removeAccepted(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closeNow(); // oversized or malformed frame, write failure, reset by peer
    }

    private void closeNow() {
        state = State.CLOSED;
        ctx.close();
    }
}
