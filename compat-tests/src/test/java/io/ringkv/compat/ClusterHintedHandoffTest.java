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

    private static final String[] OPTIONS = {"--storage", "lsm", "--gossip-interval", "200",
        "--replication-factor", "3", "--write-quorum", "2", "--read-quorum", "2"};
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
