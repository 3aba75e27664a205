package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A partition on real processes (KV.DEBUG ISOLATE cuts one node off from the other two): the
 * majority goes on writing, the isolated node cannot gather a write quorum, and once the
 * partition heals the node that missed the writes converges to every one of them.
 */
class ClusterPartitionTest {

    private static final int KEYS = 2000;

    @Test
    void aReplicaThatMissedWritesWhilePartitionedConvergesAfterHealing() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, "--gossip-interval", "200", "--anti-entropy-interval", "1",
                "--request-timeout", "1000");
             Jedis majority = new Jedis("127.0.0.1", cluster.port(0), 10_000);
             Jedis minority = new Jedis("127.0.0.1", cluster.port(2), 10_000)) {
            String isolatedId = minority.clusterMyId();
            assertEquals("OK", new String((byte[]) minority.sendCommand(() -> "KV.DEBUG".getBytes(), "ISOLATE")));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> majority.clusterNodes().contains(isolatedId + " ") && flagged(majority, isolatedId));

            Pipeline p = majority.pipelined();
            for (int i = 0; i < KEYS; i++) {
                p.set("p" + i, "v" + i);
            }
            p.sync();
            JedisDataException refused = assertThrows(JedisDataException.class, () -> minority.set("minority", "x"));
            assertTrue(refused.getMessage().startsWith("UNAVAILABLE write needed 2 of 3 replicas, 1 acknowledged"),
                refused.getMessage());

            long healed = System.nanoTime();
            minority.sendCommand(() -> "KV.DEBUG".getBytes(), "REJOIN");
            // DBSIZE reads nothing, so only hints and anti-entropy can bring the keys over.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> minority.dbSize() >= KEYS);
            long convergedMillis = (System.nanoTime() - healed) / 1_000_000;
            minority.sendCommand(() -> "KV.CONSISTENCY".getBytes(), "READ", "ONE");
            for (int i = 0; i < KEYS; i++) {
                assertEquals("v" + i, minority.get("p" + i), "key p" + i + " on the healed node alone");
            }
            System.out.println("ClusterPartitionTest: " + KEYS + " keys written while partitioned; the isolated node"
                + " held all of them " + convergedMillis + " ms after the partition healed");
        }
    }

    private static boolean flagged(Jedis jedis, String nodeId) {
        for (String line : jedis.clusterNodes().split("\n")) {
            if (line.startsWith(nodeId + " ")) {
                return line.split(" ")[2].contains("fail");
            }
        }
        return false;
    }
}
