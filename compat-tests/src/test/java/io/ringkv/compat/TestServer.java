package io.ringkv.compat;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server a tool test talks to: a ringkv process ({@link RingkvProcess}) normally, or, with
 * {@code -Dringkv.compat.target=redis}, a real redis-server started with the same options. The
 * second mode checks the tests themselves: every expectation in them is what Redis 7 answers,
 * so they must pass against Redis too (except where a test says ringkv promises more).
 */
interface TestServer extends AutoCloseable {

    int port();

    /** The server's operating-system process id (for its RSS in /proc). */
    long pid();

    /** What the server logged, for failure messages. */
    String log();

    @Override
    void close();

    /** True when the tests run against ringkv (the default), false against a real redis-server. */
    static boolean isRingkv() {
        return !"redis".equals(System.getProperty("ringkv.compat.target"));
    }

    /** Starts the target on a free loopback port with redis-server style {@code --name value} options. */
    static TestServer start(String... options) throws IOException {
        return isRingkv() ? new Ringkv(RingkvProcess.start(options)) : RealRedis.start(options);
    }

    /** A ringkv node. */
    record Ringkv(RingkvProcess process) implements TestServer {
        @Override
        public int port() {
            return process.port();
        }

        @Override
        public long pid() {
            return process.process().pid();
        }

        @Override
        public String log() {
            return process.log();
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** A real redis-server, with persistence off, in its own directory under target/. */
    record RealRedis(Process process, int port, Path logFile) implements TestServer {

        static RealRedis start(String... options) throws IOException {
            int port = RingkvProcess.freePort();
            Path dir = Files.createDirectories(Path.of("target", "servers", "redis-" + port));
            Path logFile = dir.resolve("redis.log");
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toAbsolutePath().toString()));
            command.addAll(List.of(options));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
            RealRedis server = new RealRedis(process, port, logFile);
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !process.isAlive() || answers(port));
            } catch (RuntimeException e) {
                server.close();
                throw new IOException("redis-server did not start; log:\n" + server.log(), e);
            }
            if (!process.isAlive()) {
                throw new IOException("redis-server exited at start; log:\n" + server.log());
            }
            return server;
        }

        private static boolean answers(int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                socket.setSoTimeout(1000);
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                int first = in.read();
                return first == '+' || first == '-';
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public String log() {
            try {
                return Files.readString(logFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public void close() {
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
}
