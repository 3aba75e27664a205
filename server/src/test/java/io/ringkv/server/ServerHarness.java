package io.ringkv.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.server.resp.RespPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Runs the real client pipeline (decoder, assembler, dispatcher, commands) on an in-memory
 * channel: bytes in, exact bytes out, with a clock the test controls. No sockets, no threads.
 *
 * <pre>
 * ServerHarness h = new ServerHarness();
 * assertEquals("+OK\r\n", h.call("SET", "k", "v"));
 * assertEquals("$1\r\nv\r\n", h.call("GET", "k"));
 * </pre>
 */
public final class ServerHarness {

    public final TestClock clock = new TestClock(1_700_000_000_000L);
    public final ServerConfig config;
    public final ServerContext context;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private EmbeddedChannel channel;

    public ServerHarness() {
        this(Map.of());
    }

    /** @param options config options to set before the server is built (name to value) */
    public ServerHarness(Map<String, String> options) {
        this(options, null);
    }

    /**
     * A server whose context carries {@code cluster} as its cluster view (null: not in cluster
     * mode, as the other constructors build it). The server is built as usual and its context
     * copied with the view, so cluster-enabled need not be set and nothing cluster-side starts.
     */
    public ServerHarness(Map<String, String> options, ClusterView cluster) {
        config = new ServerConfig();
        try {
            // In memory unless a test asks for the LSM engine (with its own "dir").
            config.loadFile("storage memory\n");
            config.loadFile(options.entrySet().stream()
                .map(e -> e.getKey() + " \"" + e.getValue() + "\"")
                .reduce("", (a, b) -> a + b + "\n"));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
        ServerLog log = new ServerLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), clock,
            ServerLog.Level.DEBUG);
        ServerContext built = new RingkvServer(config, clock, log).context();
        context = cluster == null ? built : new ServerContext(built.config(), built.engine(), built.keyspace(),
            built.stats(), built.clients(), built.commands(), built.clock(), built.log(), built.startMillis(),
            built.runId(), built.redisVersion(), built.ringkvVersion(), built.transport(), built.tcpPort(), cluster);
        channel = newConnection();
    }

    /** A new client connection on the same server. */
    public EmbeddedChannel newConnection() {
        return new EmbeddedChannel(new RespPipeline(context));
    }

    /** Switches the default connection {@link #call} uses. */
    public void use(EmbeddedChannel connection) {
        this.channel = connection;
    }

    /** Sends one command as a RESP array and returns every byte answered. */
    public String call(String... args) {
        return raw(encode(args));
    }

    /** Sends raw bytes (ISO-8859-1 so every char is one byte) and returns every byte answered. */
    public String raw(String bytes) {
        return raw(channel, bytes);
    }

    public String raw(EmbeddedChannel on, String bytes) {
        on.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        return drain(on);
    }

    public String callOn(EmbeddedChannel on, String... args) {
        return raw(on, encode(args));
    }

    public static String encode(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            int length = arg.getBytes(StandardCharsets.ISO_8859_1).length;
            b.append('$').append(length).append("\r\n").append(arg).append("\r\n");
        }
        return b.toString();
    }

    private static String drain(EmbeddedChannel on) {
        StringBuilder out = new StringBuilder();
        for (Object msg = on.readOutbound(); msg != null; msg = on.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    public String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }
}
