package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ringkv.server.config.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * deploy/kubernetes: the scripts its pods run, against real processes on loopback (a pod's
 * environment imitated with the scripts' RINGKV_* overrides), and the manifests' invariants
 * (kubectl and a cluster are not available to the build, so the YAML is checked here).
 *
 * <p>The lifecycle test plays one pod's life: ringkv-pod-start starts a joiner next to three
 * founders, ringkv-ready says when it took its slots, the preStop hook (ringkv-decommission)
 * keeps a restarted pod in the ring, refuses to decommission a founder, and on a scale-down
 * hands the node's data over until it has left.
 */
class KubernetesScriptsTest {

    private static final Path REPO = repoRoot();
    private static final Path DEPLOY = REPO.resolve("deploy/kubernetes");
    private static final Path SCRIPTS = DEPLOY.resolve("scripts");
    private static final int KEYS = 500;
    /** The options ringkv-pod-start sets per pod: the shared config file must leave them alone. */
    private static final Set<String> PER_POD_OPTIONS = Set.of("port", "bind", "dir", "cluster-enabled",
        "cluster-seeds", "cluster-port", "cluster-announce-ip", "metrics-port", "requirepass", "cluster-secret");

    private static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
            dir = dir.getParent();
            if (dir == null) {
                throw new AssertionError("deploy/kubernetes not found above " + Path.of("").toAbsolutePath());
            }
        }
        return dir;
    }

    /**
     * Runs one of the scripts with {@code env} on top of a clean pod-less environment (no
     * KUBERNETES_SERVICE_HOST even when the build itself runs in a pod).
     */
    private static ExternalCommand.Result script(String name, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Map<String, String> all = new HashMap<>();
        all.put("KUBERNETES_SERVICE_HOST", null);
        all.put("KUBERNETES_SERVICE_PORT", null);
        all.put("POD_NAME", null);
        all.put("POD_NAMESPACE", null);
        all.putAll(env);
        return ExternalCommand.run(timeout, null, all, List.of(SCRIPTS.resolve(name).toString()));
    }

    // ---- the lifecycle ----------------------------------------------------------------------

    @Test
    void aJoinerPodJoinsAndIsDecommissionedByItsPreStopHookOnScaleDownOnly() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, "--gossip-interval", "200");
             FakeKubernetesApi api = new FakeKubernetesApi("test", "ringkv")) {
            writeKeys(cluster.port(0));
            int port = RingkvProcess.freePort();
            int clusterPort = RingkvProcess.freePort();
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "clusters")), "pod-");
            Path log = Files.createDirectories(Path.of("target", "servers")).resolve("pod-start-" + port + ".log");
            List<String> seeds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seeds.add("127.0.0.1:" + cluster.port(i) + "@" + cluster.clusterPort(i));
            }
            ProcessBuilder builder = new ProcessBuilder(SCRIPTS.resolve("ringkv-pod-start").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.remove("KUBERNETES_SERVICE_HOST");
            env.put("POD_NAME", "ringkv-3");
            env.put("POD_NAMESPACE", "test");
            env.put("RINGKV_SEEDS", String.join(" ", seeds));
            env.put("RINGKV_ANNOUNCE", "127.0.0.1");
            env.put("RINGKV_BIND", "127.0.0.1");
            env.put("RINGKV_PORT", Integer.toString(port));
            env.put("RINGKV_CLUSTER_PORT", Integer.toString(clusterPort));
            env.put("RINGKV_DIR", dir.toAbsolutePath().toString());
            int metricsPort = RingkvProcess.freePort();
            env.put("RINGKV_METRICS_PORT", Integer.toString(metricsPort));
            env.put("RINGKV_OPTIONS", "--gossip-interval 200");
            env.put("RINGKV_SERVER", REPO.resolve("bin/ringkv-server").toString());
            env.put("JAVA_OPTS", "-Xmx256m");
            Process pod = builder.start();
            try {
                Map<String, String> local = Map.of("RINGKV_PORT", Integer.toString(port));
                // Ready once it took its slots; normal once every member has seen it joined. The
                // readiness probe (GET /ready on the metrics port) says 503 until the streaming is
                // done, whatever moment it is asked: never 200 while the node is not in the ring.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    assertTrue(pod.isAlive(), () -> "ringkv-pod-start exited:\n" + RingkvProcess.readLog(log));
                    int probe = httpStatus(metricsPort, "/ready");
                    String status = info(port, "cluster_ring_status");
                    if (probe == 200) {
                        assertTrue("joined".equals(status) || "normal".equals(status), "ready while " + status);
                    }
                    return probe == 200 && script("ringkv-ready", local, Duration.ofSeconds(10)).exitCode() == 0;
                });
                assertEquals(200, httpStatus(metricsPort, "/live"));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "normal".equals(info(port, "cluster_ring_status")));
                ExternalCommand.Result ready = script("ringkv-ready", local, Duration.ofSeconds(10));
                assertEquals(0, ready.exitCode(), ready.toString());
                assertTrue(ready.stdout().contains("ready: ring status normal"), ready.toString());
                String startLog = RingkvProcess.readLog(log);
                assertTrue(startLog.contains("--cluster-announce-ip 127.0.0.1")
                    && startLog.contains("--cluster-port " + clusterPort), startLog);
                String id;
                try (Jedis joiner = new Jedis("127.0.0.1", port, 10_000)) {
                    id = new String((byte[]) joiner.sendCommand(() -> "CLUSTER".getBytes(), "MYID"), StandardCharsets.UTF_8);
                    assertEquals("v7", joiner.get("key7"));
                }
                assertTrue(clusterNodes(cluster.port(0)).contains(id));

                // A founder's hook refuses: the founders are the seeds.
                ExternalCommand.Result founder = script("ringkv-decommission", Map.of("POD_NAME", "ringkv-1",
                    "RINGKV_PORT", Integer.toString(cluster.port(1)), "RINGKV_SCALE_CHECK", "off"), Duration.ofSeconds(20));
                assertEquals(0, founder.exitCode(), founder.toString());
                assertTrue(founder.stdout().contains("founder 1 of 3") && founder.stdout().contains("no leave"),
                    founder.toString());
                assertEquals("normal", info(cluster.port(1), "cluster_ring_status"));

                // A restart (rolling update, eviction): the StatefulSet still wants 4 pods.
                Path noCredentials = Files.createTempDirectory(dir.getParent(), "credentials-");
                Map<String, String> hook = new HashMap<>(Map.of("POD_NAME", "ringkv-3", "POD_NAMESPACE", "test",
                    "RINGKV_PORT", Integer.toString(port), "RINGKV_SCALE_CHECK", "on", "RINGKV_KUBE_API", api.url(),
                    "RINGKV_KUBE_CREDENTIALS", noCredentials.toString(), "RINGKV_POLL_INTERVAL", "0.2",
                    "RINGKV_DECOMMISSION_TIMEOUT", "60"));
                api.replicas = 4;
                ExternalCommand.Result restart = script("ringkv-decommission", hook, Duration.ofSeconds(20));
                assertEquals(0, restart.exitCode(), restart.toString());
                assertTrue(restart.stdout().contains("a restart, not a scale-down"), restart.toString());
                assertEquals(1, api.requests.get(), "the hook asked the API");
                assertEquals("normal", info(port, "cluster_ring_status"));

                // The scale-down: 3 wanted, so ringkv-3 leaves and hands its slots over.
                api.replicas = 3;
                ExternalCommand.Result leave = script("ringkv-decommission", hook, Duration.ofSeconds(70));
                System.out.println("KubernetesScriptsTest: the preStop hook on a scale-down:\n" + leave.stdout());
                assertEquals(0, leave.exitCode(), leave.toString() + "\n" + cluster.logs());
                assertTrue(leave.stdout().contains("scaled away") && leave.stdout().contains("CLUSTER LEAVE accepted")
                    && leave.stdout().contains("left the ring"), leave.toString());
                // Progress lines, whatever statuses the polls happened to catch.
                assertTrue(leave.stdout().contains("ringkv-decommission: status "), leave.toString());
                assertEquals(2, api.requests.get());
                assertEquals("left", info(port, "cluster_ring_status"));
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !clusterNodes(cluster.port(0)).contains(id) && !clusterNodes(cluster.port(2)).contains(id));
                // Run again (a retried hook): the node has left already.
                ExternalCommand.Result again = script("ringkv-decommission", hook, Duration.ofSeconds(20));
                assertEquals(0, again.exitCode(), again.toString());
                assertTrue(again.stdout().contains("left the ring already"), again.toString());

                // Kubernetes stops the container after the hook; the founders hold every key.
                pod.destroy();
                assertTrue(pod.waitFor(20, TimeUnit.SECONDS), "the server stops on SIGTERM");
                assertEveryKey(cluster.port(1));
                assertEquals("ok", info(cluster.port(2), "cluster_state"));
            } finally {
                if (pod.isAlive()) {
                    pod.destroy();
                    if (!pod.waitFor(10, TimeUnit.SECONDS)) {
                        pod.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static void writeKeys(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < KEYS; i++) {
                p.set("key" + i, "v" + i);
            }
            p.sync();
        }
    }

    private static void assertEveryKey(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            Pipeline p = jedis.pipelined();
            List<Response<String>> values = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                values.add(p.get("key" + i));
            }
            p.sync();
            for (int i = 0; i < KEYS; i++) {
                assertEquals("v" + i, values.get(i).get(), "key" + i);
            }
        }
    }

    private static String clusterNodes(int port) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            return jedis.clusterNodes();
        }
    }

    private static String info(int port, String field) {
        return LocalCluster.clusterInfo(port, field);
    }

    /** The API server as far as the hook uses it: one StatefulSet's scale subresource. */
    private static final class FakeKubernetesApi implements AutoCloseable {
        private final HttpServer server;
        volatile int replicas;
        final AtomicInteger requests = new AtomicInteger();

        FakeKubernetesApi(String namespace, String statefulSet) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            String path = "/apis/apps/v1/namespaces/" + namespace + "/statefulsets/" + statefulSet + "/scale";
            server.createContext("/", exchange -> {
                byte[] body;
                int status;
                if (exchange.getRequestURI().getPath().equals(path)) {
                    requests.incrementAndGet();
                    status = 200;
                    // The API server's compact JSON; replicas 0 would be left out of spec.
                    body = ("{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\""
                        + statefulSet + "\",\"namespace\":\"" + namespace + "\"},\"spec\":{\"replicas\":" + replicas
                        + "},\"status\":{\"replicas\":4,\"selector\":\"app.kubernetes.io/name=ringkv\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                } else {
                    status = 404;
                    body = "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":404}".getBytes(StandardCharsets.UTF_8);
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    // ---- failures, bounded --------------------------------------------------------------------

    @Test
    void theHookGivesUpInBoundedTimeWhenTheNodeDoesNotAnswer() throws Exception {
        String dead = Integer.toString(RingkvProcess.freePort());
        long start = System.nanoTime();
        ExternalCommand.Result timedOut = script("ringkv-decommission", Map.of("POD_NAME", "ringkv-5",
            "RINGKV_PORT", dead, "RINGKV_SCALE_CHECK", "off", "RINGKV_DECOMMISSION_TIMEOUT", "3",
            "RINGKV_POLL_INTERVAL", "0.2"), Duration.ofSeconds(30));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(1, timedOut.exitCode(), timedOut.toString());
        assertTrue(timedOut.stdout().contains("timed out after 3s"), timedOut.toString());
        assertTrue(seconds < 15, "took " + seconds + " s");

        // Unreachable for long enough gives up before the (long) decommission timeout; an API
        // that cannot be asked means the pod leaves, to be safe.
        String deadApi = "http://127.0.0.1:" + RingkvProcess.freePort();
        ExternalCommand.Result unreachable = script("ringkv-decommission", Map.of("POD_NAME", "ringkv-5",
            "POD_NAMESPACE", "test", "RINGKV_PORT", dead, "RINGKV_SCALE_CHECK", "on", "RINGKV_KUBE_API", deadApi,
            "RINGKV_KUBE_CREDENTIALS", "/nonexistent", "RINGKV_DECOMMISSION_TIMEOUT", "600",
            "RINGKV_UNREACHABLE_TIMEOUT", "2", "RINGKV_POLL_INTERVAL", "0.2"), Duration.ofSeconds(30));
        assertEquals(1, unreachable.exitCode(), unreachable.toString());
        assertTrue(unreachable.stdout().contains("decommissioning, to be safe"), unreachable.toString());
        assertTrue(unreachable.stdout().contains("has not answered for 2s"), unreachable.toString());

        ExternalCommand.Result notReady = script("ringkv-ready", Map.of("RINGKV_PORT", dead), Duration.ofSeconds(10));
        assertEquals(1, notReady.exitCode(), notReady.toString());
        assertTrue(notReady.stdout().startsWith("not ready: cannot connect"), notReady.toString());
    }

    @Test
    void theScriptsRefuseABadEnvironmentWithAClearError() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "clusters")), "pod-env-");
        Map<String, String> pod = Map.of("POD_NAME", "ringkv-4", "POD_NAMESPACE", "shop",
            "RINGKV_DIR", dir.toAbsolutePath().toString(), "RINGKV_SERVER", "echo");
        Map<Map<String, String>, String> bad = new LinkedHashMap<>();
        bad.put(Map.of("POD_NAME", ""), "POD_NAME is not set");
        bad.put(Map.of("POD_NAME", "ringkv"), "NAME-ORDINAL");
        bad.put(Map.of("POD_NAMESPACE", ""), "POD_NAMESPACE is not set");
        bad.put(Map.of("RINGKV_PORT", "70000"), "RINGKV_PORT must be a port");
        bad.put(Map.of("RINGKV_PORT", "60000"), "no room for the cluster port");
        bad.put(Map.of("RINGKV_FOUNDERS", "0"), "RINGKV_FOUNDERS must be a number");
        bad.put(Map.of("RINGKV_OPTIONS", "--port 7000"), "--port is set by ringkv-pod-start");
        bad.put(Map.of("RINGKV_OPTIONS", "--rack"), "option --rack needs a value");
        bad.put(Map.of("RINGKV_OPTIONS", "rack r1"), "expected --option value");
        bad.put(Map.of("RINGKV_SERVER", "/nonexistent/java -jar x.jar"), "is not a command that can be run");
        bad.put(Map.of("RINGKV_SEEDS", "seed-without-port", "RINGKV_ANNOUNCE", "a"), "host:port[@cport]");
        bad.put(Map.of("RINGKV_CONFIG", "/nonexistent/ringkv.conf"), "RINGKV_CONFIG /nonexistent/ringkv.conf");
        bad.put(Map.of("RINGKV_DIR", "/proc/ringkv"), "RINGKV_DIR /proc/ringkv");
        for (Map.Entry<Map<String, String>, String> c : bad.entrySet()) {
            Map<String, String> env = new HashMap<>(pod);
            env.putAll(c.getKey());
            ExternalCommand.Result r = script("ringkv-pod-start", env, Duration.ofSeconds(10));
            assertEquals(2, r.exitCode(), c.getKey() + ": " + r);
            assertTrue(r.stderr().contains(c.getValue()), c.getKey() + ": " + r);
            assertEquals("", r.stdout(), "nothing was started: " + r);
        }
        assertEquals(2, script("ringkv-decommission", Map.of("RINGKV_DECOMMISSION_TIMEOUT", "soon"),
            Duration.ofSeconds(10)).exitCode());
        assertEquals(2, script("ringkv-decommission", Map.of("RINGKV_POLL_INTERVAL", "0"),
            Duration.ofSeconds(10)).exitCode());
        assertEquals(2, script("ringkv-decommission", Map.of("POD_NAME", "ringkv-x"), Duration.ofSeconds(10)).exitCode());
        assertEquals(2, script("ringkv-ready", Map.of("RINGKV_PORT", "0"), Duration.ofSeconds(10)).exitCode());
    }

    /** In a pod, the seeds and the announced address are the pods' stable names. */
    @Test
    void podStartNamesTheFoundersAsSeedsAndAnnouncesThePodsStableName() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "clusters")), "pod-env-");
        Map<String, String> env = new HashMap<>(Map.of("POD_NAME", "ringkv-4", "POD_NAMESPACE", "shop",
            "RINGKV_DIR", dir.toAbsolutePath().toString(), "RINGKV_SERVER", "echo",
            "RINGKV_OPTIONS", "--rack r2", "RINGKV_PASSWORD", "s3cret"));
        ExternalCommand.Result joiner = script("ringkv-pod-start", env, Duration.ofSeconds(10));
        assertEquals(0, joiner.exitCode(), joiner.toString());
        String seeds = "ringkv-0.ringkv-headless.shop.svc.cluster.local:6379"
            + " ringkv-1.ringkv-headless.shop.svc.cluster.local:6379 ringkv-2.ringkv-headless.shop.svc.cluster.local:6379";
        assertEquals("--port 6379 --bind 0.0.0.0 --dir " + dir.toAbsolutePath() + " --cluster-enabled yes --cluster-seeds "
            + seeds + " --cluster-announce-ip ringkv-4.ringkv-headless.shop.svc.cluster.local --metrics-port 9121"
            + " --rack r2 --requirepass s3cret", joiner.stdout().strip());
        assertTrue(joiner.stderr().contains("joins the cluster through the 3 founders"), joiner.toString());
        assertFalse(joiner.stderr().contains("s3cret"), "the password stays out of the log: " + joiner);

        env.putAll(Map.of("POD_NAME", "ringkv-2", "RINGKV_SERVICE", "kv", "RINGKV_FOUNDERS", "5",
            "RINGKV_CLUSTER_PORT", "7100", "RINGKV_METRICS_PORT", ""));
        env.remove("RINGKV_PASSWORD");
        ExternalCommand.Result founder = script("ringkv-pod-start", env, Duration.ofSeconds(10));
        assertEquals(0, founder.exitCode(), founder.toString());
        String out = founder.stdout().strip();
        // A founder finds its own address among its seeds: that is what makes it one.
        assertTrue(out.contains("--cluster-seeds ringkv-0.kv.shop.svc.cluster.local:6379@7100 "), out);
        assertTrue(out.contains(" ringkv-4.kv.shop.svc.cluster.local:6379@7100 --cluster-announce-ip"
            + " ringkv-2.kv.shop.svc.cluster.local --cluster-port 7100 --rack r2"), out);
        assertTrue(out.contains("ringkv-2.kv.shop.svc.cluster.local:6379@7100 "), out);
        assertFalse(out.contains("--metrics-port"), out);
        assertTrue(founder.stderr().contains("founder 2 of 5"), founder.toString());
    }

    // ---- the manifests ------------------------------------------------------------------------

    @Test
    @SuppressWarnings("unchecked")
    void theManifestsHoldTogether() throws Exception {
        Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        assertTrue(files.size() >= 8, files.toString());
        Map<String, Object> kustomization = null;
        for (Path file : files) {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            for (Object doc : yaml.loadAll(Files.readString(file))) {
                assertTrue(doc instanceof Map, file + ": a document that is not a mapping");
                Map<String, Object> m = (Map<String, Object>) doc;
                String kind = (String) m.get("kind");
                assertNotNull(kind, file + ": no kind");
                assertNotNull(m.get("apiVersion"), file + ": no apiVersion");
                if (kind.equals("Kustomization")) {
                    kustomization = m;
                    continue;
                }
                String name = str(m, "metadata", "name");
                assertNotNull(name, file + ": no metadata.name");
                assertEquals(null, docs.put(kind + "/" + name, m), file + ": " + kind + "/" + name + " twice");
            }
        }
        // Everything in the folder is applied by the kustomization, but the adapter's rules,
        // which belong to the adapter's installation.
        assertNotNull(kustomization, "kustomization.yaml");
        Set<String> listed = new TreeSet<>((List<String>) kustomization.get("resources"));
        Set<String> present;
        try (Stream<Path> top = Files.list(DEPLOY)) {
            present = top.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                .filter(n -> !n.equals("kustomization.yaml")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(present, listed);

        Map<String, Object> sts = docs.get("StatefulSet/ringkv");
        Map<String, Object> spec = map(sts, "spec");
        Map<String, Object> podSpec = map(spec, "template", "spec");
        Map<String, Object> podLabels = map(spec, "template", "metadata", "labels");
        Map<String, Object> container = ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
        Map<String, String> env = new HashMap<>();
        Map<String, String> fieldRefs = new HashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
            if (e.get("value") != null) {
                env.put((String) e.get("name"), e.get("value").toString());
            } else if (str(e, "valueFrom", "fieldRef", "fieldPath") != null) {
                fieldRefs.put((String) e.get("name"), str(e, "valueFrom", "fieldRef", "fieldPath"));
            }
        }
        Map<String, Integer> ports = new HashMap<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) container.get("ports")) {
            ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
        }

        // Stable names: the headless Service, resolving pods before they are ready.
        String headless = (String) spec.get("serviceName");
        Map<String, Object> headlessService = docs.get("Service/" + headless);
        assertNotNull(headlessService, "the StatefulSet's serviceName is a Service: " + headless);
        assertEquals("None", str(headlessService, "spec", "clusterIP"));
        assertEquals(Boolean.TRUE, map(headlessService, "spec").get("publishNotReadyAddresses"));
        assertEquals(headless, env.get("RINGKV_SERVICE"), "ringkv-pod-start names the seeds under that Service");
        assertEquals("metadata.name", fieldRefs.get("POD_NAME"));
        assertEquals("metadata.namespace", fieldRefs.get("POD_NAMESPACE"));
        for (Map<String, Object> doc : docs.values()) {
            Map<String, Object> selector = switch ((String) doc.get("kind")) {
                case "Service" -> map(doc, "spec", "selector");
                case "PodDisruptionBudget" -> map(doc, "spec", "selector", "matchLabels");
                case "StatefulSet" -> map(doc, "spec", "selector", "matchLabels");
                default -> null;
            };
            if (selector != null) {
                assertFalse(selector.isEmpty());
                assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), doc.get("kind") + " selects the pods");
            }
        }

        // Parallel (OrderedReady would wait forever for a founder that needs the others);
        // the volumes of scaled-away pods go, those of a deleted StatefulSet stay.
        assertEquals("Parallel", spec.get("podManagementPolicy"));
        assertEquals(Map.of("whenScaled", "Delete", "whenDeleted", "Retain"), spec.get("persistentVolumeClaimRetentionPolicy"));
        assertFalse(spec.containsKey("replicas"), "the autoscaler owns replicas; kubectl apply would reset them");
        String dataDir = env.getOrDefault("RINGKV_DIR", "/data");
        String claim = null;
        for (Map<String, Object> mount : (List<Map<String, Object>>) container.get("volumeMounts")) {
            if (dataDir.equals(mount.get("mountPath"))) {
                claim = (String) mount.get("name");
            }
        }
        String dataClaim = claim;
        assertTrue(((List<Map<String, Object>>) spec.get("volumeClaimTemplates")).stream()
            .anyMatch(t -> dataClaim != null && dataClaim.equals(str(t, "metadata", "name"))), "the data folder is the pod's volume");

        // The scripts: the command, the preStop hook, shipped where the image puts them.
        List<String> command = (List<String>) container.get("command");
        assertEquals("/opt/ringkv/bin/ringkv-pod-start", command.get(0));
        List<String> preStop = (List<String>) map(container, "lifecycle", "preStop", "exec").get("command");
        assertEquals("/opt/ringkv/bin/ringkv-decommission", preStop.get(0));
        for (String s : List.of("ringkv-pod-start", "ringkv-decommission", "ringkv-ready")) {
            assertTrue(Files.isExecutable(SCRIPTS.resolve(s)), s + " is executable");
        }
        String dockerfile = Files.readString(REPO.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("WORKDIR /opt/ringkv") && dockerfile.contains("deploy/kubernetes/scripts/ ./bin/"),
            "the image has the scripts in /opt/ringkv/bin");

        // Ports and probes: the metrics port serves /ready, /live and /metrics.
        int metricsPort = Integer.parseInt(env.get("RINGKV_METRICS_PORT"));
        assertEquals(metricsPort, ports.get("metrics"));
        int port = Integer.parseInt(env.getOrDefault("RINGKV_PORT", "6379"));
        assertEquals(port, ports.get("redis"));
        assertEquals(port + 10000, ports.get("cluster-bus"));
        assertEquals("/ready", str(container, "readinessProbe", "httpGet", "path"));
        assertEquals("metrics", str(container, "readinessProbe", "httpGet", "port"));
        assertEquals("/live", str(container, "livenessProbe", "httpGet", "path"));
        assertEquals("metrics", str(container, "livenessProbe", "httpGet", "port"));
        assertNotNull(container.get("startupProbe"));
        Map<String, Object> annotations = map(spec, "template", "metadata", "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(Integer.toString(metricsPort), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));

        // The grace period covers the decommission, with room for the shutdown after it.
        int grace = (Integer) podSpec.get("terminationGracePeriodSeconds");
        int decommission = Integer.parseInt(env.get("RINGKV_DECOMMISSION_TIMEOUT"));
        assertTrue(grace >= decommission + 60, "grace " + grace + " s, decommission timeout " + decommission + " s");

        // The autoscaler: on the StatefulSet, never below the founders, slow down.
        int founders = Integer.parseInt(env.getOrDefault("RINGKV_FOUNDERS", "3"));
        Map<String, Object> hpa = docs.get("HorizontalPodAutoscaler/ringkv");
        assertEquals("autoscaling/v2", hpa.get("apiVersion"));
        assertEquals(Map.of("apiVersion", "apps/v1", "kind", "StatefulSet", "name", str(sts, "metadata", "name")),
            map(hpa, "spec", "scaleTargetRef"));
        int min = (Integer) map(hpa, "spec").get("minReplicas");
        assertTrue(min >= founders, "minReplicas " + min + " keeps the " + founders + " founders");
        assertTrue((Integer) map(hpa, "spec").get("maxReplicas") > min);
        List<Map<String, Object>> metrics = (List<Map<String, Object>>) map(hpa, "spec").get("metrics");
        String opsMetric = metrics.stream().filter(m -> "Pods".equals(m.get("type")))
            .map(m -> str(m, "pods", "metric", "name")).findFirst().orElseThrow();
        assertEquals("ringkv_instantaneous_ops_per_sec", opsMetric);
        assertTrue(metrics.stream().anyMatch(m -> "Resource".equals(m.get("type")) && "cpu".equals(str(m, "resource", "name"))));
        assertNotNull(str(container, "resources", "requests", "cpu"), "a CPU utilization target needs a CPU request");
        Map<String, Object> scaleDown = map(hpa, "spec", "behavior", "scaleDown");
        assertTrue((Integer) scaleDown.get("stabilizationWindowSeconds") >= 300);
        for (Map<String, Object> policy : (List<Map<String, Object>>) scaleDown.get("policies")) {
            assertEquals("Pods", policy.get("type"));
            assertEquals(1, policy.get("value"), "one decommission at a time");
            assertTrue((Integer) policy.get("periodSeconds") >= 600);
        }
        Map<String, Object> adapter = docs.get("ConfigMap/adapter-config");
        Map<String, Object> adapterConfig = new Yaml(new SafeConstructor(new LoaderOptions()))
            .load((String) map(adapter, "data").get("config.yaml"));
        assertTrue(((List<Map<String, Object>>) adapterConfig.get("rules")).stream()
            .anyMatch(r -> opsMetric.equals(str(r, "name", "as"))), "prometheus-adapter serves the HPA's metric");

        assertEquals(1, map(docs.get("PodDisruptionBudget/ringkv"), "spec").get("maxUnavailable"));

        // The hook may read the StatefulSet's scale, through the pods' service account.
        String account = (String) podSpec.get("serviceAccountName");
        assertNotNull(docs.get("ServiceAccount/" + account));
        Map<String, Object> binding = docs.values().stream().filter(d -> "RoleBinding".equals(d.get("kind")))
            .filter(d -> ((List<Map<String, Object>>) d.get("subjects")).stream()
                .anyMatch(s -> account.equals(s.get("name")) && "ServiceAccount".equals(s.get("kind"))))
            .findFirst().orElseThrow();
        Map<String, Object> role = docs.get("Role/" + str(binding, "roleRef", "name"));
        assertTrue(((List<Map<String, Object>>) role.get("rules")).stream()
            .anyMatch(r -> ((List<String>) r.get("apiGroups")).contains("apps")
                && ((List<String>) r.get("resources")).contains("statefulsets/scale")
                && ((List<String>) r.get("verbs")).contains("get")));

        // The shared config file is a valid ringkv config that leaves the per-pod options alone.
        String configPath = env.get("RINGKV_CONFIG");
        String configMapName = null;
        String configMount = null;
        for (Map<String, Object> mount : (List<Map<String, Object>>) container.get("volumeMounts")) {
            if (configPath.startsWith(mount.get("mountPath") + "/")) {
                configMount = (String) mount.get("mountPath");
                for (Map<String, Object> volume : (List<Map<String, Object>>) podSpec.get("volumes")) {
                    if (mount.get("name").equals(volume.get("name"))) {
                        configMapName = str(volume, "configMap", "name");
                    }
                }
            }
        }
        assertNotNull(configMapName, "RINGKV_CONFIG is in a mounted ConfigMap");
        String conf = (String) map(docs.get("ConfigMap/" + configMapName), "data")
            .get(configPath.substring(configMount.length() + 1));
        assertNotNull(conf, configPath + " is a key of the ConfigMap");
        new ServerConfig().loadFile(conf);
        for (String line : conf.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                String option = t.split("\\s+")[0];
                assertFalse(PER_POD_OPTIONS.contains(option), option + " is set per pod by ringkv-pod-start");
            }
        }
    }

    private static String str(Map<String, Object> m, String... path) {
        Object o = m;
        for (String key : path) {
            if (!(o instanceof Map<?, ?> map)) {
                return null;
            }
            o = map.get(key);
        }
        return o == null ? null : o.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String... path) {
        Object o = m;
        for (String key : path) {
            assertTrue(o instanceof Map, String.join(".", path) + ": not a mapping at " + key);
            o = ((Map<String, Object>) o).get(key);
        }
        assertTrue(o instanceof Map, String.join(".", path) + " is a mapping");
        return (Map<String, Object>) o;
    }

    /** The status of GET path on the metrics port, or -1 while nothing answers there. */
    private static int httpStatus(int port, String path) {
        try {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2)).build();
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build();
            return client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
