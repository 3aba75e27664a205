package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Hinted handoff on three real processes (N=3, W=2, lsm storage): writes made while a replica is
 * dead (kill -9) are kept as hints by the nodes that coordinated them, shown in INFO, replayed
 * when it is back, and then the replica holds every key on its own (read there at R=1, which the
 * coordinator answers from its local replica first). Hints survive a kill -9 of the node holding
 * them.
 */
class ClusterHintedHandoffTest {

    // Anti-entropy off: the node must catch up through hints alone.
    private static final String[] OPTIONS = {"--storage", "lsm", "--gossip-interval", "200",
        "--replication-factor", "3", "--write-quorum", "2", "--read-quorum", "2", "--anti-entropy-interval", "0"};
    private static final ProtocolCommand KV_CONSISTENCY = () -> SafeEncoder.encode("KV.CONSISTENCY");

    private static long info(LocalCluster cluster, int node, String field) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.port(node), 10_000)) {
            Matcher m = Pattern.compile(field + ":(\\d+)").matcher(j.info("cluster"));
            assertTrue(m.find(), field + " missing from INFO");
            return Long.parseLong(m.group(1));
        }
    }

    private static void writeKeys(LocalCluster cluster, int node, int from, int to) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.port(node), 30_000)) {
            Pipeline p = j.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            for (int i = from; i < to; i++) {
                replies.add(p.set("key:" + i, "value-" + i));
            }
            p.sync();
            for (Response<String> r : replies) {
                assertEquals("OK", r.get());
            }
        }
    }

    /** Every key read on {@code node} alone: R=1 answers from the node's own replica. */
    private static void assertHoldsOnItsOwn(LocalCluster cluster, int node, int count) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.port(node), 30_000)) {
            assertEquals("OK", new String((byte[]) j.sendCommand(KV_CONSISTENCY, "READ", "ONE")));
            Pipeline p = j.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                replies.add(p.get("key:" + i));
            }
            p.sync();
            int missing = 0;
            for (int i = 0; i < count; i++) {
                if (!("value-" + i).equals(replies.get(i).get())) {
                    missing++;
                }
            }
            assertEquals(0, missing, "keys node " + node + " lacks of " + count);
        }
    }

    private static long pending(LocalCluster cluster, int... nodes) {
        long n = 0;
        for (int i : nodes) {
            n += info(cluster, i, "cluster_hints_pending");
        }
        return n;
    }

    @Test
    void aRestartedNodeCatchesUpThroughHintsAlone() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, OPTIONS)) {
            cluster.kill9(2);
            writeKeys(cluster, 0, 0, 5000);
            writeKeys(cluster, 1, 5000, 10_000);
            long pending = pending(cluster, 0, 1);
            // Every write missed node 2: one hint each, on the node that coordinated it.
            assertEquals(10_000, pending, cluster.logs());
            cluster.startNode(2);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> pending(cluster, 0, 1) == 0);
            assertEquals(10_000, info(cluster, 0, "cluster_hints_replayed") + info(cluster, 1, "cluster_hints_replayed"));
            assertEquals(0, info(cluster, 0, "cluster_hints_dropped"));
            assertHoldsOnItsOwn(cluster, 2, 10_000);
        }
    }

    /**
     * Sloppy quorum on four nodes (N=3, W=ALL): with a node dead, strict writes of its keys fail;
     * after CONFIG SET sloppy-quorum yes they succeed, the fourth node of each key's ring walk
     * keeping the dead replica's copy as a hint; once it is back it holds exactly its keys.
     */
    @Test
    void aSloppyQuorumWritesThroughFallbacks() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(4, "--storage", "lsm", "--gossip-interval", "200",
                "--replication-factor", "3", "--write-quorum", "all", "--read-quorum", "1")) {
            cluster.kill9(3);
            try (Jedis j = new Jedis("127.0.0.1", cluster.port(0), 30_000)) {
                boolean strictFailed = false;
                for (int i = 0; i < 50 && !strictFailed; i++) {
                    try {
                        j.set("strict:" + i, "x");
                    } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                        assertTrue(e.getMessage().startsWith("UNAVAILABLE write needed 3 of 3"), e.getMessage());
                        strictFailed = true;
                    }
                }
                assertTrue(strictFailed, "a strict W=ALL write failed with a replica dead");
                for (int i = 0; i < 3; i++) {
                    try (Jedis n = new Jedis("127.0.0.1", cluster.port(i))) {
                        assertEquals("OK", n.configSet("sloppy-quorum", "yes"));
                    }
                }
            }
            writeKeys(cluster, 0, 0, 2000);
            assertTrue(pending(cluster, 0, 1, 2) > 0);
            cluster.startNode(3);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> pending(cluster, 0, 1, 2) == 0);
            // Node 3 now holds every one of the 2,000 keys it is a replica of, on its own.
            try (Jedis j = new Jedis("127.0.0.1", cluster.port(3), 30_000)) {
                java.util.BitSet held = new java.util.BitSet(16384);
                for (Object range : j.clusterSlots()) {
                    List<?> r = (List<?>) range;
                    for (int k = 2; k < r.size(); k++) {
                        if (((Number) ((List<?>) r.get(k)).get(1)).intValue() == cluster.port(3)) {
                            held.set(((Number) r.get(0)).intValue(), ((Number) r.get(1)).intValue() + 1);
                        }
                    }
                }
                // R=1 on a replica answers from its own copy first.
                int expected = 0;
                int missing = 0;
                for (int i = 0; i < 2000; i++) {
                    if (held.get(redis.clients.jedis.util.JedisClusterCRC16.getSlot("key:" + i))) {
                        expected++;
                        if (!("value-" + i).equals(j.get("key:" + i))) {
                            missing++;
                        }
                    }
                }
                assertTrue(expected > 1000, "node 3 holds " + expected);
                assertEquals(0, missing, "of " + expected + " keys node 3 is a replica of");
            }
        }
    }

    @Test
    void hintsSurviveAKillOfTheNodeHoldingThem() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, OPTIONS)) {
            cluster.kill9(2);
            writeKeys(cluster, 0, 0, 1000);
            assertEquals(1000, pending(cluster, 0));
            cluster.kill9(0);
            cluster.startNode(0);
            assertEquals(1000, pending(cluster, 0), "hints after node 0's restart");
            cluster.startNode(2);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> pending(cluster, 0) == 0);
            assertEquals(1000, info(cluster, 0, "cluster_hints_replayed"));
            assertHoldsOnItsOwn(cluster, 2, 1000);
        }
    }
}
