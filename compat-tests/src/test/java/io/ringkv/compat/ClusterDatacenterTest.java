package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Two datacenters on six real processes: nodes 0-2 in dc1, 3-5 in dc2, {@code replication-factor
 * dc1:2,dc2:1} (each key on two dc1 nodes and one dc2 node), reads and writes at LOCAL_QUORUM
 * (both dc1 replicas, so a read through any dc1 node sees a write made through any other). Under a
 * light read/write load through the dc1 nodes, every dc2 node is killed (SIGKILL): the load goes
 * on without one error and reads its writes; EACH_QUORUM requests fail with UNAVAILABLE naming
 * dc2; dc2 restarts and, through hints alone (anti-entropy off, the load stopped so that no read
 * repairs anything), holds every key written while it was gone.
 */
class ClusterDatacenterTest {

    private static final String[] OPTIONS = {"--replication-factor", "dc1:2,dc2:1", "--write-quorum", "local_quorum",
        "--read-quorum", "local_quorum", "--gossip-interval", "200", "--request-timeout", "2000",
        "--anti-entropy-interval", "0", "--storage", "lsm"};
    private static final ProtocolCommand KV_PUT = () -> SafeEncoder.encode("KV.PUT");
    private static final ProtocolCommand KV_GET = () -> SafeEncoder.encode("KV.GET");
    private static final ProtocolCommand KV_CONSISTENCY = () -> SafeEncoder.encode("KV.CONSISTENCY");

    /** Writes key i through dc1 node i % 3 and reads it back through the next dc1 node. */
    private static final class Load implements AutoCloseable {
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        /** Keys whose write started while dc2 was down and was acknowledged. */
        final List<Integer> writtenWhileDown = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger done = new AtomicInteger();
        final AtomicBoolean dc2Down = new AtomicBoolean();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Load(LocalCluster cluster) {
            thread = Thread.ofPlatform().name("dc1-load").start(() -> {
                Jedis[] dc1 = new Jedis[3];
                try {
                    for (int n = 0; n < 3; n++) {
                        dc1[n] = new Jedis("127.0.0.1", cluster.port(n), 10_000);
                    }
                    for (int i = 0; !stop.get(); i++) {
                        boolean down = dc2Down.get();
                        try {
                            assertEquals("OK", dc1[i % 3].set("key:" + i, "value-" + i));
                            if (down) {
                                writtenWhileDown.add(i);
                            }
                            String read = dc1[(i + 1) % 3].get("key:" + i);
                            if (!("value-" + i).equals(read)) {
                                errors.add("key:" + i + " read as " + read);
                            }
                        } catch (RuntimeException | AssertionError e) {
                            errors.add("key:" + i + ": " + e);
                        }
                        done.incrementAndGet();
                        // Light: a pair of requests about every millisecond at most.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                } finally {
                    for (Jedis j : dc1) {
                        if (j != null) {
                            j.close();
                        }
                    }
                }
            });
        }

        void awaitMore(int pairs) {
            int target = done.get() + pairs;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> done.get() >= target || !thread.isAlive());
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }
    }

    private static long info(LocalCluster cluster, int node, String field) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.port(node), 10_000)) {
            Matcher m = Pattern.compile(field + ":(\\d+)").matcher(j.info("cluster"));
            assertTrue(m.find(), field + " missing from INFO");
            return Long.parseLong(m.group(1));
        }
    }

    private static long pendingHints(LocalCluster cluster) {
        long n = 0;
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.running(i)) {
                n += info(cluster, i, "cluster_hints_pending");
            }
        }
        return n;
    }

    /** The nodes gossip has marked down, as node {@code node}'s CLUSTER NODES flags them. */
    private static long markedFail(LocalCluster cluster, int node) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.port(node), 10_000)) {
            return j.clusterNodes().lines().filter(l -> l.split(" ")[2].contains("fail")).count();
        }
    }

    @Test
    void dc1GoesOnAtLocalQuorumWithoutDc2_whichCatchesUpThroughHints() throws Exception {
        long t0 = System.nanoTime();
        java.util.function.Consumer<String> phase = what -> System.out.printf("%6d ms %s%n",
            (System.nanoTime() - t0) / 1_000_000, what);
        try (LocalCluster cluster = LocalCluster.start(6,
                i -> new String[] {"--datacenter", i < 3 ? "dc1" : "dc2"}, OPTIONS)) {
            phase.accept("six nodes up");
            try (Jedis j = new Jedis("127.0.0.1", cluster.port(3), 10_000)) {
                assertEquals(Map.of("replication-factor", "dc1:2,dc2:1"), j.configGet("replication-factor"));
                assertEquals(Map.of("read-quorum", "local_quorum"), j.configGet("read-quorum"));
                JedisDataException immutable = assertThrows(JedisDataException.class,
                    () -> j.configSet("replication-factor", "dc1:3,dc2:3"));
                assertTrue(immutable.getMessage().contains("can't set immutable config"), immutable.getMessage());
                JedisDataException bad = assertThrows(JedisDataException.class,
                    () -> j.configSet("write-quorum", "most"));
                assertTrue(bad.getMessage().contains("consistency must be a number, ONE, QUORUM, ALL, LOCAL_QUORUM or"
                    + " EACH_QUORUM: 'most'"), bad.getMessage());
                assertTrue(j.info("cluster").contains("cluster_replication_factor:3"), j.info("cluster"));
            }
            Load load = new Load(cluster);
            try {
                load.awaitMore(100);
                for (int i = 3; i < 6; i++) {
                    cluster.kill9(i);
                }
                // Only writes started from now on surely missed dc2.
                load.dc2Down.set(true);
                phase.accept("dc2 killed");
                load.awaitMore(150);
                // Until here dc2's nodes were refusing connections; now gossip marks them down
                // and the coordinators stop asking them at all.
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> markedFail(cluster, 0) == 3);
                phase.accept("dc2 marked down");
                load.awaitMore(150);

                try (Jedis j = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                    JedisDataException write = assertThrows(JedisDataException.class,
                        () -> j.sendCommand(KV_PUT, "each:1", "x", "W", "EACH_QUORUM"));
                    assertTrue(write.getMessage().startsWith(
                        "UNAVAILABLE write needed 1 of 1 replica in dc2 (EACH_QUORUM), 0 acknowledged (127.0.0.1:"),
                        write.getMessage());
                    assertTrue(write.getMessage().endsWith(" is down)"), write.getMessage());
                    JedisDataException read = assertThrows(JedisDataException.class,
                        () -> j.sendCommand(KV_GET, "each:1", "each_quorum"));
                    assertTrue(read.getMessage().startsWith(
                        "UNAVAILABLE read needed 1 of 1 replica in dc2 (EACH_QUORUM), 0 answered (127.0.0.1:"),
                        read.getMessage());
                    // LOCAL_QUORUM asked for explicitly, through a node of dc1: fine.
                    assertEquals("OK", SafeEncoder.encode((byte[]) j.sendCommand(KV_PUT, "local:1", "y", "W",
                        "local_quorum")));
                }
            } finally {
                load.close();
            }
            assertEquals(List.of(), load.errors, "errors at LOCAL_QUORUM in dc1 while dc2 was down");
            List<Integer> missed = new ArrayList<>(load.writtenWhileDown);
            assertTrue(missed.size() >= 300, "writes while dc2 was down: " + missed.size());
            // Each of those writes left one hint, for its dc2 replica, on the node that coordinated it.
            assertTrue(pendingHints(cluster) >= missed.size(), "hints pending " + pendingHints(cluster));

            cluster.startNodes(3, 4, 5);
            cluster.awaitComplete();
            phase.accept("dc2 restarted");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> pendingHints(cluster) == 0);
            for (int i = 0; i < 3; i++) {
                assertEquals(0, info(cluster, i, "cluster_hints_dropped"));
            }
            phase.accept("hints delivered");
            assertEveryKeyOnItsDc2Replica(cluster, missed);
            phase.accept("checked " + missed.size() + " keys");
        }
    }

    /** A node refuses to start with a factor it cannot use, and says why. */
    @Test
    void aBadReplicationFactorStopsTheNodeWithAReason() throws Exception {
        assertRefused("replication-factor dc1:2,dc2:1 lists no replicas for this node's datacenter 'dc3': every"
            + " datacenter with nodes must be listed", "--cluster-enabled", "yes", "--datacenter", "dc3",
            "--replication-factor", "dc1:2,dc2:1");
        assertRefused("replication-factor: the counts add up to 17, more than 16", "--cluster-enabled", "yes",
            "--replication-factor", "dc1:9,", "dc2:8");
        assertRefused("bad entry 'dc2'", "--cluster-enabled", "yes", "--replication-factor", "dc1:2,dc2");
    }

    private static void assertRefused(String reason, String... options) throws Exception {
        try (RingkvProcess node = RingkvProcess.launch(options)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> !node.process().isAlive());
            assertTrue(node.process().exitValue() != 0, node.log());
            assertTrue(node.log().contains(reason), node.log());
            assertTrue(!node.log().contains("Ready to accept connections"), node.log());
        }
    }

    /**
     * Each key's dc2 replica (from CLUSTER SLOTS) holds it on its own: read there at ONE, which
     * the node answers from its own replica. One pass, since a read may repair what it reads.
     */
    private static void assertEveryKeyOnItsDc2Replica(LocalCluster cluster, List<Integer> keys) {
        Map<Integer, Integer> dc2NodeOfSlot = new HashMap<>();
        try (Jedis j = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
            for (Object range : j.clusterSlots()) {
                List<?> r = (List<?>) range;
                int dc2 = -1;
                for (int k = 2; k < r.size(); k++) {
                    int port = ((Number) ((List<?>) r.get(k)).get(1)).intValue();
                    for (int n = 3; n < 6; n++) {
                        if (cluster.port(n) == port) {
                            assertEquals(-1, dc2, "one dc2 replica per slot: " + r);
                            dc2 = n;
                        }
                    }
                }
                assertTrue(dc2 >= 0, "a dc2 replica for " + r);
                for (int s = ((Number) r.get(0)).intValue(); s <= ((Number) r.get(1)).intValue(); s++) {
                    dc2NodeOfSlot.put(s, dc2);
                }
            }
        }
        int missing = 0;
        for (int n = 3; n < 6; n++) {
            try (Jedis j = new Jedis("127.0.0.1", cluster.port(n), 30_000)) {
                assertEquals("OK", SafeEncoder.encode((byte[]) j.sendCommand(KV_CONSISTENCY, "READ", "ONE")));
                Pipeline p = j.pipelined();
                Map<Integer, Response<String>> replies = new HashMap<>();
                for (int i : keys) {
                    if (dc2NodeOfSlot.get(JedisClusterCRC16.getSlot("key:" + i)) == n) {
                        replies.put(i, p.get("key:" + i));
                    }
                }
                p.sync();
                for (Map.Entry<Integer, Response<String>> e : replies.entrySet()) {
                    if (!("value-" + e.getKey()).equals(e.getValue().get())) {
                        missing++;
                    }
                }
            }
        }
        assertEquals(0, missing, "keys written while dc2 was down that its replicas lack, of " + keys.size());
    }
}
