package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * bin/ringkv-cluster as the README shows it: start three nodes that form one cluster, restart
 * only the node that was killed, stop them all.
 */
class ClusterScriptTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** Three consecutive free ports whose cluster ports (+10000) are free too. */
    private static int freeBase() throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20000 + (int) (Math.random() * 20000);
            boolean free = true;
            for (int p = base; p < base + 3 && free; p++) {
                free = portFree(p) && portFree(p + 10000);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free ports");
    }

    private static boolean portFree(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static ExternalCommand.Result script(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = repoRoot().resolve("bin/ringkv-cluster").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        return ExternalCommand.run(TIMEOUT, command);
    }

    private static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.exists(dir.resolve("bin/ringkv-cluster"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    @Test
    void startRestartsOnlyTheKilledNodeAndStopStopsAll() throws Exception {
        int base = freeBase();
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "clusters")), "script-");
        String[] where = {"--port", Integer.toString(base), "--dir", dir.toString()};
        try {
            ExternalCommand.Result started = script("start", "3", where[0], where[1], where[2], where[3],
                "--storage", "memory");
            assertEquals(0, started.exitCode(), started.toString());
            try (Jedis a = new Jedis("127.0.0.1", base)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> a.clusterInfo().contains("cluster_state:ok"));
                a.set("k", "v");
            }
            long pid = Long.parseLong(Files.readString(dir.resolve("node-" + (base + 1)).resolve("ringkv.pid")).trim());
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
            ExternalCommand.Result status = script("status", where[0], where[1], where[2], where[3]);
            assertEquals(3, status.exitCode(), status.toString());

            ExternalCommand.Result again = script("start", "3", where[0], where[1], where[2], where[3],
                "--storage", "memory");
            assertEquals(0, again.exitCode(), again.toString());
            assertTrue(again.stdout().contains("node " + (base + 1) + "  started"), again.stdout());
            assertTrue(again.stdout().contains("node " + base + "  already running"), again.stdout());
            try (Jedis b = new Jedis("127.0.0.1", base + 2)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> b.clusterInfo().contains("cluster_state:ok"));
                assertEquals("v", b.get("k"));
            }
        } finally {
            ExternalCommand.Result stopped = script("stop", where[0], where[1], where[2], where[3]);
            assertEquals(0, stopped.exitCode(), stopped.toString());
        }
        ExternalCommand.Result status = script("status", where[0], where[1], where[2], where[3]);
        assertEquals(3, status.exitCode(), status.toString());
    }
}
