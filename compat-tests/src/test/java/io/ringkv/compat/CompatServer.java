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
 * The server a client compatibility suite talks to: a ringkv process, or -- when the system
 * property {@code compat.reference} names a {@code redis-server} binary -- a real Redis started
 * with the same options. The reference mode exists to check the suites themselves: every
 * assertion that describes Redis behaviour must hold against Redis too, so a suite run with
 * {@code -Dcompat.reference=/usr/bin/redis-server} proves the expectations are Redis's and not
 * ringkv's. The few checks that depend on what only ringkv does (HELLO 3 answered NOPROTO, the
 * CLIENT SETINFO of Redis 7.2 when the reference is older) are skipped there via
 * {@link #isReference()}.
 */
final class CompatServer implements AutoCloseable {

    private static final String REFERENCE_PROPERTY = "compat.reference";

    private final RingkvProcess ringkv;
    private final Process reference;
    private final int port;

    private CompatServer(RingkvProcess ringkv, Process reference, int port) {
        this.ringkv = ringkv;
        this.reference = reference;
        this.port = port;
    }

    /** Starts a server; {@code options} are redis.conf style flags, e.g. "--requirepass", "x". */
    static CompatServer start(String... options) throws IOException {
        String binary = System.getProperty(REFERENCE_PROPERTY, "");
        if (binary.isEmpty()) {
            return new CompatServer(RingkvProcess.start(options), null, 0);
        }
        return startReference(binary, options);
    }

    static boolean referenceMode() {
        return !System.getProperty(REFERENCE_PROPERTY, "").isEmpty();
    }

    boolean isReference() {
        return reference != null;
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return ringkv != null ? ringkv.port() : port;
    }

    String log() {
        return ringkv != null ? ringkv.log() : "(reference redis-server)";
    }

    /*
     * ringkv has one database, so the reference is started with one too: SELECT 1 and
     * COPY ... DB 1 then fail on both with "ERR DB index is out of range".
     */
    private static CompatServer startReference(String binary, String... options) throws IOException {
        int port = RingkvProcess.freePort();
        Path dir = Files.createDirectories(Path.of("target", "servers"));
        List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--databases", "1",
            "--dir", dir.toAbsolutePath().toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
            .start();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> !process.isAlive() || answersPing(port));
        if (!process.isAlive()) {
            throw new IOException("redis-server exited at start");
        }
        return new CompatServer(null, process, port);
    }

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

    @Override
    public void close() {
        if (ringkv != null) {
            ringkv.close();
            return;
        }
        reference.destroy();
        try {
            if (!reference.waitFor(10, TimeUnit.SECONDS)) {
                reference.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            reference.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
