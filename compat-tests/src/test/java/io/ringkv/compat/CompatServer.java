package io.ringkv.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server under test, for every test in this module that talks to one: a ringkv process
 * ({@link RingkvProcess}), or -- when the system property {@code compat.reference} names a
 * {@code redis-server} binary -- a real Redis started with the same options.
 *
 * <p>The reference mode exists to check the tests themselves: every assertion that describes
 * Redis behaviour must hold against Redis too, so a run with
 * {@code -Dcompat.reference=/usr/bin/redis-server} proves the expectations are Redis's and not
 * ringkv's. The few checks that depend on what only ringkv does or promises (HELLO 3 answered
 * NOPROTO, the CLIENT SETINFO of Redis 7.2 when the reference is older, no allocation sized by a
 * request header) are skipped there via {@link #isReference()}.
 *
 * <pre>
 * try (CompatServer server = CompatServer.start("--requirepass", "secret")) {
 *     ... new Jedis(server.host(), server.port()) ...
 * }
 * </pre>
 */
final class CompatServer implements AutoCloseable {

    private static final String REFERENCE_PROPERTY = "compat.reference";
    /** {@code -Dcompat.cluster=true}: run the suites against a ringkv node in cluster mode. */
    private static final String CLUSTER_PROPERTY = "compat.cluster";

    private final Process process;
    private final int port;
    private final Path logFile;
    private final boolean reference;

    private CompatServer(Process process, int port, Path logFile, boolean reference) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.reference = reference;
    }

    /**
     * Starts the server under test on a free loopback port; {@code options} are redis.conf style
     * flags, e.g. "--requirepass", "x". Returns once it answers PING.
     */
    static CompatServer start(String... options) throws IOException {
        String binary = System.getProperty(REFERENCE_PROPERTY, "");
        if (binary.isEmpty()) {
            if (Boolean.getBoolean(CLUSTER_PROPERTY)) {
                // The same suites against a one-node cluster: every command then runs through the
                // cluster's keyspace, dispatcher and coordinator (with N = 1).
                List<String> all = new ArrayList<>(List.of("--cluster-enabled", "yes"));
                all.addAll(List.of(options));
                options = all.toArray(String[]::new);
            }
            RingkvProcess ringkv = RingkvProcess.start(options);
            return new CompatServer(ringkv.process(), ringkv.port(), ringkv.logFile().toPath(), false);
        }
        return startReference(binary, options);
    }

    /** True when the tests run against a real redis-server rather than ringkv. */
    boolean isReference() {
        return reference;
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return port;
    }

    /** The server's operating-system process id (for its RSS in /proc). */
    long pid() {
        return process.pid();
    }

    /** What the server logged, for failure messages. */
    String log() {
        return RingkvProcess.readLog(logFile);
    }

    /*
     * Persistence is off and the working directory is the server's own under target/, so a
     * reference run leaves nothing behind elsewhere. ringkv has one database, so the reference is
     * started with one too: SELECT 1 and COPY ... DB 1 then fail on both with
     * "ERR DB index is out of range".
     */
    private static CompatServer startReference(String binary, String... options) throws IOException {
        int port = RingkvProcess.freePort();
        Path dir = Files.createDirectories(Path.of("target", "servers", "redis-" + port));
        Path logFile = dir.resolve("redis.log");
        List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--databases", "1",
            "--dir", dir.toAbsolutePath().toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
        RingkvProcess.awaitServing("redis-server", process, port, () -> RingkvProcess.readLog(logFile));
        return new CompatServer(process, port, logFile, true);
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 seconds). */
    @Override
    public void close() {
        RingkvProcess.stop(process);
    }
}
