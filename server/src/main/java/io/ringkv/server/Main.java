package io.ringkv.server;

import io.ringkv.server.config.ConfigException;
import io.ringkv.server.config.ServerConfig;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * {@code ringkv-server [config-file] [--option value ...]}: started exactly like redis-server.
 * Exits with status 1 and Redis's kind of message on a bad configuration.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // Netty checks every buffer access against the reference count and bounds; the server's
        // own code only touches buffers it owns, so the checks cost throughput and buy nothing.
        // Set before any Netty class loads; an explicit -D on the command line wins.
        defaultProperty("io.netty.buffer.checkAccessible", "false");
        defaultProperty("io.netty.buffer.checkBounds", "false");
        // Leak detection wraps sampled buffers (the decoder's slices among them) in tracking
        // wrappers; it is a debugging aid, switched on with -Dio.netty.leakDetection.level=simple.
        defaultProperty("io.netty.leakDetection.level", "disabled");
        ServerConfig config;
        try {
            config = ServerConfig.fromArgs(args);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        PrintStream out = System.out;
        String logfile = config.get("logfile");
        if (!logfile.isEmpty()) {
            out = new PrintStream(new FileOutputStream(logfile, true), true, StandardCharsets.UTF_8);
        }
        Clock clock = Clock.systemUTC();
        ServerLog log = new ServerLog(out, clock, ServerLog.parseLevel(config.get("loglevel")));
        log.notice("ringkv " + ServerContext.RINGKV_VERSION + " (Redis " + ServerContext.REDIS_VERSION
            + " compatible) starting, pid=" + ProcessHandle.current().pid());
        writePidFile(config, log);
        RingkvServer server;
        try {
            server = new RingkvServer(config, clock, log);
            server.start();
        } catch (IllegalStateException e) {
            log.warning(e.getMessage());
            System.exit(1);
            return;
        }
        // SIGTERM and SIGINT shut down cleanly and exit with status 0, as redis-server does
        // (supervisors and scripts read a non-zero status as a crash). The JVM's default would
        // run the hook below and exit with 143 or 130.
        for (String signal : new String[] {"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                log.warning("Received SIG" + signal + " scheduling shutdown...");
                System.exit(0);
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            log.warning("ringkv is now ready to exit, bye bye...");
        }, "ringkv-shutdown"));
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    private static void writePidFile(ServerConfig config, ServerLog log) {
        String pidfile = config.get("pidfile");
        if (pidfile.isEmpty()) {
            return;
        }
        try {
            Files.writeString(Path.of(pidfile), ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            log.warning("Failed to write PID file: " + e.getMessage());
        }
    }
}
