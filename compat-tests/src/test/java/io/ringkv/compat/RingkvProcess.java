package io.ringkv.compat;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A real ringkv server process for a test: started from this module's test classpath (which
 * holds the server and its dependencies) on a free loopback port, ready when it answers PING,
 * stopped (and killed if it must be) by {@link #close}. Its output goes to a log file under
 * target/ so a failing test can be diagnosed.
 *
 * <pre>
 * try (RingkvProcess server = RingkvProcess.start("--requirepass", "secret")) {
 *     ... new Jedis("127.0.0.1", server.port()) ...
 * }
 * </pre>
 */
public final class RingkvProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path logFile;

    private RingkvProcess(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts a server with {@code --port <free> --bind 127.0.0.1} plus {@code options}. */
    public static RingkvProcess start(String... options) throws IOException {
        RingkvProcess server = launch(options);
        awaitServing("ringkv", server.process, server.port, server::log);
        return server;
    }

    /**
     * Starts a server like {@link #start} but returns at once, without waiting for it to serve:
     * for a start that is expected to fail (the test then waits for the process to exit and reads
     * its log). The caller must {@link #close} it.
     */
    public static RingkvProcess launch(String... options) throws IOException {
        int port = freePort();
        Path dir = Files.createDirectories(Path.of("target", "servers"));
        return launch(port, Files.createTempDirectory(dir, "data-" + port + "-"), options);
    }

    /**
     * Starts a server on a given port with a given data directory, waiting until it serves: a
     * cluster node, whose port its peers know, restarted on the same data after a kill.
     */
    public static RingkvProcess start(int port, Path dataDir, String... options) throws IOException {
        RingkvProcess server = launch(port, dataDir, options);
        awaitServing("ringkv", server.process, server.port, server::log);
        return server;
    }

    static RingkvProcess launch(int port, Path dataDir, String... options) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "servers"));
        Files.createDirectories(dataDir);
        Path logFile = dir.resolve("ringkv-" + port + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.ringkv.server.Main");
        command.add("--port");
        command.add(Integer.toString(port));
        command.add("--bind");
        command.add("127.0.0.1");
        // A data directory of its own, so no server sees another's (or an earlier run's) data;
        // an explicit --dir among the options comes later and wins.
        command.add("--dir");
        command.add(dataDir.toAbsolutePath().toString());
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
        return new RingkvProcess(process, port, logFile);
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public Process process() {
        return process;
    }

    public String log() {
        return readLog(logFile);
    }

    /** A server's log file, or why it cannot be read: only ever used in failure messages. */
    static String readLog(Path logFile) {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public File logFile() {
        return logFile.toFile();
    }

    /**
     * Waits until a freshly started server {@code process} answers PING on {@code port}; stops it
     * and fails with its log if it exits or does not answer within 30 seconds.
     */
    static void awaitServing(String name, Process process, int port, Supplier<String> log) throws IOException {
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !process.isAlive() || answersPing(port));
        } catch (RuntimeException e) {
            stop(process);
            throw new IOException(name + " did not start; log:\n" + log.get(), e);
        }
        if (!process.isAlive()) {
            throw new IOException(name + " exited at start; log:\n" + log.get());
        }
    }

    /** PING over a raw socket: any reply (+PONG or -NOAUTH) means the server is serving. */
    private static boolean answersPing(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            int first = in.read();
            return first == '+' || first == '-';
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /**
     * Kills the server the way a crash would: SIGKILL (what {@link Process#destroyForcibly} sends
     * on Linux), so no shutdown hook runs and nothing is flushed or closed; returns once the
     * process is gone.
     */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ringkv pid " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 seconds). */
    @Override
    public void close() {
        stop(process);
    }

    /** Stops a server process: SIGTERM, then SIGKILL if it is still running 10 seconds later. */
    static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
