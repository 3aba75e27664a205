package io.ringkv.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringkv.server.ServerLog;
import io.ringkv.server.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics port's HTTP, bytes in and exact bytes out, on an in-memory channel. */
class MetricsHttpHandlerTest {

    private static final String BODY = "# HELP t_total Test counter.\n# TYPE t_total counter\nt_total 42\n";

    private final MetricsRegistry registry = new MetricsRegistry();
    private final Readiness readiness = new Readiness();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final EmbeddedChannel channel;

    MetricsHttpHandlerTest() {
        registry.register(out -> out.counter("t_total", "Test counter.", 42));
        ServerLog log = new ServerLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), new TestClock(0),
            ServerLog.Level.DEBUG);
        channel = new EmbeddedChannel(new MetricsHttpPipeline(registry, readiness, log));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void getMetricsAnswersTheExpositionAndKeepsTheConnection() {
        String expected = "HTTP/1.1 200 OK\r\n"
            + "content-type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "content-length: " + BODY.length() + "\r\n\r\n" + BODY;
        assertEquals(expected, request("GET /metrics HTTP/1.1\r\nHost: node\r\n\r\n"));
        assertTrue(channel.isOpen());
        // The same connection serves the next scrape, and a query string is ignored.
        assertEquals(expected, request("GET /metrics?x=1 HTTP/1.1\r\nHost: node\r\n\r\n"));
        assertTrue(channel.isOpen());
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        String out = request("GET /live HTTP/1.1\r\nHost: n\r\n\r\nGET /nope HTTP/1.1\r\nHost: n\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 200 OK\r\n"), out);
        assertTrue(out.indexOf("HTTP/1.1 404 Not Found\r\n") > 0, out);
    }

    @Test
    void liveIsAlways200() {
        assertEquals("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 5\r\n\r\nlive\n",
            request("GET /live HTTP/1.1\r\n\r\n"));
    }

    @Test
    void readyIs503NamingWhatIsAwaitedUntilEveryCheckPasses() {
        boolean[] complete = {false};
        readiness.require("cluster topology complete", () -> complete[0]);
        String body = "not ready: waiting for cluster topology complete\n";
        assertEquals("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
            + "content-length: " + body.length() + "\r\n\r\n" + body, request("GET /ready HTTP/1.1\r\n\r\n"));
        complete[0] = true;
        assertEquals("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 6\r\n\r\nready\n",
            request("GET /ready HTTP/1.1\r\n\r\n"));
    }

    @Test
    void anUnknownPathIs404() {
        assertEquals("HTTP/1.1 404 Not Found\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 10\r\n\r\n"
            + "not found\n", request("GET /metrics/ HTTP/1.1\r\n\r\n"));
        assertTrue(channel.isOpen());
    }

    @Test
    void anotherMethodIs405WithAllow() {
        assertEquals("HTTP/1.1 405 Method Not Allowed\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "content-length: 19\r\nallow: GET, HEAD\r\n\r\nmethod not allowed\n",
            request("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
        assertTrue(channel.isOpen());
        assertTrue(request("DELETE /ready HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
    }

    @Test
    void headGivesTheHeadersOfGetWithoutTheBody() {
        assertEquals("HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "content-length: " + BODY.length() + "\r\n\r\n", request("HEAD /metrics HTTP/1.1\r\n\r\n"));
        assertTrue(channel.isOpen());
    }

    @Test
    void connectionCloseIsHonoured() {
        assertEquals("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 5\r\n"
            + "connection: close\r\n\r\nlive\n", request("GET /live HTTP/1.1\r\nConnection: close\r\n\r\n"));
        assertFalse(channel.isOpen());
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() {
        assertEquals("HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 5\r\n"
            + "connection: keep-alive\r\n\r\nlive\n", request("GET /live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assertTrue(channel.isOpen());
        assertTrue(request("GET /live HTTP/1.0\r\n\r\n").contains("connection: close\r\n"));
        assertFalse(channel.isOpen());
    }

    @Test
    void aMalformedRequestGets400AndTheConnectionCloses() {
        assertEquals("HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 12\r\n"
            + "connection: close\r\n\r\nbad request\n", request("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n"));
        assertFalse(channel.isOpen());
    }

    @Test
    void anOverlongRequestLineGets400AndTheConnectionCloses() {
        String out = request("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 400 Bad Request\r\n"), out);
        assertFalse(channel.isOpen());
    }

    @Test
    void anOversizedBodyIsRefused() {
        String out = request("POST /metrics HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 413 Request Entity Too Large\r\n"), out);
    }

    @Test
    void aFailingSourceGives500AndALogLine() {
        registry.register(out -> {
            throw new IllegalStateException("boom");
        });
        String out = request("GET /metrics HTTP/1.1\r\n\r\n");
        assertTrue(out.startsWith("HTTP/1.1 500 Internal Server Error\r\n"), out);
        assertTrue(out.endsWith("scrape failed: java.lang.IllegalStateException: boom\n"), out);
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("Metrics scrape failed"));
        assertTrue(channel.isOpen());
    }

    private String request(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }
}
