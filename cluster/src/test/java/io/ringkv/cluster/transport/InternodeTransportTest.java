package io.ringkv.cluster.transport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two or three transports in one JVM, on 127.0.0.1 with free ports, NIO event loops. */
class InternodeTransportTest {

    private static final String SECRET = "s3cret";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<InternodeTransport> transports = new ArrayList<>();
    private final List<EventLoopGroup> groups = new ArrayList<>();
    private final ExecutorService replier = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopAll() throws InterruptedException {
        transports.forEach(InternodeTransport::close);
        for (EventLoopGroup g : groups) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : groups) {
            assertTrue(g.terminationFuture().await(10, TimeUnit.SECONDS));
        }
        replier.shutdownNow();
        assertTrue(replier.awaitTermination(10, TimeUnit.SECONDS));
    }

    private InternodeTransport transport(TransportConfig config, RequestHandler handler) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        groups.add(group);
        InternodeTransport t = new InternodeTransport(config, group, NioServerSocketChannel.class,
                NioSocketChannel.class, handler);
        transports.add(t);
        return t;
    }

    private InternodeTransport client(TransportConfig config) {
        return transport(config, (type, payload, r) -> r.fail("client does not serve"));
    }

    private InetSocketAddress serve(InternodeTransport t) throws InterruptedException {
        return t.bind(new InetSocketAddress("127.0.0.1", 0));
    }

    private static final RequestHandler ECHO = (type, payload, r) -> r.reply(payload);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<byte[]> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void echoRoundTrip() throws Exception {
        AtomicInteger seenType = new AtomicInteger();
        InternodeTransport server = transport(TransportConfig.defaults(SECRET), (type, payload, r) -> {
            seenType.set(type);
            r.reply(payload);
        });
        InetSocketAddress addr = serve(server);
        InternodeTransport client = client(TransportConfig.defaults(SECRET));

        byte[] reply = client.request(addr, 42, bytes("hello"), 5000, 0).get(10, TimeUnit.SECONDS);
        assertArrayEquals(bytes("hello"), reply);
        assertEquals(42, seenType.get());
        assertTrue(client.connected(addr));
        assertArrayEquals(new byte[0], client.request(addr, 1, new byte[0], 5000, 7).get(10, TimeUnit.SECONDS));

        TransportStats c = client.stats();
        assertEquals(2, c.requestsSent());
        assertEquals(2, c.repliesReceived());
        assertTrue(c.bytesSent() > 0 && c.bytesReceived() > 0);
        assertEquals(2, server.stats().requestsReceived());
    }

    @Test
    void largePayloadRoundTrip() throws Exception {
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), ECHO));
        InternodeTransport client = client(TransportConfig.defaults(SECRET));
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        assertArrayEquals(big, client.request(addr, 1, big.clone(), 10_000, 0).get(20, TimeUnit.SECONDS));
    }

    @Test
    void tenThousandConcurrentRequestsAllAnswered() throws Exception {
        // Even types are answered on the event loop inside handle(), odd ones from another thread.
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), (type, payload, r) -> {
            if (type % 2 == 0) {
                r.reply(payload);
            } else {
                replier.execute(() -> r.reply(payload));
            }
        }));
        InternodeTransport client = client(TransportConfig.defaults(SECRET));
        int n = 10_000;
        List<CompletableFuture<byte[]>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(client.request(addr, i, ByteBuffer.allocate(4).putInt(i).array(), 30_000, i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < n; i++) {
            assertEquals(i, ByteBuffer.wrap(futures.get(i).join()).getInt());
        }
        assertEquals(n, client.stats().repliesReceived());
    }

    @Test
    void requestsWithTheSameAffinityAreHandledInOrder() throws Exception {
        int affinities = 8;
        int perAffinity = 300;
        List<List<Integer>> seen = new ArrayList<>();
        for (int a = 0; a < affinities; a++) {
            seen.add(Collections.synchronizedList(new ArrayList<>()));
        }
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET).withConnectionsPerPeer(3),
                (type, payload, r) -> {
                    ByteBuffer b = ByteBuffer.wrap(payload);
                    seen.get(b.getInt()).add(b.getInt());
                    r.reply(payload);
                }));
        InternodeTransport client = client(TransportConfig.defaults(SECRET).withConnectionsPerPeer(3));
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int seq = 0; seq < perAffinity; seq++) {
            for (int a = 0; a < affinities; a++) {
                futures.add(client.request(addr, 0, ByteBuffer.allocate(8).putInt(a).putInt(seq).array(), 30_000, a));
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (int a = 0; a < affinities; a++) {
            List<Integer> expected = new ArrayList<>();
            for (int seq = 0; seq < perAffinity; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, seen.get(a), "affinity " + a);
        }
    }

    @Test
    void remoteFailureMessageIsPropagated() throws Exception {
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), (type, payload, r) -> {
            if (type == 1) {
                r.fail("no such thing: é");
            } else {
                throw new IllegalStateException("handler bug");
            }
        }));
        InternodeTransport client = client(TransportConfig.defaults(SECRET));

        Throwable failed = failure(client.request(addr, 1, bytes("x"), 5000, 0));
        assertInstanceOf(RemoteFailureException.class, failed);
        assertEquals("no such thing: é", failed.getMessage());

        Throwable thrown = failure(client.request(addr, 2, bytes("x"), 5000, 0));
        assertInstanceOf(RemoteFailureException.class, thrown);
        assertTrue(thrown.getMessage().startsWith("internal error: "), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("handler bug"), thrown.getMessage());
        assertEquals(2, client.stats().remoteFailures());
    }

    @Test
    void timeoutWhenTheHandlerNeverRepliesAndALateReplyIsIgnored() throws Exception {
        ConcurrentLinkedQueue<Responder> held = new ConcurrentLinkedQueue<>();
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), (type, payload, r) -> {
            if (type == 1) {
                held.add(r);
            } else {
                r.reply(payload);
            }
        }));
        InternodeTransport client = client(TransportConfig.defaults(SECRET));

        long start = System.nanoTime();
        Throwable t = failure(client.request(addr, 1, bytes("slow"), 200, 0));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertInstanceOf(TimeoutException.class, t);
        assertTrue(elapsedMillis >= 190 && elapsedMillis < 5000, "elapsed " + elapsedMillis);
        assertEquals(1, client.stats().timeouts());

        assertEquals(1, held.size());
        held.poll().reply(bytes("too late"));
        await().atMost(WAIT).until(() -> client.stats().lateReplies() == 1);
        // The connection is still good, on the same affinity.
        assertArrayEquals(bytes("next"), client.request(addr, 2, bytes("next"), 5000, 0).get(10, TimeUnit.SECONDS));
        assertEquals(1, client.stats().repliesReceived());
    }

    @Test
    void wrongSecretIsRefusedAndTheRightOneAccepted() throws Exception {
        InternodeTransport server = transport(TransportConfig.defaults(SECRET), ECHO);
        InetSocketAddress addr = serve(server);

        InternodeTransport wrong = client(TransportConfig.defaults("not the secret"));
        Throwable refused = failure(wrong.request(addr, 1, bytes("x"), 5000, 0));
        assertInstanceOf(PeerUnavailableException.class, refused);
        assertTrue(refused.getMessage().contains("authentication failed"), refused.getMessage());
        assertFalse(wrong.connected(addr));
        assertEquals(0, server.stats().requestsReceived());
        // With different secrets the connector finds the acceptor's proof wrong first and tells it.
        await().atMost(WAIT).until(() -> server.stats().authFailures() >= 1);

        InternodeTransport none = client(TransportConfig.defaults(""));
        Throwable noSecret = failure(none.request(addr, 1, bytes("x"), 5000, 0));
        assertTrue(noSecret.getMessage().contains("authentication failed"), noSecret.getMessage());

        InternodeTransport right = client(TransportConfig.defaults(SECRET));
        assertArrayEquals(bytes("x"), right.request(addr, 1, bytes("x"), 5000, 0).get(10, TimeUnit.SECONDS));
        assertTrue(right.connected(addr));
    }

    @Test
    void theConnectorChecksTheAcceptorToo() throws Exception {
        // The acceptor has no secret, so it cannot prove one: a connector that has one refuses it.
        InetSocketAddress open = serve(transport(TransportConfig.defaults(""), ECHO));
        InternodeTransport withSecret = client(TransportConfig.defaults(SECRET));
        Throwable refused = failure(withSecret.request(open, 1, bytes("x"), 5000, 0));
        assertInstanceOf(PeerUnavailableException.class, refused);
        assertTrue(refused.getMessage().contains("authentication failed"), refused.getMessage());
        assertEquals(1, withSecret.stats().authFailures());

        // Both without a secret: no check, magic and version still exchanged.
        InternodeTransport without = client(TransportConfig.defaults(""));
        assertArrayEquals(bytes("x"), without.request(open, 1, bytes("x"), 5000, 0).get(10, TimeUnit.SECONDS));
    }

    @Test
    void peerNotListeningFailsFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", port);
        InternodeTransport client = client(TransportConfig.defaults(SECRET).withReconnectBackoffMillis(60_000));

        long start = System.nanoTime();
        Throwable first = failure(client.request(nobody, 1, bytes("x"), 30_000, 0));
        assertInstanceOf(PeerUnavailableException.class, first);
        assertTrue(first.getMessage().contains("cannot connect"), first.getMessage());
        // While backing off, requests fail at once, without a connect attempt.
        CompletableFuture<byte[]> second = client.request(nobody, 1, bytes("x"), 30_000, 1);
        assertTrue(second.isCompletedExceptionally());
        assertInstanceOf(PeerUnavailableException.class, failure(second));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2000);
        assertFalse(client.connected(nobody));
    }

    @Test
    void requestsSucceedAgainAfterThePeerRestarts() throws Exception {
        InternodeTransport server = transport(TransportConfig.defaults(SECRET), ECHO);
        InetSocketAddress addr = serve(server);
        InternodeTransport client = client(TransportConfig.defaults(SECRET).withReconnectBackoffMillis(50));
        assertArrayEquals(bytes("a"), client.request(addr, 1, bytes("a"), 5000, 0).get(10, TimeUnit.SECONDS));

        server.close();
        await().atMost(WAIT).until(() -> !client.connected(addr));
        Throwable down = failure(client.request(addr, 1, bytes("b"), 5000, 0));
        assertInstanceOf(PeerUnavailableException.class, down);

        InternodeTransport restarted = transport(TransportConfig.defaults(SECRET), ECHO);
        assertEquals(addr, restarted.bind(addr));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                return new String(client.request(addr, 1, bytes("c"), 1000, 0).get(5, TimeUnit.SECONDS),
                        StandardCharsets.UTF_8).equals("c");
            } catch (ExecutionException e) {
                return false;
            }
        });
        assertTrue(client.connected(addr));
    }

    @Test
    void pendingRequestsFailWhenThePeerCloses() throws Exception {
        AtomicInteger received = new AtomicInteger();
        InternodeTransport server = transport(TransportConfig.defaults(SECRET), (type, payload, r) -> received.incrementAndGet());
        InetSocketAddress addr = serve(server);
        InternodeTransport client = client(TransportConfig.defaults(SECRET));
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(client.request(addr, 1, bytes("x"), 60_000, i));
        }
        await().atMost(WAIT).until(() -> received.get() == 10);

        long start = System.nanoTime();
        server.close();
        for (CompletableFuture<byte[]> f : futures) {
            assertInstanceOf(PeerUnavailableException.class, failure(f));
        }
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
        assertEquals(10, client.stats().unavailable());
    }

    @Test
    void closingTheTransportFailsItsPendingRequests() throws Exception {
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), (type, payload, r) -> { }));
        InternodeTransport client = client(TransportConfig.defaults(SECRET));
        CompletableFuture<byte[]> f = client.request(addr, 1, bytes("x"), 60_000, 0);
        await().atMost(WAIT).until(() -> client.stats().requestsSent() == 1);
        client.close();
        assertTrue(f.isDone());
        Throwable t = failure(f);
        assertInstanceOf(PeerUnavailableException.class, t);
        assertEquals("transport closed", t.getMessage());
        assertInstanceOf(PeerUnavailableException.class, failure(client.request(addr, 1, bytes("x"), 1000, 0)));
    }

    @Test
    void overloadedPastMaxPendingPerPeer() throws Exception {
        ConcurrentLinkedQueue<Responder> held = new ConcurrentLinkedQueue<>();
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), (type, payload, r) -> held.add(r)));
        InternodeTransport client = client(TransportConfig.defaults(SECRET).withMaxPendingPerPeer(10));
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(client.request(addr, 1, bytes("x"), 60_000, i));
        }
        CompletableFuture<byte[]> eleventh = client.request(addr, 1, bytes("x"), 60_000, 0);
        assertTrue(eleventh.isCompletedExceptionally(), "fails fast, not queued");
        assertInstanceOf(OverloadedException.class, failure(eleventh));
        assertEquals(1, client.stats().overloaded());

        await().atMost(WAIT).until(() -> held.size() == 10);
        held.forEach(r -> r.reply(bytes("ok")));
        for (CompletableFuture<byte[]> f : futures) {
            assertArrayEquals(bytes("ok"), f.get(10, TimeUnit.SECONDS));
        }
        CompletableFuture<byte[]> after = client.request(addr, 1, bytes("x"), 60_000, 0);
        await().atMost(WAIT).until(() -> held.size() == 11);
        held.forEach(r -> {
            try {
                r.reply(bytes("again"));
            } catch (IllegalStateException alreadyAnswered) {
                // the first ten
            }
        });
        assertArrayEquals(bytes("again"), after.get(10, TimeUnit.SECONDS));
    }

    @Test
    void endOfBatchRunsBeforeTheBatchsRepliesAreFlushed() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicLong repliesSeenDuringEndOfBatch = new AtomicLong(-1);
        InternodeTransport[] clientRef = new InternodeTransport[1];
        InetSocketAddress addr = serve(transport(TransportConfig.defaults(SECRET), new RequestHandler() {
            @Override
            public void handle(int type, byte[] payload, Responder responder) {
                events.add("handle");
                responder.reply(payload);
            }

            @Override
            public void endOfBatch() {
                events.add("endOfBatch");
                // The reply is written but not flushed: the client must not get it meanwhile.
                long before = clientRef[0].stats().repliesReceived();
                await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(2))
                        .until(() -> clientRef[0].stats().repliesReceived() == before);
                repliesSeenDuringEndOfBatch.set(clientRef[0].stats().repliesReceived());
            }
        }));
        clientRef[0] = client(TransportConfig.defaults(SECRET));

        assertArrayEquals(bytes("x"), clientRef[0].request(addr, 1, bytes("x"), 10_000, 0).get(10, TimeUnit.SECONDS));
        assertEquals(List.of("handle", "endOfBatch"), events);
        assertEquals(0, repliesSeenDuringEndOfBatch.get());
    }

    @Test
    void aThrowingEndOfBatchClosesTheConnectionWithoutSendingTheReplies() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        InternodeTransport server = transport(TransportConfig.defaults(SECRET), new RequestHandler() {
            @Override
            public void handle(int type, byte[] payload, Responder responder) {
                handled.incrementAndGet();
                responder.reply(payload);
            }

            @Override
            public void endOfBatch() {
                throw new IllegalStateException("fsync failed");
            }
        });
        InetSocketAddress addr = serve(server);
        InternodeTransport client = client(TransportConfig.defaults(SECRET));

        Throwable t = failure(client.request(addr, 1, bytes("x"), 10_000, 0));
        assertInstanceOf(PeerUnavailableException.class, t);
        assertEquals(1, handled.get());
        assertEquals(0, client.stats().repliesReceived());
        assertEquals(0, client.stats().lateReplies());
    }

    @Test
    void anOversizedFrameClosesTheConnection() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        InternodeTransport server = transport(TransportConfig.defaults(SECRET).withMaxFrameBytes(64 * 1024),
                (type, payload, r) -> {
                    handled.incrementAndGet();
                    r.reply(payload);
                });
        InetSocketAddress addr = serve(server);
        InternodeTransport client = client(TransportConfig.defaults(SECRET));
        assertArrayEquals(bytes("small"), client.request(addr, 1, bytes("small"), 5000, 0).get(10, TimeUnit.SECONDS));

        // The receiver's limit is what counts: 64 KiB + 1 is over it by one byte.
        int atLimit = 64 * 1024 - 1 - Frames.REQUEST_HEADER;
        assertEquals(atLimit, client.request(addr, 1, new byte[atLimit], 5000, 0).get(10, TimeUnit.SECONDS).length);
        Throwable t = failure(client.request(addr, 1, new byte[atLimit + 1], 5000, 0));
        assertInstanceOf(PeerUnavailableException.class, t);
        assertEquals(2, handled.get());

        // A new connection is opened for the next request.
        assertArrayEquals(bytes("again"), client.request(addr, 1, bytes("again"), 5000, 0).get(10, TimeUnit.SECONDS));

        // The sender refuses what its own limit forbids, without sending it.
        InternodeTransport strict = client(TransportConfig.defaults(SECRET).withMaxFrameBytes(64 * 1024));
        assertInstanceOf(IllegalArgumentException.class, failure(strict.request(addr, 1, new byte[atLimit + 1], 5000, 0)));
    }

    @Test
    void aNonRingkvClientIsDisconnected() throws Exception {
        InternodeTransport server = transport(TransportConfig.defaults(SECRET), ECHO);
        InetSocketAddress addr = serve(server);
        try (java.net.Socket s = new java.net.Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(5000);
            // A RESP command: its first four bytes read as a length far above the handshake limit.
            s.getOutputStream().write(bytes("*1\r\n$4\r\nPING\r\n"));
            s.getOutputStream().flush();
            assertEquals(-1, s.getInputStream().read());
        } catch (IOException reset) {
            // closed with a reset: fine too
        }
        assertEquals(0, server.stats().requestsReceived());
    }
}
