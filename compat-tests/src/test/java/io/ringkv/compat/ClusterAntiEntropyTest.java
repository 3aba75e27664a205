package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Anti-entropy on real processes (docs/cluster.md "Anti-entropy"): a node whose data directory
 * is wiped gets every key back from its peers' Merkle-tree passes, and replicas in sync exchange
 * only a few bytes per pass.
 */
class ClusterAntiEntropyTest {

    private static final String[] OPTIONS = {"--storage", "lsm", "--anti-entropy-interval", "1"};
    private static final int KEYS = 5000;

    @Test
    void aWipedNodeGetsEveryKeyBack() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, OPTIONS)) {
            try {
                write(cluster);
                cluster.kill9(2);
                deleteRecursively(cluster.dir(2).resolve("ringkv-data"));
                assertTrue(Files.exists(cluster.dir(2).resolve("nodes.conf")), "nodes.conf kept");
                cluster.startNode(2);
                cluster.awaitComplete();
                // DBSIZE is node-local and reads nothing, so it triggers no read repair: only
                // anti-entropy can bring the keys back.
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(2))) {
                        return jedis.dbSize() == KEYS;
                    }
                });
                try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(2))) {
                    jedis.sendCommand(() -> "KV.CONSISTENCY".getBytes(), "READ", "ONE");
                    for (int i = 0; i < KEYS; i++) {
                        assertEquals("value:" + i, jedis.get("key:" + i), "key:" + i);
                    }
                }
                long repaired = 0;
                for (int i = 0; i < 3; i++) {
                    repaired += info(cluster, i, "cluster_antientropy_keys_repaired");
                }
                assertTrue(repaired >= KEYS, "keys repaired: " + repaired);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
            }
        }
    }

    @Test
    void replicasInSyncExchangeFewBytes() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, OPTIONS)) {
            try {
                long data = write(cluster);
                // Let replication and the first passes settle, then measure a window of passes.
                awaitRounds(cluster, snapshot(cluster, "cluster_antientropy_rounds"), 2);
                long[] rounds = snapshot(cluster, "cluster_antientropy_rounds");
                long[] bytes = snapshot(cluster, "cluster_antientropy_bytes");
                long[] repaired = snapshot(cluster, "cluster_antientropy_keys_repaired");
                awaitRounds(cluster, rounds, 4);
                long passes = 0;
                long exchanged = 0;
                for (int i = 0; i < 3; i++) {
                    passes += info(cluster, i, "cluster_antientropy_rounds") - rounds[i];
                    exchanged += info(cluster, i, "cluster_antientropy_bytes") - bytes[i];
                    assertEquals(repaired[i], info(cluster, i, "cluster_antientropy_keys_repaired"), "node " + i);
                }
                // An in-sync pass is one round trip: the slot set, 12 + 19 bytes of hashes.
                assertTrue(exchanged <= passes * 200, exchanged + " bytes in " + passes + " passes");
                // ... under 0.1% of the keys and values it vouches for.
                assertTrue(exchanged * 1000 < data * passes, exchanged + " bytes in " + passes + " passes against "
                    + data + " bytes of data");
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
            }
        }
    }

    /** Writes the keys through node 0; returns the bytes of keys and values written. */
    private static long write(LocalCluster cluster) {
        long bytes = 0;
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0))) {
            for (int i = 0; i < KEYS; i++) {
                String key = "key:" + i;
                String value = "value:" + i;
                jedis.set(key, value);
                bytes += key.length() + value.length();
            }
        }
        return bytes;
    }

    private static void awaitRounds(LocalCluster cluster, long[] from, int more) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (int i = 0; i < cluster.size(); i++) {
                if (info(cluster, i, "cluster_antientropy_rounds") < from[i] + more) {
                    return false;
                }
            }
            return true;
        });
    }

    private static long[] snapshot(LocalCluster cluster, String field) {
        long[] out = new long[cluster.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = info(cluster, i, field);
        }
        return out;
    }

    private static long info(LocalCluster cluster, int node, String field) {
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(node))) {
            for (String line : jedis.info("cluster").split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim());
                }
            }
        }
        throw new AssertionError(field + " not in INFO cluster of node " + node);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
