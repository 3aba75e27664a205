package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Cluster-aware clients, unchanged, against a 3-node ringkv cluster: Jedis's JedisCluster and
 * RedisClusterClient, and Lettuce's RedisClusterClient (sync and async). Each learns the slot
 * map from CLUSTER SLOTS / CLUSTER NODES given one seed node, must see all 16384 slots covered
 * by the 3 nodes, and then routes every key to the node heading its slot, so many keys reach
 * every node. Plain clients connected to any node see the same data, since every ringkv node
 * coordinates every key.
 *
 * <p>The cluster is started once for the class; each test uses key names of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterClientsTest {

    private static final int KEYS = 2000;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(3, "--storage", "memory");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---------------------------------------------------------------- Jedis

    /** The two cluster clients of Jedis 8: the classic JedisCluster and the newer RedisClusterClient. */
    @SuppressWarnings("deprecation")
    private static UnifiedJedis jedisClient(String kind, int seed, ClusterConnectionProvider provider) {
        return switch (kind) {
            case "JedisCluster" -> new JedisCluster(provider, 5, TIMEOUT);
            // The builder insists on seed nodes even when given the provider that already has them.
            case "RedisClusterClient" -> redis.clients.jedis.RedisClusterClient.builder()
                .nodes(Set.of(new HostAndPort("127.0.0.1", cluster.port(seed)))).connectionProvider(provider).build();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static ClusterConnectionProvider provider(int seed) {
        return new ClusterConnectionProvider(Set.of(new HostAndPort("127.0.0.1", cluster.port(seed))),
            DefaultJedisClientConfig.builder().timeoutMillis((int) TIMEOUT.toMillis()).build());
    }

    /** The slot cache a Jedis cluster client built from one seed covers every slot, as CLUSTER SLOTS says. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"JedisCluster", "RedisClusterClient"})
    void jedisSlotCacheCoversEverySlot(String kind) {
        int[] heads = slotHeads(cluster.port(1));
        ClusterConnectionProvider provider = provider(1);
        try (UnifiedJedis client = jedisClient(kind, 1, provider)) {
            assertEquals(allPorts(), portsOf(provider.getPrimaryNodes().keySet()), "primary nodes");
            for (int slot = 0; slot < 16384; slot++) {
                HostAndPort node = provider.getNode(slot);
                assertNotNull(node, "slot " + slot + " is not in the client's slot cache");
                assertEquals(heads[slot], node.getPort(), "slot " + slot);
            }
        }
    }

    /**
     * SET, GET, INCR, MSET/MGET (hash tags), EXISTS and DEL on 2000 keys routed by the client:
     * every node receives a share of the commands, and every answer is exact.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"JedisCluster", "RedisClusterClient"})
    void jedisStringsAcrossManyKeys(String kind) {
        String p = "jedis-" + kind + ":";
        ClusterConnectionProvider provider = provider(0);
        try (UnifiedJedis client = jedisClient(kind, 0, provider)) {
            long[] before = commandsProcessed();
            Set<Integer> routedTo = new HashSet<>();
            for (int i = 0; i < KEYS; i++) {
                String key = p + "k:" + i;
                assertEquals("OK", client.set(key, "v:" + i));
                routedTo.add(provider.getNode(JedisClusterCRC16.getSlot(key)).getPort());
            }
            assertEquals(allPorts(), routedTo, "the keys' slots are headed by every node");
            for (int i = 0; i < KEYS; i++) {
                assertEquals("v:" + i, client.get(p + "k:" + i));
            }
            long[] after = commandsProcessed();
            for (int n = 0; n < cluster.size(); n++) {
                long processed = after[n] - before[n];
                assertTrue(processed >= 2 * KEYS / 6, "node " + n + " processed only " + processed
                    + " of " + 2 * KEYS + " commands");
            }

            for (int i = 0; i < 200; i++) {
                String counter = p + "ctr:" + i;
                assertEquals(1L, client.incr(counter));
                assertEquals(11L, client.incrBy(counter, 10));
                assertEquals(12L, client.incr(counter));
            }
            assertEquals("12", client.get(p + "ctr:199"));

            // Multi-key commands need one slot per command: hash tags put a user's fields in one.
            for (int u = 0; u < 100; u++) {
                String tag = "{" + p + "user:" + u + "}";
                assertEquals("OK", client.mset(tag + ":name", "n" + u, tag + ":mail", "m" + u, tag + ":age", "" + u));
                assertEquals(List.of("n" + u, "m" + u, "" + u), client.mget(tag + ":name", tag + ":mail", tag + ":age"));
                assertEquals(Arrays.asList("n" + u, null), client.mget(tag + ":name", tag + ":nope"));
                assertEquals(2L, client.del(tag + ":name", tag + ":mail", tag + ":nope"));
                assertEquals(1L, client.exists(tag + ":name", tag + ":age"));
            }

            for (int i = 0; i < KEYS; i++) {
                assertEquals(1L, client.del(p + "k:" + i));
            }
            for (int i = 0; i < KEYS; i += 97) {
                assertNull(client.get(p + "k:" + i));
                assertFalse(client.exists(p + "k:" + i));
            }
        }
    }

    /** Every node coordinates every key: a plain Jedis on any node reads what the cluster client wrote, and the reverse. */
    @Test
    void plainJedisOnAnyNodeSeesClusterClientWrites() {
        String p = "plain:";
        ClusterConnectionProvider provider = provider(2);
        try (UnifiedJedis client = jedisClient("RedisClusterClient", 2, provider)) {
            for (int i = 0; i < 600; i++) {
                assertEquals("OK", client.set(p + i, "from-cluster-client:" + i));
            }
            for (int n = 0; n < cluster.size(); n++) {
                try (Jedis plain = new Jedis("127.0.0.1", cluster.port(n))) {
                    Pipeline pipeline = plain.pipelined();
                    List<Response<String>> values = new ArrayList<>();
                    for (int i = 0; i < 600; i++) {
                        values.add(pipeline.get(p + i));
                    }
                    pipeline.sync();
                    for (int i = 0; i < 600; i++) {
                        assertEquals("from-cluster-client:" + i, values.get(i).get(), "node " + n + ", key " + p + i);
                    }
                }
            }
            // Plain writes through each node, for keys of every slot owner, read back through the cluster client.
            for (int n = 0; n < cluster.size(); n++) {
                try (Jedis plain = new Jedis("127.0.0.1", cluster.port(n))) {
                    for (int i = n; i < 600; i += cluster.size()) {
                        assertEquals("OK", plain.set(p + i, "from-node-" + n + ":" + i));
                    }
                }
            }
            for (int i = 0; i < 600; i++) {
                assertEquals("from-node-" + i % cluster.size() + ":" + i, client.get(p + i));
            }
        }
    }

    // ---------------------------------------------------------------- Lettuce

    private static RedisClusterClient lettuce(int seed) {
        RedisURI uri = RedisURI.Builder.redis("127.0.0.1", cluster.port(seed)).withTimeout(TIMEOUT).build();
        return RedisClusterClient.create(uri);
    }

    /** Lettuce's partitions (from CLUSTER NODES): 3 masters whose slots are exactly CLUSTER SLOTS's heads. */
    @Test
    void lettucePartitionsMatchClusterSlots() {
        int[] heads = slotHeads(cluster.port(0));
        RedisClusterClient client = lettuce(2);
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            assertEquals("PONG", connection.sync().ping());
            Partitions partitions = client.getPartitions();
            assertEquals(3, partitions.size(), partitions.toString());
            Set<Integer> ports = new TreeSet<>();
            int covered = 0;
            for (RedisClusterNode node : partitions) {
                assertTrue(node.is(RedisClusterNode.NodeFlag.UPSTREAM), node.toString());
                assertNull(node.getSlaveOf(), node.toString());
                int port = node.getUri().getPort();
                ports.add(port);
                for (int slot : node.getSlots()) {
                    assertEquals(heads[slot], port, "slot " + slot);
                    covered++;
                }
            }
            assertEquals(allPorts(), ports);
            assertEquals(16384, covered, "every slot once");
            for (int slot = 0; slot < 16384; slot++) {
                assertEquals(heads[slot], partitions.getPartitionBySlot(slot).getUri().getPort(), "slot " + slot);
            }
        } finally {
            client.shutdown(Duration.ZERO, TIMEOUT);
        }
    }

    @Test
    void lettuceSyncAcrossManyKeys() {
        String p = "lettuce-sync:";
        RedisClusterClient client = lettuce(0);
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            RedisAdvancedClusterCommands<String, String> sync = connection.sync();
            Partitions partitions = client.getPartitions();
            Set<Integer> routedTo = new HashSet<>();
            for (int i = 0; i < KEYS; i++) {
                String key = p + i;
                assertEquals("OK", sync.set(key, "v" + i));
                routedTo.add(partitions.getPartitionBySlot(slot(key)).getUri().getPort());
            }
            assertEquals(allPorts(), routedTo);
            for (int i = 0; i < KEYS; i++) {
                assertEquals("v" + i, sync.get(p + i));
            }
            for (int i = 0; i < 200; i++) {
                assertEquals(1L, sync.incr(p + "ctr:" + i));
                assertEquals(6L, sync.incrby(p + "ctr:" + i, 5));
            }
            for (int u = 0; u < 100; u++) {
                String tag = "{" + p + "user:" + u + "}";
                assertEquals("OK", sync.mset(Map.of(tag + ":a", "a" + u, tag + ":b", "b" + u)));
                List<String> values = sync.mget(tag + ":a", tag + ":b", tag + ":c").stream()
                    .map(kv -> kv.getValueOrElse(null)).toList();
                assertEquals(Arrays.asList("a" + u, "b" + u, null), values);
                assertEquals(2L, sync.del(tag + ":a", tag + ":b", tag + ":c"));
            }
            // Lettuce splits a cross-slot MGET/DEL by slot and reassembles the answers in order.
            String[] spread = new String[50];
            for (int i = 0; i < spread.length; i++) {
                spread[i] = p + i * 37;
            }
            List<String> values = sync.mget(spread).stream().map(kv -> kv.getValueOrElse(null)).toList();
            for (int i = 0; i < spread.length; i++) {
                assertEquals("v" + i * 37, values.get(i));
            }
            assertEquals((long) spread.length, sync.del(spread));
            assertEquals(0L, sync.exists(spread));
        } finally {
            client.shutdown(Duration.ZERO, TIMEOUT);
        }
    }

    @Test
    void lettuceAsyncAcrossManyKeys() throws Exception {
        String p = "lettuce-async:";
        RedisClusterClient client = lettuce(1);
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            RedisAdvancedClusterAsyncCommands<String, String> async = connection.async();
            List<RedisFuture<String>> sets = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                sets.add(async.set(p + i, "v" + i));
            }
            assertTrue(LettuceFutures.awaitAll(TIMEOUT, sets.toArray(RedisFuture[]::new)), "SETs answered");
            for (RedisFuture<String> f : sets) {
                assertEquals("OK", f.get());
            }
            List<RedisFuture<String>> gets = new ArrayList<>();
            List<RedisFuture<Long>> incrs = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                gets.add(async.get(p + i));
                incrs.add(async.incr(p + "ctr:" + (i % 100)));
            }
            assertTrue(LettuceFutures.awaitAll(TIMEOUT, gets.toArray(RedisFuture[]::new)), "GETs answered");
            assertTrue(LettuceFutures.awaitAll(TIMEOUT, incrs.toArray(RedisFuture[]::new)), "INCRs answered");
            for (int i = 0; i < KEYS; i++) {
                assertEquals("v" + i, gets.get(i).get());
            }
            // One connection per node, in order: each counter saw its 20 increments one after another.
            for (int c = 0; c < 100; c++) {
                assertEquals(Integer.toString(KEYS / 100), async.get(p + "ctr:" + c).get(10, TimeUnit.SECONDS));
            }
            List<RedisFuture<Long>> dels = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                dels.add(async.del(p + i));
            }
            assertTrue(LettuceFutures.awaitAll(TIMEOUT, dels.toArray(RedisFuture[]::new)), "DELs answered");
            for (RedisFuture<Long> f : dels) {
                assertEquals(1L, f.get());
            }
            assertNull(async.get(p + 0).get(10, TimeUnit.SECONDS));
        } finally {
            client.shutdown(Duration.ZERO, TIMEOUT);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static int slot(String key) {
        return JedisClusterCRC16.getSlot(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Set<Integer> allPorts() {
        Set<Integer> ports = new TreeSet<>();
        for (int n = 0; n < cluster.size(); n++) {
            ports.add(cluster.port(n));
        }
        return ports;
    }

    private static Set<Integer> portsOf(Set<String> hostAndPorts) {
        Set<Integer> ports = new TreeSet<>();
        for (String hp : hostAndPorts) {
            ports.add(HostAndPort.from(hp).getPort());
        }
        return ports;
    }

    /**
     * CLUSTER SLOTS as a slot -> port of the range's first node (its head). Fails if a slot is
     * in no range or in two.
     */
    private static int[] slotHeads(int port) {
        int[] heads = new int[16384];
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            for (Object entry : jedis.clusterSlots()) {
                List<?> range = (List<?>) entry;
                int start = ((Long) range.get(0)).intValue();
                int end = ((Long) range.get(1)).intValue();
                List<?> head = (List<?>) range.get(2);
                int headPort = ((Long) head.get(1)).intValue();
                for (int slot = start; slot <= end; slot++) {
                    assertEquals(0, heads[slot], "slot " + slot + " in two ranges");
                    heads[slot] = headPort;
                }
            }
        }
        for (int slot = 0; slot < heads.length; slot++) {
            assertTrue(heads[slot] != 0, "slot " + slot + " is in no CLUSTER SLOTS range");
        }
        return heads;
    }

    /** INFO stats total_commands_processed of every node. */
    private static long[] commandsProcessed() {
        long[] counts = new long[cluster.size()];
        for (int n = 0; n < counts.length; n++) {
            try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(n))) {
                Map<String, String> fields = infoFields(jedis.info("stats"));
                counts[n] = Long.parseLong(fields.get("total_commands_processed"));
            }
        }
        return counts;
    }

    private static Map<String, String> infoFields(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
