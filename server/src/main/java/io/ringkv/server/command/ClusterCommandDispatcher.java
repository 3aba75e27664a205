package io.ringkv.server.command;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ringkv.cluster.coordinator.UnavailableException;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.cluster.ClusterKeyspace;
import io.ringkv.server.resp.ProtocolError;
import io.ringkv.server.resp.Reply;
import io.ringkv.storage.Record;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The last handler of a client's pipeline in a cluster, where a command waits on other nodes
 * and an event loop must never wait.
 *
 * <p>Two paths. Plain GET and SET, the bulk of any workload, run asynchronously right here: the
 * coordinator's future completes on some event loop and the reply is put in its place. Every
 * other command runs the ordinary command code on a virtual thread, blocking on the quorum as it
 * likes (ClusterKeyspace), and hands its reply back here.
 *
 * <p>Replies leave in the order the commands came, as Redis promises, through a queue of reply
 * slots; each completed prefix is written with one flush. Consecutive GETs of different keys
 * run in parallel (that is what makes pipelined reads fast); a SET or any other command starts
 * only once everything before it has finished, a GET only once every write before it has and
 * any GET of the same key has, so a connection always reads its own writes, writes in the order
 * it sent them, and never sees one key go back in time. docs/cluster.md says what the parallel
 * reads give up (reads of different keys are not ordered among themselves).
 *
 * <p>All the state below is touched on the channel's event loop only; completions hop to it.
 * Backpressure: past {@link #MAX_PENDING} commands waiting or running, or while the socket's
 * write buffer is above its high watermark, the client is not read from.
 */
public final class ClusterCommandDispatcher extends ChannelInboundHandlerAdapter {

    private static final int MAX_PENDING = 1024;

    private enum Kind { READ, WRITE, OTHER }

    /** One command's place in the reply order. */
    private static final class Slot {
        ByteBuf bytes;
        boolean done;
    }

    private final ServerContext server;
    private final ClientSession session;
    private final CommandRunner runner;
    private final ClusterKeyspace keyspace;
    /** Formats the fast path's replies; used on the event loop only. */
    private final Reply fastReply = new Reply();
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private int running;
    private int writesRunning;
    private boolean closed;
    private ChannelHandlerContext ctx;

    public ClusterCommandDispatcher(ServerContext server, ClientSession session) {
        this.server = server;
        this.session = session;
        this.runner = new CommandRunner(server, session);
        this.keyspace = (ClusterKeyspace) server.keyspace();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!session.authenticated() && waiting.isEmpty() && running == 0 && isAuthentication(msg)) {
            // Run AUTH (or HELLO ... AUTH) at once, here: the decoder applies the stricter limits
            // of an unauthenticated client to what follows until it has run, so a pipelined AUTH
            // followed by a large command would otherwise be refused (the single-node dispatcher
            // runs everything inline and has no such gap).
            Slot slot = new Slot();
            slots.add(slot);
            running++;
            writesRunning++;
            ByteBuf out = ctx.alloc().ioBuffer(64);
            Reply reply = session.reply();
            reply.target(out);
            try {
                runner.run(msg, reply);
            } finally {
                reply.target(null);
            }
            finished(slot, out, true, false);
            return;
        }
        waiting.add(msg);
        if (waiting.size() + slots.size() >= MAX_PENDING) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        startWhatMayStart();
        ctx.fireChannelReadComplete();
    }

    private static Kind kindOf(Object msg, ClientSession session) {
        if (msg instanceof byte[][] argv && session.authenticated()) {
            if (argv.length == 2 && is(argv[0], 'g', 'e', 't')) {
                return Kind.READ;
            }
            if (argv.length == 3 && is(argv[0], 's', 'e', 't')) {
                return Kind.WRITE;
            }
        }
        return Kind.OTHER;
    }

    private static boolean isAuthentication(Object msg) {
        if (!(msg instanceof byte[][] argv) || argv.length == 0) {
            return false;
        }
        String name = new String(argv[0], java.nio.charset.StandardCharsets.US_ASCII);
        return name.equalsIgnoreCase("auth") || name.equalsIgnoreCase("hello");
    }

    private static boolean is(byte[] name, char a, char b, char c) {
        return name.length == 3 && (name[0] | 0x20) == a && (name[1] | 0x20) == b && (name[2] | 0x20) == c;
    }

    private void startWhatMayStart() {
        try {
            startAll();
        } finally {
            if (wroteLocally) {
                wroteLocally = false;
                awaitLocalWrites();
            }
        }
        if (waiting.size() + slots.size() < MAX_PENDING && ctx.channel().isWritable() && !closed
            && !session.shouldCloseAfterReply()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /*
     * A SET's own replica is written here, on the event loop, with its commit-log write deferred
     * (see set): the writes of every SET started in one pass go to the log together, here, before
     * this task ends. No reply can leave earlier: replies are written by later tasks of this loop.
     */
    private boolean wroteLocally;

    private void awaitLocalWrites() {
        try {
            server.engine().awaitDurable();
        } catch (RuntimeException e) {
            server.log().warning("Closing client id=" + session.id() + ": its writes could not be made durable: " + e);
            closed = true;
            ctx.close();
        }
    }

    private void startAll() {
        while (!waiting.isEmpty() && !closed && !session.shouldCloseAfterReply()) {
            Kind kind = kindOf(waiting.peek(), session);
            if (kind == Kind.READ ? writesRunning > 0 || readingKey(((byte[][]) waiting.peek())[1]) : running > 0) {
                return;
            }
            Object msg = waiting.poll();
            Slot slot = new Slot();
            slots.add(slot);
            String moved = redirect(msg);
            if (moved != null) {
                ByteBuf out = ctx.alloc().ioBuffer(64);
                fastReply.target(out);
                fastReply.error(moved);
                fastReply.target(null);
                server.stats().errorReplies.increment();
                slot.bytes = out;
                slot.done = true;
                flushDone();
                continue;
            }
            running++;
            if (kind != Kind.READ) {
                writesRunning++;
            }
            try {
                switch (kind) {
                    case READ -> get(slot, ((byte[][]) msg)[1]);
                    case WRITE -> set(slot, ((byte[][]) msg)[1], ((byte[][]) msg)[2]);
                    case OTHER -> Thread.ofVirtual().name("ringkv-client-", session.id()).start(() -> runOther(slot, msg));
                }
            } catch (RuntimeException e) {
                // The command could not even start (the local replica failed at once): its slot
                // must still be filled, or every later reply of the connection would wait for it.
                ByteBuf out = ctx.alloc().ioBuffer(64);
                fastReply.target(out);
                failure(e);
                fastReply.target(null);
                if (kind == Kind.READ) {
                    readsRunning.remove(((byte[][]) msg)[1]);
                }
                finished(slot, out, kind != Kind.READ, false);
            }
        }
    }

    /**
     * With cluster-redirects yes, a command whose first key this node holds no replica of is
     * answered "MOVED slot host:port" naming the slot's head, as Redis Cluster answers a key it
     * does not serve; every client must then be cluster-aware. Null when the command runs here.
     */
    private String redirect(Object msg) {
        if (!(msg instanceof byte[][] argv) || !server.config().get("cluster-redirects").equals("yes")) {
            return null;
        }
        CommandSpec spec = server.commands().lookup(argv[0]);
        if (spec == null || spec.firstKey() <= 0 || spec.firstKey() >= argv.length || !spec.arityAccepts(argv.length)) {
            return null;
        }
        int keySlot = io.ringkv.cluster.ring.Slots.slot(argv[spec.firstKey()]);
        io.ringkv.cluster.membership.Topology topology = server.cluster().topology();
        if (topology.holds(keySlot)) {
            return null;
        }
        io.ringkv.cluster.membership.NodeAddress head = topology.replicas(keySlot).get(0).address();
        return "MOVED " + keySlot + " " + head.host() + ":" + head.port();
    }

    private void countCommand(String name) {
        server.stats().commandsProcessed.increment();
        session.touch(server.clock().millis(), name);
    }

    /*
     * Two GETs of one key in one pipeline run one after the other: run in parallel, the second
     * could answer an older value than the first while another client writes the key.
     */
    private final java.util.List<byte[]> readsRunning = new java.util.ArrayList<>();

    private boolean readingKey(byte[] key) {
        for (byte[] k : readsRunning) {
            if (java.util.Arrays.equals(k, key)) {
                return true;
            }
        }
        return false;
    }

    private void get(Slot slot, byte[] key) {
        countCommand("get");
        readsRunning.add(key);
        CompletableFuture<io.ringkv.cluster.coordinator.Coordinator.ReadResult> read =
            keyspace.coordinator().read(key, keyspace.readLevel(session), keyspace.timeoutMillis());
        read.whenComplete((result, error) -> ctx.executor().execute(() -> {
            ByteBuf out = ctx.alloc().ioBuffer(64);
            fastReply.target(out);
            if (error != null) {
                failure(error);
            } else {
                long now = server.clock().millis();
                Versioned<StoredValue> winner = ReplicaStore.winner(result.merged(), now);
                if (winner == null) {
                    ClusterKeyspace.expireLocally(keyspace.replicas(), key, result.merged(), now);
                }
                (winner == null ? server.stats().keyspaceMisses : server.stats().keyspaceHits).increment();
                fastReply.bulk(winner == null ? null : winner.value().value());
            }
            fastReply.target(null);
            readsRunning.remove(key);
            finished(slot, out, false);
        }));
    }

    private void set(Slot slot, byte[] key, byte[] value) {
        countCommand("set");
        server.engine().deferDurability();
        CompletableFuture<?> write;
        try {
            write = keyspace.coordinator().write(key, VectorClock.empty(), true, new StoredValue(value, Record.NO_EXPIRY),
                keyspace.writeLevel(session), keyspace.timeoutMillis());
        } finally {
            server.engine().resumeDurability();
            wroteLocally = true;
        }
        write.whenComplete((result, error) ->
            ctx.executor().execute(() -> {
                ByteBuf out = ctx.alloc().ioBuffer(16);
                fastReply.target(out);
                if (error != null) {
                    failure(error);
                } else {
                    fastReply.ok();
                }
                fastReply.target(null);
                finished(slot, out, true);
            }));
    }

    private void failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        server.stats().errorReplies.increment();
        if (cause instanceof UnavailableException) {
            fastReply.error("UNAVAILABLE " + cause.getMessage());
        } else {
            server.log().warning("Cluster request failed: " + cause);
            fastReply.error("ERR internal error: " + cause.getClass().getSimpleName());
        }
    }

    /** Any other command, the ordinary code on a virtual thread; its reply comes back here. */
    private void runOther(Slot slot, Object msg) {
        ByteBuf out = ctx.alloc().ioBuffer(256);
        Reply reply = session.reply();
        reply.target(out);
        try {
            keyspace.runFor(session, () -> runner.run(msg, reply));
        } finally {
            reply.target(null);
            ctx.executor().execute(() -> finished(slot, out, true));
        }
    }

    private void finished(Slot slot, ByteBuf out, boolean write) {
        finished(slot, out, write, true);
    }

    /** @param startMore false when called from inside the start loop, which goes on by itself */
    private void finished(Slot slot, ByteBuf out, boolean write, boolean startMore) {
        running--;
        if (write) {
            writesRunning--;
        }
        if (closed) {
            out.release();
            return;
        }
        slot.bytes = out;
        slot.done = true;
        flushDone();
        if (startMore) {
            startWhatMayStart();
        }
    }

    /** Writes every finished reply at the head of the order, with one flush. */
    private void flushDone() {
        boolean wrote = false;
        while (!slots.isEmpty() && slots.peek().done) {
            ByteBuf bytes = slots.poll().bytes;
            server.stats().netOutputBytes.add(bytes.readableBytes());
            ctx.write(bytes, ctx.voidPromise());
            wrote = true;
        }
        if (session.shouldCloseAfterReply() && slots.isEmpty()) {
            // After QUIT or a protocol error: the replies so far go out, then the connection closes.
            closed = true;
            ctx.writeAndFlush(ctx.alloc().buffer(0)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (wrote && !flushScheduled) {
            // Replies of a pipelined batch complete as separate event-loop tasks (one per reply
            // from the other nodes); one flush after all of them that are queued now saves a
            // write system call per reply.
            flushScheduled = true;
            ctx.executor().execute(this::flushNow);
        }
    }

    private boolean flushScheduled;

    private void flushNow() {
        flushScheduled = false;
        if (closed) {
            return;
        }
        ctx.flush();
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            startWhatMayStart();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        for (Slot slot : slots) {
            if (slot.bytes != null) {
                slot.bytes.release();
            }
        }
        slots.clear();
        waiting.clear();
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
