package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every RESP protocol error, over a raw socket against a real server process: the exact bytes
 * Redis 7 answers, that the connection is closed afterwards, and that the server goes on serving
 * other clients. Also the limits that protect the server (lengths announced but never sent,
 * query buffer, maxclients, idle timeout, unauthenticated clients).
 *
 * <p>Every read has a timeout and every test a time limit, so a server that stops answering
 * fails the test rather than hanging the build.
 */
@Timeout(60)
class MalformedInputTest {

    /** How long to wait for the server to close a connection after an error. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static CompatServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = CompatServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    // ---- malformed requests: Redis's reply, then the connection is closed ----

    static Stream<Arguments> protocolErrors() {
        return Stream.of(
            Arguments.of("*abc\r\n", "invalid multibulk length"),
            Arguments.of("*2147483648\r\n", "invalid multibulk length"),
            Arguments.of("*1\r\n$abc\r\n", "invalid bulk length"),
            Arguments.of("*1\r\n$-1\r\n", "invalid bulk length"),
            Arguments.of("*1\r\n$536870913\r\n", "invalid bulk length"),
            Arguments.of("*1\r\n+PING\r\n", "expected '$', got '+'"),
            Arguments.of("*1\r\n:1\r\n", "expected '$', got ':'"),
            Arguments.of("*1\r\n*1\r\n", "expected '$', got '*'"),
            Arguments.of("SET \"abc\r\n", "unbalanced quotes in request"),
            Arguments.of("SET 'abc\r\n", "unbalanced quotes in request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocolErrors")
    void protocolErrorIsAnsweredThenTheConnectionIsClosed(String request, String reason) throws IOException {
        assertProtocolError(server, bytes(request), "-ERR Protocol error: " + reason + "\r\n");
        assertServerServes(server);
    }

    @Test
    void commandsBeforeTheErrorAreAnsweredFirst() throws IOException {
        assertProtocolError(server, "PING\r\n*1\r\n$4\r\nPING\r\n*abc\r\n".getBytes(StandardCharsets.US_ASCII),
            "+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
        assertServerServes(server);
    }

    @Test
    void emptyAndNullMultibulkAreIgnored() throws IOException {
        try (RawConnection c = RawConnection.open(server.port())) {
            c.send("*0\r\n*-1\r\nPING\r\n");
            assertArrayEquals(bytes("+PONG\r\n"), c.readExactly(7));
            assertTrue(c.staysSilentAndOpen(Duration.ofMillis(300)), "connection must stay open");
        }
    }

    @Test
    void tooBigInlineRequest() throws IOException {
        byte[] line = new byte[70_000]; // over Redis's 64 KB inline limit, no newline
        Arrays.fill(line, (byte) 'a');
        assertProtocolError(server, line, "-ERR Protocol error: too big inline request\r\n");
        assertServerServes(server);
    }

    @Test
    void bulkOverProtoMaxBulkLen() throws IOException {
        try (CompatServer small = CompatServer.start("--proto-max-bulk-len", "1mb")) {
            assertProtocolError(small, bytes("*1\r\n$2000000\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
            assertServerServes(small);
            // At the limit is fine: 1mb = 1048576 bytes.
            try (RawConnection c = RawConnection.open(small.port())) {
                c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n");
                byte[] value = new byte[1048576];
                Arrays.fill(value, (byte) 'v');
                c.send(value).send("\r\n");
                assertEquals("OK", c.readReply());
                assertEquals(1048576L, c.call("STRLEN", "k"));
            }
        }
    }

    // ---- lengths announced but never sent cost nothing ----

    /**
     * A client that announces 2^31-1 arguments or a 512 MB argument and then sends nothing must not
     * make the server allocate for it: the server stays responsive, and neither its resident memory
     * nor its heap jumps. Ten such clients are held open at once; preallocating for any one of them
     * would exceed the 512 MB heap the test server runs with.
     */
    @Test
    void announcedLengthsCostNothing() throws IOException {
        long rssBefore = rssBytes(server);
        long usedBefore = usedMemory(server);
        List<RawConnection> greedy = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                greedy.add(RawConnection.open(server.port()).send("*2147483647\r\n"));
                greedy.add(RawConnection.open(server.port()).send("*1\r\n$536870912\r\n"));
            }
            // Pipelined into an open multibulk: the server must be waiting, not failing.
            for (RawConnection c : greedy) {
                assertTrue(c.staysSilentAndOpen(Duration.ofMillis(100)), "a pending request is not an error");
            }
            assertServerServes(server);
            long rssAfter = rssBytes(server);
            long usedAfter = usedMemory(server);
            long mb = 1024 * 1024;
            assertTrue(rssAfter - rssBefore < 100 * mb,
                "RSS grew from " + rssBefore / mb + " MB to " + rssAfter / mb + " MB");
            if (!server.isReference()) {
                // Redis itself reserves the announced bulk size (sdsMakeRoomFor), so its used_memory
                // jumps by 512 MB per client; ringkv promises not to allocate from a header.
                assertTrue(usedAfter - usedBefore < 64 * mb,
                    "used_memory grew from " + usedBefore / mb + " MB to " + usedAfter / mb + " MB");
            }
        } finally {
            for (RawConnection c : greedy) {
                c.close();
            }
        }
        assertServerServes(server);
    }

    // ---- limits ----

    @Test
    void queryBufferOverLimitClosesTheConnectionWithoutReply() throws IOException {
        try (CompatServer limited = CompatServer.start("--client-query-buffer-limit", "1mb")) {
            try (RawConnection c = RawConnection.open(limited.port())) {
                c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n");
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'x');
                try {
                    for (int sent = 0; sent < 2_000_000; sent += chunk.length) {
                        c.send(chunk);
                    }
                } catch (IOException closedWhileSending) {
                    // expected once the server has closed the connection
                }
                RawConnection.Received r = c.readUntilClosed(CLOSE_WAIT);
                assertTrue(r.closed(), "the connection must be closed");
                assertEquals("", r.text(), "no reply is sent when the query buffer limit is hit");
            }
            assertServerServes(limited);
            try (RawConnection c = RawConnection.open(limited.port())) {
                assertEquals(null, c.call("GET", "k"), "the oversized SET must not have run");
            }
        }
    }

    @Test
    void maxClientsRejectsTheNextConnection() throws IOException {
        try (CompatServer limited = CompatServer.start("--maxclients", "2")) {
            // The start-up probe's connection may not be unregistered yet: retry until two
            // clients really hold the two places.
            List<RawConnection> held = new ArrayList<>();
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    RawConnection c = RawConnection.open(limited.port());
                    try {
                        if ("PONG".equals(c.call("PING"))) {
                            held.add(c);
                            return held.size() == 2;
                        }
                    } catch (IOException rejected) {
                        // closed by the server: not a place yet
                    }
                    c.close();
                    return false;
                });
                try (RawConnection third = RawConnection.open(limited.port())) {
                    RawConnection.Received r = third.readUntilClosed(CLOSE_WAIT);
                    assertEquals("-ERR max number of clients reached\r\n", r.text());
                    assertTrue(r.closed(), "the rejected connection must be closed");
                }
                assertEquals("PONG", held.get(0).call("PING"), "held clients keep working");
                held.remove(0).close();
                // The freed place can be taken again.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .untilAsserted(
                    () -> assertServerServes(limited));
            } finally {
                for (RawConnection c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void idleClientIsClosedAfterTimeout() throws IOException {
        try (CompatServer limited = CompatServer.start("--timeout", "1")) {
            try (RawConnection idle = RawConnection.open(limited.port())) {
                assertEquals("PONG", idle.call("PING"));
                long start = System.nanoTime();
                AtomicReference<RawConnection.Received> seen = new AtomicReference<>();
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10)).until(() -> {
                    RawConnection.Received r = idle.readUntilClosed(Duration.ofMillis(200));
                    seen.set(r);
                    return r.closed() || r.bytes().length > 0;
                });
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(seen.get().closed(), "idle client closed");
                assertEquals("", seen.get().text(), "Redis closes an idle client without a reply");
                assertTrue(waitedMillis >= 900, "closed after only " + waitedMillis + " ms idle");
            }
            assertServerServes(limited);
        }
    }

    @Test
    void unauthenticatedClientsHaveTightLimits() throws IOException {
        try (CompatServer secured = CompatServer.start("--requirepass", "secret")) {
            assertProtocolError(secured, bytes("*20\r\n"),
                "-ERR Protocol error: unauthenticated multibulk length\r\n");
            assertProtocolError(secured, bytes("*1\r\n$20000\r\n"),
                "-ERR Protocol error: unauthenticated bulk length\r\n");
            try (RawConnection c = RawConnection.open(secured.port())) {
                // Up to ten arguments are accepted before authentication (the request waits for them).
                c.send("*10\r\n");
                assertTrue(c.staysSilentAndOpen(Duration.ofMillis(300)), "*10 is within the unauthenticated limit");
            }
            try (RawConnection c = RawConnection.open(secured.port())) {
                RawConnection.ErrorReply noauth = assertInstanceOf(RawConnection.ErrorReply.class, c.call("PING"));
                assertEquals("NOAUTH Authentication required.", noauth.message());
                // Once authenticated, the limits lift.
                assertEquals("OK", c.call("AUTH", "secret"));
                String big = "x".repeat(20_000);
                assertEquals(big, c.call("ECHO", big));
            }
            try (RawConnection c = RawConnection.open(secured.port())) {
                assertEquals("OK", c.call("AUTH", "secret"));
                assertEquals("PONG", c.call("PING"));
            }
        }
    }

    // ---- helpers ----

    /** Sends {@code request} on a new connection; expects exactly {@code reply}, then a close. */
    private static void assertProtocolError(CompatServer target, byte[] request, String reply) throws IOException {
        try (RawConnection c = RawConnection.open(target.port())) {
            c.send(request);
            RawConnection.Received r = c.readUntilClosed(CLOSE_WAIT);
            assertEquals(reply, r.text());
            assertTrue(r.closed(), "the server must close the connection after a protocol error");
        }
    }

    private static void assertServerServes(CompatServer target) throws IOException {
        try (RawConnection c = RawConnection.open(target.port())) {
            c.send("*1\r\n$4\r\nPING\r\n");
            Object reply = c.readReply();
            if (reply instanceof RawConnection.ErrorReply e && e.message().startsWith("NOAUTH")) {
                return; // a password-protected server answering is serving
            }
            assertEquals("PONG", reply, "a new connection gets PONG; server log:\n" + tail(target.log()));
        }
    }

    /** INFO memory's used_memory, in bytes. */
    private static long usedMemory(CompatServer target) throws IOException {
        try (RawConnection c = RawConnection.open(target.port())) {
            Object info = c.call("INFO", "memory");
            assertInstanceOf(String.class, info, "INFO memory answers a bulk string");
            for (String line : ((String) info).split("\r\n")) {
                if (line.startsWith("used_memory:")) {
                    return Long.parseLong(line.substring("used_memory:".length()).trim());
                }
            }
            throw new AssertionError("INFO memory has no used_memory field:\n" + info);
        }
    }

    /** The server process's resident set size, from /proc. */
    private static long rssBytes(CompatServer target) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(target.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no VmRSS for pid " + target.pid());
    }

    private static String tail(String log) {
        return log.length() <= 3000 ? log : log.substring(log.length() - 3000);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
