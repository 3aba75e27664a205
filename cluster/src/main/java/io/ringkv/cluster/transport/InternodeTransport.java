package io.ringkv.cluster.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Request/response messaging between nodes over a few long-lived TCP connections per peer. It
 * knows nothing of keys or versions: a request is an application-defined int type and a byte[]
 * payload, its answer a byte[] or a failure message. The wire protocol (framing, handshake,
 * shared-secret proofs, deadlines) is in docs/transport.md.
 *
 * Each transport both serves ({@link #bind}, requests go to the {@link RequestHandler}) and
 * requests ({@link #request}). Connections carry requests one way only: from the side that
 * opened them to the side that accepted them, so two nodes that talk both ways hold two sets.
 *
 * The event loop group and channel classes are the caller's (the server picks epoll, io_uring
 * or NIO); the transport does not shut the group down. Futures complete on an event loop: their
 * callbacks must not block.
 */
public final class InternodeTransport implements AutoCloseable {

    /*
     * Outbound buffer bounds of accepted connections: above HIGH the connection stops reading
     * requests until the buffer drains below LOW (see ServerConnection).
     */
    private static final int WRITE_LOW_WATER = 256 * 1024;
    private static final int WRITE_HIGH_WATER = 1024 * 1024;
    private static final long CLOSE_WAIT_MILLIS = 5000;

    private final TransportConfig config;
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final RequestHandler handler;
    private final Handshake handshake;
    private final Counters counters = new Counters();
    private final Bootstrap bootstrap;
    private final ConcurrentHashMap<InetSocketAddress, Peer> peers = new ConcurrentHashMap<>();
    private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Channel serverChannel; // guarded by this

    public InternodeTransport(TransportConfig config, EventLoopGroup group,
            Class<? extends ServerChannel> serverChannelClass, Class<? extends Channel> channelClass,
            RequestHandler handler) {
        this.config = Objects.requireNonNull(config, "config");
        this.group = Objects.requireNonNull(group, "group");
        this.serverChannelClass = Objects.requireNonNull(serverChannelClass, "serverChannelClass");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.handshake = new Handshake(config.secret(), new SecureRandom());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(Objects.requireNonNull(channelClass, "channelClass"))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMillis());
    }

    /** Starts listening; returns the bound address (port 0 picks a free one). */
    public synchronized InetSocketAddress bind(InetSocketAddress address) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("transport closed");
        }
        if (serverChannel != null) {
            throw new IllegalStateException("already bound to " + serverChannel.localAddress());
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(serverChannelClass)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_LOW_WATER, WRITE_HIGH_WATER))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        FrameDecoder decoder = new FrameDecoder(config.maxFrameBytes(), counters);
                        ch.pipeline().addLast(decoder, new ServerConnection(InternodeTransport.this, decoder));
                    }
                });
        serverChannel = b.bind(address).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Sends a request; the future completes with the peer's reply payload, or exceptionally with
     * {@link RemoteFailureException} (the peer called fail; its message kept),
     * {@link TimeoutException} (no reply within timeoutMillis), {@link PeerUnavailableException}
     * (cannot connect, connection lost, authentication refused, transport closed),
     * {@link OverloadedException} (maxPendingPerPeer requests already pending to that peer), or
     * IllegalArgumentException (payload too large for maxFrameBytes).
     *
     * {@code affinity} picks the connection (affinity mod connectionsPerPeer), so requests with
     * the same affinity, sent from one thread, are sent and handled by the peer in order. Never
     * blocks. The payload array is kept, not copied, until written: do not modify it.
     */
    public CompletableFuture<byte[]> request(InetSocketAddress peer, int type, byte[] payload,
            long timeoutMillis, int affinity) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(payload, "payload");
        if (closed) {
            counters.unavailable.increment();
            return CompletableFuture.failedFuture(new PeerUnavailableException("transport closed"));
        }
        if (timeoutMillis <= 0) {
            counters.timeouts.increment();
            return CompletableFuture.failedFuture(new TimeoutException("timeout " + timeoutMillis + " ms"));
        }
        if (Frames.frameLength(Frames.REQUEST, payload.length) > config.maxFrameBytes()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("request of "
                    + payload.length + " bytes exceeds the frame limit of " + config.maxFrameBytes()));
        }
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        peer = byName(peer);
        Peer p = peers.get(peer);
        if (p == null) {
            p = peers.computeIfAbsent(peer,
                    a -> new Peer(a, config.connectionsPerPeer(), config.reconnectBackoffMillis()));
        }
        if (p.pending.incrementAndGet() > config.maxPendingPerPeer()) {
            p.pending.decrementAndGet();
            counters.overloaded.increment();
            return CompletableFuture.failedFuture(new OverloadedException(config.maxPendingPerPeer()
                    + " requests already pending to " + peer));
        }
        ClientConnection connection;
        try {
            connection = p.connection(Math.floorMod(affinity, config.connectionsPerPeer()), this);
        } catch (PeerUnavailableException e) {
            p.pending.decrementAndGet();
            counters.unavailable.increment();
            return CompletableFuture.failedFuture(e);
        }
        Pending pending = new Pending(p, type, payload, timeoutMillis, deadlineNanos);
        connection.submit(pending);
        return pending.future;
    }

    /** True when at least one connection to the peer is open and authenticated. */
    public boolean connected(InetSocketAddress peer) {
        Peer p = peers.get(byName(peer));
        return p != null && p.connected();
    }

    /*
     * Peers are known by name and port, never by a resolved address: a name (a Kubernetes pod's
     * DNS name, say) is resolved again at every connection, so a peer that comes back at a new IP
     * is reached there once the old connection fails. An unresolved address passes through
     * without allocating; callers on the request path keep theirs unresolved.
     */
    private static InetSocketAddress byName(InetSocketAddress peer) {
        return peer.isUnresolved() ? peer : InetSocketAddress.createUnresolved(peer.getHostString(), peer.getPort());
    }

    public TransportStats stats() {
        return counters.snapshot();
    }

    /**
     * Closes the listener and every connection; pending requests fail with
     * PeerUnavailableException("transport closed"). Called off the event loops, it waits (a few
     * seconds at most) until the connections are closed and pending requests failed.
     */
    @Override
    public void close() {
        closed = true;
        List<ChannelFuture> closing = new ArrayList<>();
        synchronized (this) {
            if (serverChannel != null) {
                closing.add(serverChannel.close());
            }
        }
        for (Peer p : peers.values()) {
            for (ClientConnection c : p.closeAll("transport closed")) {
                Channel ch = c.channel;
                if (ch != null) {
                    closing.add(ch.closeFuture());
                }
            }
        }
        for (Channel ch : accepted) {
            closing.add(ch.close());
        }
        if (onOwnEventLoop()) {
            return; // waiting here would deadlock
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        for (ChannelFuture f : closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
    }

    private boolean onOwnEventLoop() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    // ---- for the package ---------------------------------------------------------------------

    TransportConfig config() {
        return config;
    }

    RequestHandler handler() {
        return handler;
    }

    Handshake handshake() {
        return handshake;
    }

    Counters counters() {
        return counters;
    }

    boolean isClosed() {
        return closed;
    }

    /** Opens a connection to the peer; called under the peer's lock. */
    ClientConnection connect(Peer peer) {
        EventLoop loop = group.next();
        FrameDecoder decoder = new FrameDecoder(config.maxFrameBytes(), counters);
        ClientConnection connection = new ClientConnection(this, peer, loop, decoder);
        ChannelFuture f = bootstrap.clone(loop)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(decoder, connection);
                    }
                })
                .connect(peer.address);
        connection.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                connection.connectFailed(done.cause());
            }
        });
        return connection;
    }

    void accepted(Channel ch) {
        accepted.add(ch);
        if (closed) { // close() may have iterated before the add
            ch.close();
        }
    }

    void removeAccepted(Channel ch) {
        accepted.remove(ch);
    }
}
