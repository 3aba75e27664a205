package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real redis-cli in cluster mode ({@code -c}) and redis-benchmark {@code --cluster} against a
 * 3-node ringkv cluster, started once for the class. The tests are skipped when a tool is not
 * installed, as {@link RedisCliTest} and {@link RedisBenchmarkTest} are.
 *
 * <p>ringkv never redirects (every node coordinates every key), so {@code redis-cli -c} never
 * has to follow a MOVED; what is checked is that the cluster-mode tools run unchanged and that
 * what they write through one node is read through any other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterToolsTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    /** redis-benchmark -q prints "NAME: 12345.67 requests per second, p50=0.123 msec". */
    private static final Pattern RESULT = Pattern.compile("^(.+): ([0-9]+(?:\\.[0-9]+)?) requests per second");

    private static LocalCluster cluster;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startCluster() throws IOException {
        assumeTrue(ExternalCommand.installed("redis-cli") || ExternalCommand.installed("redis-benchmark"),
            "neither redis-cli nor redis-benchmark is installed");
        cluster = LocalCluster.start(3, "--storage", "memory");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void cliOneShotCommandsOnEveryNode() throws Exception {
        assumeTrue(ExternalCommand.installed("redis-cli"), "redis-cli is not installed");
        for (int n = 0; n < cluster.size(); n++) {
            assertEquals("OK\n", cli(n, "SET", "one-shot:" + n, "written-via-" + n));
        }
        for (int n = 0; n < cluster.size(); n++) {
            for (int w = 0; w < cluster.size(); w++) {
                assertEquals("written-via-" + w + "\n", cli(n, "GET", "one-shot:" + w), "GET on node " + n);
            }
        }
        assertEquals("1\n", cli(1, "INCR", "one-shot:counter"));
        assertEquals("2\n", cli(2, "INCR", "one-shot:counter"));
        assertEquals("3\n", cli(0, "DEL", "one-shot:0", "one-shot:1", "one-shot:2"));
        assertEquals("\n", cli(2, "GET", "one-shot:0"));
        assertEquals("cluster_state:ok", clusterInfoField(cli(0, "CLUSTER", "INFO"), "cluster_state"));
        assertEquals("cluster_known_nodes:3", clusterInfoField(cli(1, "CLUSTER", "INFO"), "cluster_known_nodes"));
    }

    /** A script on standard input through one node; its keys spread over every node's slots. */
    @Test
    void cliScriptFromStandardInput() throws Exception {
        assumeTrue(ExternalCommand.installed("redis-cli"), "redis-cli is not installed");
        StringBuilder script = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            script.append("SET script:").append(i).append(" value-").append(i).append('\n');
            expected.append("OK\n");
        }
        for (int i = 0; i < 100; i++) {
            script.append("GET script:").append(i).append('\n');
            expected.append("value-").append(i).append('\n');
        }
        script.append("INCRBY script:n 5\nINCRBY script:n 5\nGET script:n\nGET script:missing\n");
        script.append("MSET {script}:a 1 {script}:b 2\nMGET {script}:a {script}:b {script}:c\n");
        script.append("SET \"script:with space\" \"a b\"\nGET \"script:with space\"\n");
        expected.append("5\n10\n10\n\nOK\n1\n2\n\nOK\na b\n");
        Path file = Files.writeString(tmp.resolve("script.txt"), script);

        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, file, cliCommand(0));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(expected.toString(), r.stdout(), r.toString());

        // Every other node reads the same values.
        Path reads = Files.writeString(tmp.resolve("reads.txt"), "GET script:0\nGET script:57\nGET script:99\nGET script:n\n");
        for (int n = 1; n < cluster.size(); n++) {
            ExternalCommand.Result read = ExternalCommand.run(TOOL_TIMEOUT, reads, cliCommand(n));
            assertEquals("value-0\nvalue-57\nvalue-99\n10\n", read.stdout(), read.toString());
        }
    }

    /**
     * redis-benchmark --cluster reads CLUSTER NODES, finds 3 masters, and sends each one keys
     * tagged for its slots: it must finish both tests with no error and print one result line each.
     */
    @Test
    void benchmarkInClusterMode() throws Exception {
        assumeTrue(ExternalCommand.installed("redis-benchmark"), "redis-benchmark is not installed");
        ExternalCommand.Result r = ExternalCommand.run(Duration.ofSeconds(90), null, List.of("redis-benchmark",
            "-h", "127.0.0.1", "-p", Integer.toString(cluster.port(0)), "--cluster", "-t", "set,get",
            "-n", "2000", "-c", "10", "-q"));
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(r.stdout().contains("ERR") || r.stdout().contains("Error") || r.stderr().contains("Error"),
            r.toString());
        assertTrue(r.stdout().contains("Cluster has 3 master nodes"), r.toString());
        Map<String, Double> rates = results(r.stdout());
        assertEquals(List.of("SET", "GET"), List.copyOf(rates.keySet()), r.toString());
        rates.forEach((test, rate) -> assertTrue(rate > 0, test + " reported " + rate + " requests/sec"));
    }

    // ---- helpers ----

    private static List<String> cliCommand(int node, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-c", "-h", "127.0.0.1", "-p",
            Integer.toString(cluster.port(node))));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** Runs redis-cli -c against node {@code node}; returns its standard output (it must exit 0). */
    private static String cli(int node, String... args) throws IOException, InterruptedException {
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, null, cliCommand(node, args));
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout();
    }

    private static String clusterInfoField(String info, String field) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.strip();
            }
        }
        return "(no " + field + " in " + info + ")";
    }

    /** The final line of each test (progress lines end in CR and are overwritten on a terminal). */
    private static Map<String, Double> results(String stdout) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String line : stdout.split("[\r\n]+")) {
            Matcher m = RESULT.matcher(line.strip());
            if (m.find()) {
                rates.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return rates;
    }
}
