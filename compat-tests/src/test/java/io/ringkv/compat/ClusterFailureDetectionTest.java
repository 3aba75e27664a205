package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Gossip failure detection on three real nodes: a node that stops answering (SIGSTOP) is marked
 * "fail" in CLUSTER NODES by the others once two of them suspect it, requests go on meanwhile
 * (N=3, W=2, R=2 without it), and the flag clears when the node answers again (SIGCONT).
 */
class ClusterFailureDetectionTest {

    @Test
    void aPausedNodeIsMarkedFailedAndRecovers() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, "--storage", "memory", "--gossip-interval", "200");
             Jedis a = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
            String victim = new Jedis("127.0.0.1", cluster.port(2)).clusterMyId();
            assertEquals("", flagsOf(a, victim).replace("master", "").replace(",", ""));
            cluster.pause(2);
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> flagsOf(a, victim).equals("master,fail"));
                assertTrue(a.info("cluster").contains("cluster_nodes_down:1"), a.info("cluster"));
                // Requests go on without the paused node, and without waiting for it.
                for (int i = 0; i < 20; i++) {
                    long start = System.nanoTime();
                    a.set("k" + i, "v" + i);
                    assertEquals("v" + i, a.get("k" + i));
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis < 1500, "a SET and a GET took " + millis + " ms with a node down\n" + cluster.logs());
                }
            } finally {
                cluster.resume(2);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> flagsOf(a, victim).equals("master"));
            assertTrue(cluster.node(0).log().contains("as failing (confirmed by another node)"), cluster.node(0).log());
            assertTrue(cluster.node(0).log().contains("reachable again"), cluster.node(0).log());
        }
    }

    /**
     * A cluster client keeps working when a node dies: once the node is marked down, CLUSTER
     * SLOTS and NODES advertise the slots it headed with a live replica first, and JedisCluster,
     * refreshing its slot cache after the failed connection, sends those keys there.
     */
    @Test
    @SuppressWarnings("deprecation")
    void aClusterClientKeepsWorkingWhenANodeDies() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, "--storage", "memory", "--gossip-interval", "200");
             Jedis a = new Jedis("127.0.0.1", cluster.port(0), 10_000);
             redis.clients.jedis.JedisCluster client = new redis.clients.jedis.JedisCluster(
                 java.util.Set.of(new redis.clients.jedis.HostAndPort("127.0.0.1", cluster.port(0))), 2000, 5)) {
            for (int i = 0; i < 300; i++) {
                client.set("key" + i, "v" + i);
            }
            String victim = new Jedis("127.0.0.1", cluster.port(2)).clusterMyId();
            String headedBefore = lineOf(a, victim);
            assertTrue(headedBefore.split(" ").length > 8, "the victim heads slots: " + headedBefore);
            cluster.kill9(2);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> flagsOf(a, victim).equals("master,fail"));
            // The dead node heads nothing any more; every slot still has a live head.
            assertEquals(8, lineOf(a, victim).split(" ").length, lineOf(a, victim));
            for (int i = 0; i < 300; i++) {
                assertEquals("v" + i, client.get("key" + i));
                client.set("key" + i, "w" + i);
            }
            cluster.startNode(2);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> flagsOf(a, victim).equals("master"));
            for (int i = 0; i < 300; i++) {
                assertEquals("w" + i, client.get("key" + i));
            }
        }
    }

    private static String lineOf(Jedis jedis, String nodeId) {
        for (String line : jedis.clusterNodes().split("\n")) {
            if (line.startsWith(nodeId + " ")) {
                return line;
            }
        }
        throw new AssertionError("no line for " + nodeId);
    }

    /** The flags field of {@code nodeId}'s line in CLUSTER NODES. */
    private static String flagsOf(Jedis jedis, String nodeId) {
        for (String line : jedis.clusterNodes().split("\n")) {
            String[] f = line.split(" ");
            if (f[0].equals(nodeId)) {
                return f[2];
            }
        }
        throw new AssertionError("no line for " + nodeId + " in " + Map.of());
    }
}
