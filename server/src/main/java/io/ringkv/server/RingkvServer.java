package io.ringkv.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.ringkv.server.cluster.ClusterNode;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.ringkv.server.client.ClientRegistry;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.command.Commands;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.server.keyspace.LocalKeyspace;
import io.ringkv.server.info.JvmMetrics;
import io.ringkv.server.metrics.ClusterMetrics;
import io.ringkv.server.metrics.MetricsHttpPipeline;
import io.ringkv.server.metrics.MetricsRegistry;
import io.ringkv.server.metrics.Readiness;
import io.ringkv.server.metrics.ServerMetrics;
import io.ringkv.server.resp.RespPipeline;
import io.ringkv.storage.Engine;
import io.ringkv.storage.MemoryEngine;
import io.ringkv.storage.log.FsyncPolicy;
import io.ringkv.storage.lsm.LsmEngine;
import io.ringkv.storage.lsm.LsmOptions;
import io.ringkv.storage.sstable.Compression;
import io.ringkv.storage.sstable.SSTableOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One ringkv node serving RESP: owns the event loops, the listening sockets, the engine and the
 * server cron (active expiry, idle-client sweep, stats sampling). Everything it builds is handed
 * down through constructors; nothing is static, so a test can run several in one JVM.
 */
public final class RingkvServer implements AutoCloseable {

    private final ServerConfig config;
    private final ServerLog log;
    private final Engine engine;
    private final ServerContext context;
    /** This node's part in a cluster; null when cluster-enabled is no. */
    private final ClusterNode clusterNode;
    private final List<Channel> listeners = new ArrayList<>();
    /** What the metrics port exports and when it calls the node ready (docs/metrics.md). */
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final Readiness readiness = new Readiness();
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private ScheduledExecutorService cron;

    /**
     * Builds the node and opens its storage (for the LSM engine: recovery, which may take a
     * while on a large data set). Throws {@link IllegalStateException} when the storage cannot
     * be opened, with the reason, so that Main can exit the way redis-server does.
     */
    public RingkvServer(ServerConfig config, Clock clock, ServerLog log) {
        this.config = config;
        this.log = log;
        this.engine = openEngine(config, clock, log);
        SplittableRandom seedSource = new SplittableRandom();
        byte[] runId = new byte[20];
        for (int i = 0; i < runId.length; i++) {
            runId[i] = (byte) seedSource.nextInt(256);
        }
        Keyspace keyspace;
        if (config.get("cluster-enabled").equals("yes")) {
            clusterNode = new ClusterNode(config, engine, clock, log);
            keyspace = clusterNode.keyspace();
        } else {
            clusterNode = null;
            keyspace = new LocalKeyspace(engine, clock, new SplittableRandom(seedSource.nextLong()));
        }
        this.context = new ServerContext(config, engine, keyspace, new ServerStats(), new ClientRegistry(),
            Commands.table(), clock, log, clock.millis(), HexFormat.of().formatHex(runId),
            ServerContext.REDIS_VERSION, ServerContext.RINGKV_VERSION, transportName(config),
            new AtomicInteger(config.port()), clusterNode);
        metrics.register(new ServerMetrics(context, JvmMetrics.current()));
        if (clusterNode != null) {
            metrics.register(new ClusterMetrics(clusterNode));
            // Until every seed is met the ring lacks members and requests fail UNAVAILABLE.
            readiness.require("cluster topology complete (every seed met)", () -> clusterNode.topology().complete());
            // A joining node takes traffic only once its slots are streamed (docs/elasticity.md).
            readiness.require("in the ring for reads (joined or normal)", clusterNode::ready);
        }
    }

    /** The sources GET /metrics exports; a component registers its own with one call. */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /** The conditions GET /ready waits for; a component adds its own with one call. */
    public Readiness readiness() {
        return readiness;
    }

    public ServerContext context() {
        return context;
    }

    /**
     * Binds every address of {@code bind} for clients (and, with metrics-port set, for HTTP
     * metrics) and starts the cron; throws if a required address could not bind.
     */
    public void start() throws InterruptedException {
        String transport = context.transport();
        IoHandlerFactory ioFactory = switch (transport) {
            case "epoll" -> EpollIoHandler.newFactory();
            case "io_uring" -> IoUringIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        Class<? extends ServerSocketChannel> channelClass = switch (transport) {
            case "epoll" -> EpollServerSocketChannel.class;
            case "io_uring" -> IoUringServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
        };
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ringkv-accept"), ioFactory);
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(),
            new DefaultThreadFactory("ringkv-io"), ioFactory);
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(bossGroup, workerGroup)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, config.intValue("tcp-backlog"))
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            // Stop reading from a client whose unsent replies pass 1 MB; resume under 256 KB.
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .childHandler(new RespPipeline(context));
        int port = bindEach(bootstrap, config.port(), "server TCP");
        context.tcpPort().set(port);
        int metricsPort = config.intValue("metrics-port");
        if (metricsPort != 0) {
            ServerBootstrap http = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new MetricsHttpPipeline(metrics, readiness, log));
            bindEach(http, metricsPort, "metrics HTTP");
            log.notice("Metrics on port " + metricsPort + " (GET /metrics, /ready, /live)");
        }
        cron = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ringkv-cron", true));
        if (clusterNode != null) {
            Class<? extends SocketChannel> peerChannelClass = switch (transport) {
                case "epoll" -> EpollSocketChannel.class;
                case "io_uring" -> IoUringSocketChannel.class;
                default -> NioSocketChannel.class;
            };
            try {
                clusterNode.start(workerGroup, channelClass, peerChannelClass, cron);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
        long periodMillis = Math.max(1, 1000 / config.hz());
        cron.scheduleWithFixedDelay(this::serverCron, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        log.notice("Server initialized (transport " + transport + ", io-threads " + config.ioThreads()
            + ", storage " + config.get("storage") + ")");
        log.notice("Ready to accept connections tcp on port " + port);
    }

    /**
     * Binds {@code bootstrap} on every address of {@code bind}, as Redis does: an address with a
     * leading '-' may fail (logged), any other failure closes the server and throws with Redis's
     * wording. With port 0 the first address picks a free port and the others take the same one.
     *
     * @return the port bound
     */
    private int bindEach(ServerBootstrap bootstrap, int port, String what) {
        int bound = 0;
        for (String address : config.get("bind").trim().split("\\s+")) {
            boolean optional = address.startsWith("-");
            String host = optional ? address.substring(1) : address;
            if (host.equals("*")) {
                host = "0.0.0.0";
            } else if (host.equals("::*")) {
                host = "::";
            }
            try {
                Channel channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
                listeners.add(channel);
                port = ((InetSocketAddress) channel.localAddress()).getPort();
                bound++;
            } catch (Exception e) {
                if (!optional) {
                    close();
                    throw new IllegalStateException("Could not create " + what + " listening socket " + host + ":"
                        + port + ": " + e.getMessage(), e);
                }
                log.warning("Could not bind optional address " + host + ":" + port + ": " + e.getMessage());
            }
        }
        if (bound == 0) {
            close();
            throw new IllegalStateException("Failed listening on any address of bind '" + config.get("bind") + "' ("
                + what + ")");
        }
        return port;
    }

    /**
     * Background work, Redis's serverCron: active expiry with a time budget of a quarter of the
     * period, closing clients idle past {@code timeout}, and the ops/sec sample. Any failure is
     * logged and the next tick runs anyway.
     */
    private void serverCron() {
        try {
            long period = Math.max(1, 1000 / config.hz());
            context.keyspace().activeExpireCycle(Math.max(1, period / 4));
            long now = context.clock().millis();
            long timeout = config.timeoutSeconds();
            if (timeout > 0) {
                for (ClientSession client : context.clients().all()) {
                    if (now - client.lastInteractionMillis() > timeout * 1000) {
                        log.verbose("Closing idle client id=" + client.id());
                        client.channel().close();
                    }
                }
            }
            context.stats().sample(now);
        } catch (RuntimeException e) {
            log.warning("server cron failed: " + e);
        }
    }

    /** The directory under {@code dir} that holds the LSM engine's files. */
    public static final String DATA_DIRECTORY = "ringkv-data";

    private static Engine openEngine(ServerConfig config, Clock clock, ServerLog log) {
        if (config.get("storage").equals("memory")) {
            return new MemoryEngine();
        }
        Path dir = Path.of(config.get("dir")).resolve(DATA_DIRECTORY);
        long heap = Runtime.getRuntime().maxMemory();
        LsmOptions options = new LsmOptions(dir, fsyncPolicy(config.get("appendfsync")),
            cappedToHeap(config, "memtable-size", heap / MEMTABLE_HEAP_SHARE, log),
            cappedToHeap(config, "block-cache-size", heap / BLOCK_CACHE_HEAP_SHARE, log),
            new SSTableOptions(config.intValue("sstable-block-size"), config.intValue("bloom-bits-per-key"),
                config.get("sstable-compression").equals("lz4") ? Compression.LZ4 : Compression.NONE),
            config.longValue("tombstone-grace") * 1000, config.longValue("compaction-throughput"),
            config.longValue("commit-log-segment-size"));
        try {
            LsmEngine engine = LsmEngine.open(options, clock, log::notice);
            config.onChange("appendfsync", value -> engine.fsyncPolicy(fsyncPolicy(value)));
            return engine;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Can't open the storage in " + dir + ": " + e.getMessage(), e);
        }
    }

    /*
     * The engine's memory lives in the JVM heap: up to three memtables (one active, two
     * flushing), the block cache, every table's index and bloom filter, and a compaction's
     * buffers. The defaults (64 MB memtables, 256 MB cache) suit a heap of a few GB; on a small
     * heap (-Xmx512m) they would not fit together, and an OutOfMemoryError in the compactor
     * leaves the node without compaction. So each is capped to a share of the heap, with a log
     * line saying so; an operator who wants more gives the JVM more heap.
     */
    private static final long MEMTABLE_HEAP_SHARE = 16;
    private static final long BLOCK_CACHE_HEAP_SHARE = 4;

    private static long cappedToHeap(ServerConfig config, String option, long cap, ServerLog log) {
        long wanted = config.longValue(option);
        if (wanted <= cap) {
            return wanted;
        }
        log.notice(option + " " + wanted + " is more than this heap allows (" + Runtime.getRuntime().maxMemory()
            + " bytes); using " + cap);
        return cap;
    }

    private static FsyncPolicy fsyncPolicy(String appendfsync) {
        return switch (appendfsync) {
            case "always" -> FsyncPolicy.ALWAYS;
            case "no" -> FsyncPolicy.NO;
            default -> FsyncPolicy.EVERYSEC;
        };
    }

    public Engine engine() {
        return engine;
    }

    private static String transportName(ServerConfig config) {
        String wanted = config.get("io-transport");
        return switch (wanted) {
            case "epoll", "io_uring", "nio" -> wanted;
            default -> Epoll.isAvailable() ? "epoll" : IoUring.isAvailable() ? "io_uring" : "nio";
        };
    }

    @Override
    public void close() {
        if (clusterNode != null) {
            clusterNode.close();
        }
        for (Channel channel : listeners) {
            channel.close().syncUninterruptibly();
        }
        listeners.clear();
        if (cron != null) {
            cron.shutdownNow();
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        engine.close();
    }
}
