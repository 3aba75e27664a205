package io.ringkv.server.command;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.resp.ProtocolError;
import io.ringkv.server.resp.Reply;
import java.io.IOException;

/**
 * The last handler of a client's pipeline: runs each decoded command and writes its reply.
 *
 * <p>Replies of one read batch (a pipeline of commands that arrived together) go into one buffer
 * that is written and flushed once, in {@link #channelReadComplete}: one syscall per batch instead
 * of one per reply. When the client stops reading and the socket's write buffer passes its high
 * watermark, the server stops reading from that client until it drains, so a client that
 * pipelines without reading cannot make the server buffer without bound.
 */
public final class CommandDispatcher extends ChannelInboundHandlerAdapter {

    private final ServerContext server;
    private final ClientSession session;
    private final CommandRunner runner;
    private ByteBuf batch;

    public CommandDispatcher(ServerContext server, ClientSession session) {
        this.server = server;
        this.session = session;
        this.runner = new CommandRunner(server, session);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Reply reply = session.reply();
        if (batch == null) {
            // Large enough for a pipelined batch of small replies without regrowing; pooled, so
            // the size costs nothing when it is not used.
            batch = ctx.alloc().ioBuffer(8192);
            reply.target(batch);
        }
        runner.run(msg, reply);
        if (msg instanceof ProtocolError) {
            flushBatch(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // This connection's event loop batches log writes; see flushBatch.
        server.engine().deferDurability();
        ctx.fireChannelActive();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushBatch(ctx);
        ctx.fireChannelReadComplete();
    }

    /**
     * Sends the batch's replies, after making the batch's writes durable: one commit-log write
     * (and one fsync with appendfsync always) covers every write of the batch, and nothing is
     * acknowledged before it is as durable as promised. If that fails, no reply of the batch is
     * sent and the connection is closed: the client must not take an unlogged write for done.
     */
    private void flushBatch(ChannelHandlerContext ctx) {
        ByteBuf out = batch;
        if (out == null) {
            return;
        }
        try {
            server.engine().awaitDurable();
        } catch (RuntimeException e) {
            server.log().warning("Closing client id=" + session.id() + ": its writes could not be made durable: " + e);
            batch = null;
            session.reply().target(null);
            out.release();
            ctx.close();
            return;
        }
        batch = null;
        session.reply().target(null);
        server.stats().netOutputBytes.add(out.readableBytes());
        if (session.shouldCloseAfterReply()) {
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (out.isReadable()) {
            ctx.writeAndFlush(out, ctx.voidPromise());
        } else {
            out.release();
        }
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !session.shouldCloseAfterReply()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (batch != null) {
            batch.release();
            batch = null;
        }
        server.clients().remove(session);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            server.log().warning("Closing client id=" + session.id() + " after an error: " + cause);
        }
        ctx.close();
    }
}
