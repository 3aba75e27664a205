package io.ringkv.server.command;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.cluster.ClusterKeyspace;
import io.ringkv.server.resp.Reply;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * The last handler of a client's pipeline in a cluster: commands wait on other nodes (a quorum
 * read is a network round trip), and an event loop must never wait, so they run on a virtual
 * thread instead, one at a time per connection.
 *
 * <p>The event loop queues each decoded message; at the end of each read batch it starts a
 * virtual thread for the connection unless one is running. That thread runs everything queued,
 * in order, writes the replies as one buffer and flushes it, and goes on until the queue is
 * empty. One thread per connection at a time keeps Redis's guarantee that a connection's
 * commands run in the order sent, and a pipelined batch still costs one write and one flush.
 *
 * <p>Backpressure: past {@link #MAX_QUEUED} waiting messages, or while the socket's write buffer
 * is above its high watermark, the event loop stops reading from the client; the runner turns
 * reading back on when it has caught up.
 */
public final class OffLoopCommandDispatcher extends ChannelInboundHandlerAdapter {

    private static final int MAX_QUEUED = 1024;

    private final ServerContext server;
    private final ClientSession session;
    private final CommandRunner runner;
    private final ClusterKeyspace keyspace;
    /** Messages waiting to run; guarded by itself. */
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** True while a runner thread owns the queue; guarded by {@link #queue}. */
    private boolean running;
    private volatile boolean closed;

    public OffLoopCommandDispatcher(ServerContext server, ClientSession session) {
        this.server = server;
        this.session = session;
        this.runner = new CommandRunner(server, session);
        this.keyspace = (ClusterKeyspace) server.keyspace();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        synchronized (queue) {
            queue.add(msg);
            if (queue.size() >= MAX_QUEUED) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        synchronized (queue) {
            if (running || queue.isEmpty()) {
                return;
            }
            running = true;
        }
        Thread.ofVirtual().name("ringkv-client-", session.id()).start(() -> drain(ctx));
        ctx.fireChannelReadComplete();
    }

    private void drain(ChannelHandlerContext ctx) {
        Reply reply = session.reply();
        while (true) {
            Object[] batch;
            synchronized (queue) {
                if (queue.isEmpty() || closed) {
                    queue.clear();
                    running = false;
                    break;
                }
                batch = queue.toArray();
                queue.clear();
            }
            ByteBuf out = ctx.alloc().ioBuffer(8192);
            reply.target(out);
            keyspace.runFor(session, () -> {
                for (Object msg : batch) {
                    if (session.shouldCloseAfterReply()) {
                        break; // after QUIT or a protocol error nothing more runs, as in Redis
                    }
                    runner.run(msg, reply);
                }
            });
            reply.target(null);
            server.stats().netOutputBytes.add(out.readableBytes());
            if (session.shouldCloseAfterReply()) {
                closed = true;
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (out.isReadable()) {
                ctx.writeAndFlush(out, ctx.voidPromise());
            } else {
                out.release();
            }
        }
        if (!closed && ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
        // A batch queued after the check above but before running was cleared found running
        // true and started no thread: look again.
        boolean again;
        synchronized (queue) {
            again = !queue.isEmpty() && !running && !closed;
            if (again) {
                running = true;
            }
        }
        if (again) {
            drain(ctx);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !session.shouldCloseAfterReply()) {
            synchronized (queue) {
                if (queue.size() < MAX_QUEUED) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
        } else if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
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
