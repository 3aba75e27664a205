package io.ringkv.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.server.ServerHarness;
import io.ringkv.server.info.JvmMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's own metrics read the same counters as INFO, through the real command path. */
class ServerMetricsTest {

    /** A JVM whose figures the test chooses. */
    private static final JvmMetrics JVM = new JvmMetrics() {
        @Override
        public long heapUsedBytes() {
            return 1000;
        }

        @Override
        public long heapMaxBytes() {
            return 4096;
        }

        @Override
        public long totalSystemMemoryBytes() {
            return -1;
        }

        @Override
        public long userCpuNanos() {
            return 1_500_000_000L;
        }

        @Override
        public long systemCpuNanos() {
            return 250_000_000L;
        }

        @Override
        public long processCpuNanos() {
            return 1_750_000_000L;
        }

        @Override
        public long pid() {
            return 1;
        }

        @Override
        public Optional<String> executable() {
            return Optional.empty();
        }

        @Override
        public String os() {
            return "Test";
        }

        @Override
        public int archBits() {
            return 64;
        }
    };

    @Test
    void countersFollowTheCommandsRun() {
        ServerHarness h = new ServerHarness();
        assertEquals("+OK\r\n", h.call("SET", "k", "v"));
        assertEquals("$1\r\nv\r\n", h.call("GET", "k"));
        assertEquals("$-1\r\n", h.call("GET", "missing"));
        assertTrue(h.call("INCR", "k").startsWith("-ERR"));
        h.call("SET", "t", "v", "EX", "100");
        h.clock.advance(7_500);

        Map<String, Double> m = values(h);
        assertEquals(5, m.get("ringkv_commands_processed_total"));
        assertEquals(1, m.get("ringkv_keyspace_hits_total"));
        assertEquals(1, m.get("ringkv_keyspace_misses_total"));
        assertEquals(1, m.get("ringkv_error_replies_total"));
        assertEquals(2, m.get("ringkv_keys"));
        assertEquals(1, m.get("ringkv_expiring_keys"));
        assertEquals(1, m.get("ringkv_connected_clients"));
        assertEquals(1, m.get("ringkv_connections_received_total"));
        assertEquals(0, m.get("ringkv_rejected_connections_total"));
        assertEquals(10000, m.get("ringkv_max_clients"));
        assertEquals(7, m.get("ringkv_uptime_seconds"));
        assertEquals(1000, m.get("ringkv_used_memory_bytes"));
        assertEquals(4096, m.get("ringkv_heap_max_bytes"));
        assertEquals(1.75, m.get("ringkv_cpu_seconds_total"));
        assertTrue(m.get("ringkv_net_input_bytes_total") > 50, m.toString());
        assertTrue(m.get("ringkv_net_output_bytes_total") > 10, m.toString());
        assertTrue(m.get("ringkv_dataset_bytes") > 0, m.toString());
        // Storage metrics exist only for the LSM engine.
        assertNull(m.get("ringkv_storage_memtable_bytes"));

        // The same counters as INFO stats.
        String info = h.call("INFO", "stats");
        Map<String, Double> after = values(h);
        assertEquals(infoField(info, "total_net_input_bytes"), after.get("ringkv_net_input_bytes_total"));
        assertEquals(infoField(info, "keyspace_hits"), after.get("ringkv_keyspace_hits_total"));
        assertEquals(infoField(info, "total_error_replies"), after.get("ringkv_error_replies_total"));
    }

    @Test
    void configResetstatRestartsTheCounters() {
        ServerHarness h = new ServerHarness();
        h.call("GET", "missing");
        h.call("CONFIG", "RESETSTAT");
        Map<String, Double> m = values(h);
        assertEquals(0, m.get("ringkv_keyspace_misses_total"));
    }

    @Test
    void theInfoSampleDescribesTheServer() {
        ServerHarness h = new ServerHarness();
        String text = ExpositionFormat.render(scrape(h));
        assertTrue(text.contains("ringkv_info{version=\"0.1.0\",redis_version=\"7.2.0\",mode=\"standalone\","
            + "storage=\"memory\",transport=\"" + h.context.transport() + "\"} 1\n"), text);
        assertFalse(text.contains("ringkv_cluster_"), text);
    }

    @Test
    void theLsmEngineAddsItsStorageState(@TempDir Path dir) {
        ServerHarness h = new ServerHarness(Map.of("storage", "lsm", "dir", dir.toString()));
        try {
            h.call("SET", "k", "v");
            Map<String, Double> m = values(h);
            assertTrue(m.get("ringkv_storage_memtable_bytes") > 0, m.toString());
            assertTrue(m.get("ringkv_storage_commit_log_bytes") > 0, m.toString());
            assertEquals(0, m.get("ringkv_storage_sstables"));
            assertEquals(0, m.get("ringkv_storage_sstable_bytes"));
            assertEquals(0, m.get("ringkv_storage_pending_compaction_bytes"));
            assertEquals(0, m.get("ringkv_storage_memtables_flushing"));
            for (String counter : List.of("flushes", "compactions", "compacted_bytes", "block_cache_hits",
                    "block_cache_misses")) {
                assertNotNull(m.get("ringkv_storage_" + counter + "_total"), counter);
            }
            String info = h.call("INFO", "storage");
            assertEquals(infoField(info, "memtable_bytes"), values(h).get("ringkv_storage_memtable_bytes"));
        } finally {
            h.context.engine().close();
        }
    }

    @Test
    void everyExportedMetricIsDocumented(@TempDir Path dir) throws IOException {
        ServerHarness h = new ServerHarness(Map.of("storage", "lsm", "dir", dir.toString()));
        try {
            Set<String> documented = documentedMetrics();
            for (MetricFamily family : scrape(h)) {
                assertTrue(documented.contains(family.name()), family.name() + " is not in docs/metrics.md");
            }
        } finally {
            h.context.engine().close();
        }
    }

    /** The metric names in docs/metrics.md's tables (a row starts with | `name` |). */
    static Set<String> documentedMetrics() throws IOException {
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

    private static List<MetricFamily> scrape(ServerHarness h) {
        MetricsRegistry registry = new MetricsRegistry();
        registry.register(new ServerMetrics(h.context, JVM));
        return registry.scrape();
    }

    /** Each sample by its name and labels as printed, e.g. {@code x{mode="user"}}. */
    private static Map<String, Double> values(ServerHarness h) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (MetricFamily f : scrape(h)) {
            for (Sample s : f.samples()) {
                StringBuilder key = new StringBuilder(f.name());
                if (!s.labels().isEmpty()) {
                    key.append('{');
                    for (int i = 0; i < s.labels().size(); i++) {
                        key.append(i == 0 ? "" : ",").append(s.labels().get(i).name()).append("=\"")
                            .append(s.labels().get(i).value()).append('"');
                    }
                    key.append('}');
                }
                out.put(key.toString(), s.value());
            }
        }
        return out;
    }

    private static double infoField(String info, String field) {
        Matcher m = Pattern.compile("(?:^|\n)" + field + ":(\\d+)\r\n").matcher(info);
        assertTrue(m.find(), field + " not in " + info);
        return Double.parseDouble(m.group(1));
    }
}
