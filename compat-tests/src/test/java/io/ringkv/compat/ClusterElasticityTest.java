package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.ring.Slots;
import io.ringkv.compat.history.HistoryChecker;
import io.ringkv.compat.history.HistoryReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Elasticity on real processes (docs/elasticity.md): a 3-node cluster grows to 5 and shrinks
 * back to 3 while clients read and write, with nobody rebalancing anything by hand. The history
 * checker finds no acknowledged write lost and no read going back in time, no request fails for
 * lack of a quorum, and the data streamed stays within 1.3x the ideal: the keys of each slot
 * times the number of replicas that gain it.
 */
class ClusterElasticityTest {

    private static final int PRELOADED = 20_000;
    private static final int HISTORY_KEYS = 100;

    @Test
    void growFromThreeToFiveAndShrinkBackUnderLoad() throws Exception {
        try (LocalCluster cluster = LocalCluster.startWithSpares(3, 2, "--gossip-interval", "200",
                "--anti-entropy-interval", "0", "--replication-factor", "3")) {
            int[] slotKeys = preload(cluster);
            long idealKeys = 0;
            long streamedKeys = 0;
            List<String> steps = new ArrayList<>();
            HistoryLoad load = new HistoryLoad(cluster, 6, HISTORY_KEYS);
            try {
                // By then every history key has been written (2000 operations over 100 keys):
                // they count in the slots' keys like the preloaded ones.
                load.awaitMoreOperations(2000);
                for (int i = 0; i < HISTORY_KEYS; i++) {
                    slotKeys[Slots.slot(("key" + i).getBytes(StandardCharsets.UTF_8))]++;
                }
                for (int spare = 3; spare < 5; spare++) {
                    Set<String>[] before = placement(cluster, 0);
                    cluster.startNode(spare);
                    int joiner = spare;
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ringStatus(cluster, joiner).equals("normal") && settled(cluster));
                    Set<String>[] after = placement(cluster, 0);
                    long ideal = ideal(before, after, slotKeys);
                    long streamed = info(cluster, joiner, "cluster_stream_keys_total");
                    idealKeys += ideal;
                    streamedKeys += streamed;
                    steps.add("join of node " + joiner + ": " + streamed + " keys streamed, ideal " + ideal);
                    load.awaitMoreOperations(300);
                }
                // Cluster-aware clients see the new topology: five masters, each heading slots.
                try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                    String nodes = jedis.clusterNodes();
                    assertEquals(5, nodes.lines().filter(l -> l.contains("master") && l.split(" ").length > 8).count(), nodes);
                }
                for (int leaver = 4; leaver >= 3; leaver--) {
                    Set<String>[] before = placement(cluster, 0);
                    long streamedBefore = info(cluster, leaver, "cluster_stream_keys_total");
                    try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(leaver), 10_000)) {
                        assertEquals("OK", jedis.sendCommand(() -> "CLUSTER".getBytes(), "LEAVE") instanceof byte[] b
                            ? new String(b) : "?");
                    }
                    int node = leaver;
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> ringStatus(cluster, node).equals("left") && settled(cluster));
                    long streamed = info(cluster, leaver, "cluster_stream_keys_total") - streamedBefore;
                    cluster.node(leaver).close();
                    Set<String>[] after = placement(cluster, 0);
                    long ideal = ideal(before, after, slotKeys);
                    idealKeys += ideal;
                    streamedKeys += streamed;
                    steps.add("leave of node " + leaver + ": " + streamed + " keys streamed, ideal " + ideal);
                    load.awaitMoreOperations(300);
                }
            } finally {
                load.close();
            }
            HistoryReport report = HistoryChecker.check(load.history, load.finalValues(0));
            double ratio = (double) streamedKeys / idealKeys;
            String summary = String.format("ClusterElasticityTest: 3 -> 5 -> 3 nodes; %d operations, %d acknowledged"
                    + " writes, lost %d, stale reads %d, quorum failures %d, refusals by a left node %d; streamed %d keys"
                    + " against an ideal %d (%.3fx)%n  %s", report.operations(), report.acknowledgedWrites(),
                report.lostWrites().size(), report.staleReads().size(), load.unavailable.get(),
                load.leftNodeRefusals.get(), streamedKeys, idealKeys, ratio, String.join("\n  ", steps));
            System.out.println(summary);
            assertTrue(report.valid(), summary + "\n" + report);
            assertEquals(0, load.unavailable.get(), summary);
            assertTrue(load.unexpected.isEmpty(), load.unexpected.toString());
            assertTrue(ratio <= 1.3 && ratio >= 0.95, summary);
            // Every preloaded key is still there, through a founder, at quorum.
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(1), 10_000)) {
                Pipeline p = jedis.pipelined();
                List<Response<String>> values = new ArrayList<>();
                for (int i = HISTORY_KEYS; i < PRELOADED; i++) {
                    values.add(p.get("key" + i));
                }
                p.sync();
                for (int i = HISTORY_KEYS; i < PRELOADED; i++) {
                    assertEquals("v" + i, values.get(i - HISTORY_KEYS).get(), "key" + i);
                }
            }
        }
    }

    /**
     * A node that died is removed for good with CLUSTER FORGET: its id is gone from every
     * node's view and the survivors re-replicate its slots, so every key is back on N = 3
     * replicas (here: on each of the three survivors) without any read touching it.
     */
    @Test
    void forgettingADeadNodeReReplicatesItsSlots() throws Exception {
        try (LocalCluster cluster = LocalCluster.startWithSpares(3, 1, "--gossip-interval", "200",
                "--anti-entropy-interval", "0", "--replication-factor", "3")) {
            cluster.startNode(3);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ringStatus(cluster, 3).equals("normal") && settled(cluster));
            int keys = 10_000;
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                jedis.sendCommand(() -> "KV.CONSISTENCY".getBytes(), "WRITE", "ALL");
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.set("f" + i, "v" + i);
                }
                p.sync();
            }
            String deadId;
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(1), 10_000)) {
                deadId = jedis.clusterMyId();
                // Each survivor holds only the slots it shared with the others and the dead node.
                assertTrue(jedis.dbSize() < keys);
            }
            cluster.kill9(1);
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                assertRefused(() -> jedis.sendCommand(() -> "CLUSTER".getBytes(), "FORGET", jedis.clusterMyId()),
                    "ERR I tried hard but I can't forget myself...");
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> jedis.clusterNodes().contains(deadId + " ") && failing(jedis.clusterNodes(), deadId));
                assertEquals("OK", new String((byte[]) jedis.sendCommand(() -> "CLUSTER".getBytes(), "FORGET", deadId)));
            }
            int[] survivors = {0, 2, 3};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (int i : survivors) {
                    try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(i), 10_000)) {
                        if (jedis.clusterNodes().contains(deadId) || jedis.dbSize() != keys) {
                            return false;
                        }
                    }
                }
                return true;
            });
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(3), 10_000)) {
                jedis.sendCommand(() -> "KV.CONSISTENCY".getBytes(), "READ", "ONE");
                for (int i = 0; i < keys; i += 97) {
                    assertEquals("v" + i, jedis.get("f" + i));
                }
            }
        }
    }

    /**
     * A founder whose data folder is lost comes back as a new node at its old address: it
     * recognises its former identity there, forgets it, and joins, streaming its share, rather
     * than founding again with no data.
     */
    @Test
    void aSeedStartedOnAnEmptyFolderJoinsInsteadOfFoundingAgain() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3, "--gossip-interval", "200", "--anti-entropy-interval", "0")) {
            int keys = 5_000;
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                jedis.sendCommand(() -> "KV.CONSISTENCY".getBytes(), "WRITE", "ALL");
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.set("s" + i, "v" + i);
                }
                p.sync();
            }
            String oldId;
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(2), 10_000)) {
                oldId = jedis.clusterMyId();
            }
            cluster.kill9(2);
            deleteRecursively(cluster.dir(2));
            cluster.startNode(2);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ringStatus(cluster, 2).equals("normal") && settled(cluster));
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(2), 10_000)) {
                String newId = jedis.clusterMyId();
                assertTrue(!newId.equals(oldId));
                assertEquals(keys, jedis.dbSize(), "streamed its share: with N = 3 on 3 nodes, every key");
                assertTrue(info(cluster, 2, "cluster_stream_keys_total") >= keys);
            }
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                String nodes = jedis.clusterNodes();
                assertTrue(!nodes.contains(oldId), nodes);
                assertEquals(3, nodes.lines().count(), nodes);
            }
        }
    }

    private static void deleteRecursively(java.nio.file.Path dir) throws java.io.IOException {
        try (var paths = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    private static boolean failing(String nodes, String id) {
        for (String line : nodes.split("\n")) {
            if (line.startsWith(id + " ")) {
                return line.split(" ")[2].contains("fail") && !line.split(" ")[2].contains("fail?");
            }
        }
        return false;
    }

    /** A call answered with exactly this error. */
    private static void assertRefused(org.junit.jupiter.api.function.Executable call, String message) {
        redis.clients.jedis.exceptions.JedisDataException e =
            org.junit.jupiter.api.Assertions.assertThrows(redis.clients.jedis.exceptions.JedisDataException.class, call);
        assertEquals(message, e.getMessage());
    }

    /**
     * Heterogeneous nodes: with one replica per key, each node holds the share of the keys its
     * weight gives it (weights 1, 1, 1 and 2: a fifth each, and two fifths).
     */
    @Test
    void aNodesShareOfTheDataFollowsItsWeight() throws Exception {
        try (LocalCluster cluster = LocalCluster.startWithSpares(3, 1, "--gossip-interval", "200",
                "--replication-factor", "1")) {
            cluster.nodeOptions(3, "--weight", "2");
            cluster.startNode(3);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> ringStatus(cluster, 3).equals("normal") && settled(cluster));
            int keys = 20_000;
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
                Pipeline p = jedis.pipelined();
                for (int i = 0; i < keys; i++) {
                    p.set("w" + i, "v");
                }
                p.sync();
            }
            StringBuilder shares = new StringBuilder("ClusterElasticityTest: shares of " + keys + " keys by weight:");
            for (int i = 0; i < 4; i++) {
                long held;
                try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(i), 10_000)) {
                    held = jedis.dbSize();
                }
                double share = (double) held / keys;
                double expected = i == 3 ? 0.4 : 0.2;
                shares.append(String.format(" node %d (weight %d) %.3f;", i, i == 3 ? 2 : 1, share));
                assertTrue(Math.abs(share - expected) <= expected * 0.15, shares.toString());
            }
            System.out.println(shares);
        }
    }

    /**
     * Writes the keys past the history's (the history knows only values it wrote itself);
     * returns the number of keys per slot.
     */
    private static int[] preload(LocalCluster cluster) {
        int[] perSlot = new int[Slots.COUNT];
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(0), 10_000)) {
            Pipeline p = jedis.pipelined();
            for (int i = HISTORY_KEYS; i < PRELOADED; i++) {
                String key = "key" + i;
                p.set(key, "v" + i);
                perSlot[Slots.slot(key.getBytes(StandardCharsets.UTF_8))]++;
            }
            p.sync();
        }
        return perSlot;
    }

    /** The ideal data moved by a change: every slot's keys, once per replica that gains the slot. */
    private static long ideal(Set<String>[] before, Set<String>[] after, int[] slotKeys) {
        long keys = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            for (String id : after[s]) {
                if (!before[s].contains(id)) {
                    keys += slotKeys[s];
                }
            }
        }
        return keys;
    }

    /** Every slot's replica ids as CLUSTER SLOTS on node {@code via} lists them. */
    @SuppressWarnings("unchecked")
    private static Set<String>[] placement(LocalCluster cluster, int via) {
        Set<String>[] out = new Set[Slots.COUNT];
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(via), 10_000)) {
            for (Object range : jedis.clusterSlots()) {
                List<Object> r = (List<Object>) range;
                int start = ((Long) r.get(0)).intValue();
                int end = ((Long) r.get(1)).intValue();
                Set<String> ids = new HashSet<>();
                for (int i = 2; i < r.size(); i++) {
                    ids.add(new String((byte[]) ((List<Object>) r.get(i)).get(2), StandardCharsets.UTF_8));
                }
                for (int s = start; s <= end; s++) {
                    out[s] = ids;
                }
            }
        }
        return out;
    }

    /** True when no running node in the ring sees a change in progress. */
    private static boolean settled(LocalCluster cluster) {
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.running(i) && !ringStatus(cluster, i).equals("left") && info(cluster, i, "cluster_ring_changing") != 0) {
                return false;
            }
        }
        return true;
    }

    private static String ringStatus(LocalCluster cluster, int i) {
        return infoField(cluster, i, "cluster_ring_status");
    }

    private static long info(LocalCluster cluster, int i, String field) {
        String v = infoField(cluster, i, field);
        return v.isEmpty() ? -1 : Long.parseLong(v);
    }

    private static String infoField(LocalCluster cluster, int i, String field) {
        return LocalCluster.clusterInfo(cluster.port(i), field);
    }
}
