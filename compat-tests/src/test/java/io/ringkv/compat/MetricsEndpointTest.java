package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.server.RingkvServer;
import io.ringkv.server.ServerLog;
import io.ringkv.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The metrics port (docs/metrics.md) of real servers, scraped over HTTP as Prometheus and
 * Kubernetes probes do: a single node under load, a three-node cluster forming, and a port that
 * cannot be bound.
 */
class MetricsEndpointTest {

    private static final int THREADS = 4;
    private static final int KEYS_PER_THREAD = 1000;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        http.close();
    }

    @Test
    void aNodeUnderLoadCountsWhatItWasSent() throws Exception {
        int metricsPort = RingkvProcess.freePort();
        RingkvProcess server = RingkvProcess.start("--metrics-port", Integer.toString(metricsPort));
        toClose.add(server);

        HttpResponse<String> first = get(metricsPort, "/metrics");
        assertEquals(200, first.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", first.headers().firstValue("content-type").orElse(""));
        Map<String, PrometheusText.Family> before = PrometheusText.parse(first.body());

        // Each worker SETs its keys, waits at the halfway mark until the main thread has scraped
        // once (so that scrape certainly sees a load in progress), then GETs them back while the
        // main thread keeps scraping.
        CountDownLatch halfway = new CountDownLatch(THREADS);
        CountDownLatch scraped = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        toClose.add(pool::shutdownNow);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            workers.add(pool.submit(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
                    for (int i = 0; i < KEYS_PER_THREAD; i++) {
                        jedis.set("t" + thread + ":" + i, "value-" + i);
                    }
                    halfway.countDown();
                    if (!scraped.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no scrape at halfway");
                    }
                    for (int i = 0; i < KEYS_PER_THREAD; i++) {
                        assertEquals("value-" + i, jedis.get("t" + thread + ":" + i));
                    }
                }
                return null;
            }));
        }
        assertTrue(halfway.await(60, TimeUnit.SECONDS), "the writers did not finish their SETs");
        Map<String, PrometheusText.Family> during = scrape(metricsPort);
        scraped.countDown();
        long sets = (long) THREADS * KEYS_PER_THREAD;
        assertTrue(value(during, "ringkv_commands_processed_total") >= sets, during.toString());
        assertEquals(sets, value(during, "ringkv_keys"));
        assertTrue(value(during, "ringkv_connected_clients") >= THREADS);

        // Scrapes while the GETs run: every counter only grows from one scrape to the next.
        List<Map<String, PrometheusText.Family>> scrapes = new ArrayList<>(List.of(before, during));
        while (!workers.stream().allMatch(Future::isDone)) {
            scrapes.add(scrape(metricsPort));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        scrapes.add(scrape(metricsPort));
        for (int i = 1; i < scrapes.size(); i++) {
            assertCountersGrow(scrapes.get(i - 1), scrapes.get(i));
        }

        Map<String, PrometheusText.Family> after;
        try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
            long dbsize = jedis.dbSize();
            Map<String, String> info = infoFields(jedis.info("stats"));
            after = scrape(metricsPort);
            assertEquals(dbsize, value(after, "ringkv_keys"));
            assertEquals(sets, dbsize);
            // Sent: every SET and GET, the DBSIZE and the INFO (the scrape cannot see its own client's
            // later commands, and nothing else talks to this server).
            long sent = 2 * sets + 2;
            assertTrue(value(after, "ringkv_commands_processed_total") >= sent, after.toString());
            assertTrue(value(after, "ringkv_commands_processed_total")
                >= Long.parseLong(info.get("total_commands_processed")));
            assertTrue(value(after, "ringkv_keyspace_hits_total") >= sets);
            assertEquals(Long.parseLong(info.get("keyspace_misses")), value(after, "ringkv_keyspace_misses_total"));
            assertTrue(value(after, "ringkv_connections_received_total") >= THREADS + 1);
            assertTrue(value(after, "ringkv_net_input_bytes_total") >= 2 * sets * 20);
            assertTrue(value(after, "ringkv_net_output_bytes_total") >= sets * 5);
            assertEquals(0, value(after, "ringkv_error_replies_total"));
            assertEquals(0, value(after, "ringkv_rejected_connections_total"));
            assertTrue(value(after, "ringkv_connected_clients") >= 1);
            assertTrue(value(after, "ringkv_used_memory_bytes") > 0);
            assertEquals(512L * 1024 * 1024, value(after, "ringkv_heap_max_bytes"), 64L * 1024 * 1024);
            assertTrue(value(after, "ringkv_storage_commit_log_bytes") > 0);
            assertTrue(after.get("ringkv_info").samples().keySet().iterator().next().contains("mode=\"standalone\""));
            assertFalse(after.containsKey("ringkv_cluster_state"));
            // The option reads back, and like port it is fixed at start.
            assertEquals(Map.of("metrics-port", Integer.toString(metricsPort)), jedis.configGet("metrics-port"));
            JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.configSet("metrics-port", "1"));
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'metrics-port') - can't set immutable config",
                e.getMessage());
        }
        assertEquals("counter", after.get("ringkv_commands_processed_total").type());
        assertEquals("gauge", after.get("ringkv_keys").type());
        assertDocumented(after.keySet());

        // Probes and the other answers.
        assertEquals(200, get(metricsPort, "/live").statusCode());
        HttpResponse<String> ready = get(metricsPort, "/ready");
        assertEquals(200, ready.statusCode());
        assertEquals("ready\n", ready.body());
        assertEquals(404, get(metricsPort, "/").statusCode());
        assertEquals(404, get(metricsPort, "/metricsx").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri(metricsPort, "/metrics"))
            .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));
    }

    @Test
    void clusterNodesExportTheirClusterAndAreReadyOnceTheTopologyIsComplete() throws Exception {
        int n = 3;
        int[] ports = new int[n];
        int[] cports = new int[n];
        int[] metricsPorts = new int[n];
        StringBuilder seeds = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ports[i] = RingkvProcess.freePort();
            cports[i] = RingkvProcess.freePort();
            metricsPorts[i] = RingkvProcess.freePort();
            seeds.append(i == 0 ? "" : " ").append("127.0.0.1:").append(ports[i]).append('@').append(cports[i]);
        }
        Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target", "clusters")), "metrics-");
        List<RingkvServer> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            servers.add(inJvm("--port", Integer.toString(ports[i]), "--dir",
                Files.createDirectories(root.resolve("n" + i)).toString(), "--cluster-enabled", "yes",
                "--cluster-seeds", seeds.toString(), "--cluster-port", Integer.toString(cports[i]),
                "--metrics-port", Integer.toString(metricsPorts[i])));
        }

        // The first node alone has met no seed but itself: it serves, is not ready, and says why
        // (a founder is in the ring only once it has met another seed: docs/elasticity.md).
        servers.getFirst().start();
        assertEquals(200, get(metricsPorts[0], "/live").statusCode());
        HttpResponse<String> notReady = get(metricsPorts[0], "/ready");
        assertEquals(503, notReady.statusCode());
        assertEquals("not ready: waiting for cluster topology complete (every seed met), in the ring for reads"
            + " (joined or normal)\n", notReady.body());
        assertEquals(0, value(scrape(metricsPorts[0]), "ringkv_cluster_state"));

        for (int i = 1; i < n; i++) {
            servers.get(i).start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int port : metricsPorts) {
                if (get(port, "/ready").statusCode() != 200) {
                    return false;
                }
            }
            return true;
        });

        int keys = 300;
        try (Jedis jedis = new Jedis("127.0.0.1", ports[1], 10_000)) {
            for (int i = 0; i < keys; i++) {
                jedis.set("k" + i, "v" + i);
            }
        }
        // N=3 on three nodes: every node holds every key once the last replica has its copy, and
        // gossip has seen every peer up.
        for (int i = 0; i < n; i++) {
            int port = metricsPorts[i];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Map<String, PrometheusText.Family> m = scrape(port);
                return value(m, "ringkv_keys") == keys
                    && m.get("ringkv_cluster_peers").samples().get("{status=\"up\"}") == 2;
            });
            Map<String, PrometheusText.Family> m = scrape(port);
            assertEquals(1, value(m, "ringkv_cluster_state"));
            assertEquals(3, value(m, "ringkv_cluster_known_nodes"));
            assertEquals(3, value(m, "ringkv_cluster_replication_factor"));
            assertEquals(0, m.get("ringkv_cluster_peers").samples().get("{status=\"down\"}"));
            assertEquals(0, m.get("ringkv_cluster_peers").samples().get("{status=\"suspect\"}"));
            assertEquals(0, value(m, "ringkv_cluster_hints_pending"));
            assertEquals(0, value(m, "ringkv_cluster_unavailable_errors_total"));
            assertTrue(value(m, "ringkv_cluster_requests_received_total") > 0, m.toString());
            assertTrue(value(m, "ringkv_cluster_bytes_received_total") > 0);
            assertTrue(m.get("ringkv_info").samples().keySet().iterator().next().contains("mode=\"cluster\""));
            // The coordinating node sent the replicas their writes.
            if (i == 1) {
                assertTrue(value(m, "ringkv_cluster_requests_sent_total") >= 2 * keys, m.toString());
            }
            assertDocumented(m.keySet());
            // An LSM cluster node exports every metric the documentation lists.
            Set<String> missing = new HashSet<>(documentedMetrics());
            missing.removeAll(m.keySet());
            assertEquals(Set.of(), missing, "documented but not exported");
        }
    }

    @Test
    void aMetricsPortThatCannotBeBoundStopsTheServerAtStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            RingkvProcess server = RingkvProcess.launch("--metrics-port", Integer.toString(taken.getLocalPort()));
            toClose.add(server);
            assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), "the server did not exit");
            assertEquals(1, server.process().exitValue(), server.log());
            assertTrue(server.log().contains("Could not create metrics HTTP listening socket 127.0.0.1:"
                + taken.getLocalPort() + ": "), server.log());
        }
    }

    @Test
    void inProcessABindFailureReleasesTheClientPort() throws Exception {
        int port = RingkvProcess.freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            RingkvServer server = inJvm("--port", Integer.toString(port), "--storage", "memory", "--metrics-port",
                Integer.toString(taken.getLocalPort()));
            IllegalStateException e = assertThrows(IllegalStateException.class, server::start);
            assertTrue(e.getMessage().startsWith("Could not create metrics HTTP listening socket 127.0.0.1:"
                + taken.getLocalPort()), e.getMessage());
        }
        // The client port was closed with the failed start.
        try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort());
        }
    }

    // ---------------------------------------------------------------------------------------

    private RingkvServer inJvm(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bind", "127.0.0.1"));
        args.addAll(List.of(options));
        if (!args.contains("--dir")) {
            args.addAll(List.of("--dir", Files.createTempDirectory(
                Files.createDirectories(Path.of("target", "servers")), "metrics-").toString()));
        }
        ServerLog log = new ServerLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            Clock.systemUTC(), ServerLog.Level.NOTICE);
        RingkvServer server = new RingkvServer(ServerConfig.fromArgs(args.toArray(String[]::new)), Clock.systemUTC(), log);
        toClose.add(server);
        return server;
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** GET /metrics, checked line by line. */
    private Map<String, PrometheusText.Family> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, "/metrics");
        assertEquals(200, response.statusCode(), response.body());
        return PrometheusText.parse(response.body());
    }

    /** The value of an unlabelled sample. */
    private static long value(Map<String, PrometheusText.Family> metrics, String name) {
        PrometheusText.Family family = metrics.get(name);
        assertNotNull(family, name + " not exported");
        Double v = family.samples().get("");
        assertNotNull(v, name + " has no unlabelled sample");
        return v.longValue();
    }

    private static void assertCountersGrow(Map<String, PrometheusText.Family> earlier,
                                           Map<String, PrometheusText.Family> later) {
        for (Map.Entry<String, PrometheusText.Family> e : earlier.entrySet()) {
            if (!e.getValue().type().equals("counter")) {
                continue;
            }
            for (Map.Entry<String, Double> sample : e.getValue().samples().entrySet()) {
                Double now = later.get(e.getKey()).samples().get(sample.getKey());
                assertNotNull(now, e.getKey() + sample.getKey() + " vanished");
                assertTrue(now >= sample.getValue(), e.getKey() + sample.getKey() + " went from "
                    + sample.getValue() + " to " + now);
            }
        }
    }

    private static void assertDocumented(Set<String> exported) throws IOException {
        Set<String> undocumented = new HashSet<>(exported);
        undocumented.removeAll(documentedMetrics());
        assertEquals(Set.of(), undocumented, "exported but not in docs/metrics.md");
    }

    /** The metric names in docs/metrics.md's tables (rows starting with | `name` or | `name{...}`). */
    private static Set<String> documentedMetrics() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("docs/metrics.md"))) {
            dir = dir.getParent();
        }
        assertNotNull(dir, "docs/metrics.md not found");
        Set<String> names = new HashSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_:]+)(?:\\{[^`]*\\})?` \\|")
            .matcher(Files.readString(dir.resolve("docs/metrics.md"), StandardCharsets.UTF_8));
        while (row.find()) {
            names.add(row.group(1));
        }
        return names;
    }

    private static Map<String, String> infoFields(String info) {
        Map<String, String> fields = new java.util.HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
