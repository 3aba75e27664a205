package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The extended commands (KV.GET, KV.PUT, KV.DEL, KV.CONSISTENCY, KV.INFO) through two unchanged
 * clients' generic command interfaces, Jedis's {@code sendCommand} and Lettuce's
 * {@code dispatch}, against a 3-node cluster (N=3, W=2, R=2 by default) started once for the
 * class. Each test runs once per client, on key names of its own.
 *
 * <p>Siblings are made the way concurrent clients make them: both read version v0 and its
 * context, then each writes with that same context through a different node. W + R > N, so a
 * quorum read after both acknowledgements sees both, without waiting.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KvCommandsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String BAD_CONTEXT = "ERR invalid CONTEXT: pass back the context KV.GET returned";
    /** The causal context of a key with no version: format version 1, no entries (docs/formats.md). */
    private static final String EMPTY_CONTEXT = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {1, 0});

    private static LocalCluster cluster;
    private static RedisClient lettuce;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(3, "--storage", "memory");
        lettuce = RedisClient.create();
    }

    @AfterAll
    static void stopCluster() {
        if (lettuce != null) {
            lettuce.shutdown(Duration.ZERO, TIMEOUT);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---------------------------------------------------------------- tests

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void getOfAMissingKeyHasAContextAndNoSiblings(String kind) {
        try (KvClient kv = KvClient.open(kind)) {
            for (int n = 0; n < cluster.size(); n++) {
                List<Object> reply = kv.array(n, "KV.GET", kind + ":missing");
                assertEquals(2, reply.size(), reply.toString());
                assertEquals(EMPTY_CONTEXT, reply.get(0));
                assertEquals(List.of(), reply.get(1));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void putThenGet(String kind) {
        String key = kind + ":put-get";
        try (KvClient kv = KvClient.open(kind)) {
            long before = System.currentTimeMillis();
            assertEquals("OK", kv.status(0, "KV.PUT", key, "hello"));
            long after = System.currentTimeMillis();
            for (int n = 0; n < cluster.size(); n++) {
                Kv got = Kv.of(kv.array(n, "KV.GET", key));
                assertEquals(List.of("hello"), got.values(), "node " + n);
                long modified = got.timestamps().get(0);
                assertTrue(modified >= before - 1000 && modified <= after + 1000,
                    "last-modified " + modified + " not in [" + before + ", " + after + "]");
                assertNotEquals(EMPTY_CONTEXT, got.context());
                // The plain commands see the same value.
                assertEquals("hello", kv.bulk(n, "GET", key));
            }
            // A plain SET is a version like any other.
            assertEquals("OK", kv.status(1, "SET", key, "plain"));
            assertEquals(List.of("plain"), Kv.of(kv.array(2, "KV.GET", key)).values());
        }
    }

    /**
     * Two writes with the same context through two nodes are concurrent: both stay, as siblings,
     * until a write with the merged context resolves them.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void concurrentWritesMakeSiblingsThatAMergedContextResolves(String kind) {
        String key = kind + ":siblings";
        try (KvClient kv = KvClient.open(kind)) {
            makeSiblings(kv, key);

            // Plain GET shows one deterministic winner, the same through every node.
            Kv siblings = Kv.of(kv.array(0, "KV.GET", key));
            String winner = kv.bulk(0, "GET", key);
            assertTrue(siblings.values().contains(winner), winner + " is not a sibling of " + siblings);
            for (int n = 1; n < cluster.size(); n++) {
                assertEquals(winner, kv.bulk(n, "GET", key), "GET through node " + n);
            }
            // The winner is the latest, when the two were written in different milliseconds.
            if (!siblings.timestamps().get(0).equals(siblings.timestamps().get(1))) {
                assertEquals(siblings.values().get(1), winner, "siblings are listed oldest first: " + siblings);
            }

            // A write with the merged context supersedes both.
            assertEquals("OK", kv.status(2, "KV.PUT", key, "merged", "CONTEXT", siblings.context()));
            for (int n = 0; n < cluster.size(); n++) {
                assertEquals(List.of("merged"), Kv.of(kv.array(n, "KV.GET", key)).values(), "node " + n);
                assertEquals("merged", kv.bulk(n, "GET", key));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void deleteWithContextLeavesNoSiblings(String kind) {
        String key = kind + ":delete";
        try (KvClient kv = KvClient.open(kind)) {
            makeSiblings(kv, key);
            Kv siblings = Kv.of(kv.array(1, "KV.GET", key));
            assertEquals("OK", kv.status(0, "KV.DEL", key, "CONTEXT", siblings.context()));
            for (int n = 0; n < cluster.size(); n++) {
                Kv after = Kv.of(kv.array(n, "KV.GET", key));
                assertEquals(List.of(), after.values(), "node " + n);
                // The tombstone is covered by the context a later write gets.
                assertNotEquals(EMPTY_CONTEXT, after.context());
                assertNull(kv.bulk(n, "GET", key));
                assertEquals(0L, kv.integer(n, "EXISTS", key));
            }
            // A write with the context after the delete brings the key back, alone.
            Kv deleted = Kv.of(kv.array(2, "KV.GET", key));
            assertEquals("OK", kv.status(2, "KV.PUT", key, "again", "CONTEXT", deleted.context()));
            assertEquals(List.of("again"), Kv.of(kv.array(0, "KV.GET", key)).values());
        }
    }

    /** GET then a plain, blind SET through the same node supersedes every sibling it read. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void blindSetAfterGetLeavesOneSibling(String kind) {
        String key = kind + ":blind";
        try (KvClient kv = KvClient.open(kind)) {
            makeSiblings(kv, key);
            assertTrue(kv.bulk(0, "GET", key).startsWith("v"));
            assertEquals("OK", kv.status(0, "SET", key, "blind"));
            for (int n = 0; n < cluster.size(); n++) {
                assertEquals(List.of("blind"), Kv.of(kv.array(n, "KV.GET", key)).values(), "node " + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void returnBody(String kind) {
        String key = kind + ":returnbody";
        try (KvClient kv = KvClient.open(kind)) {
            Kv first = Kv.of(kv.array(0, "KV.PUT", key, "v0", "RETURNBODY"));
            assertEquals(List.of("v0"), first.values());
            assertEquals(Kv.of(kv.array(1, "KV.GET", key)).context(), first.context());

            makeSiblings(kv, key);
            Kv siblings = Kv.of(kv.array(2, "KV.GET", key));
            Kv resolved = Kv.of(kv.array(2, "KV.PUT", key, "one", "CONTEXT", siblings.context(), "RETURNBODY"));
            assertEquals(List.of("one"), resolved.values());
            assertEquals(Kv.of(kv.array(0, "KV.GET", key)).context(), resolved.context());

            assertError(KvClient.SYNTAX, () -> kv.array(0, "KV.DEL", key, "RETURNBODY"));
        }
    }

    /** KV.CONSISTENCY sets the levels of one connection only; other connections keep the defaults. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void consistencyIsPerConnection(String kind) {
        String key = kind + ":consistency";
        try (KvClient kv = KvClient.open(kind); KvClient other = KvClient.open(kind)) {
            assertEquals(List.of("read", "quorum", "write", "quorum"), kv.array(0, "KV.CONSISTENCY"));
            assertEquals("OK", kv.status(0, "KV.CONSISTENCY", "READ", "ONE", "WRITE", "ALL"));
            assertEquals(List.of("read", "one", "write", "all"), kv.array(0, "KV.CONSISTENCY"));
            assertEquals("OK", kv.status(0, "KV.CONSISTENCY", "write", "2"));
            assertEquals(List.of("read", "one", "write", "2"), kv.array(0, "KV.CONSISTENCY"));
            assertEquals(List.of("read", "quorum", "write", "quorum"), other.array(0, "KV.CONSISTENCY"));
            assertEquals(List.of("read", "quorum", "write", "quorum"), kv.array(1, "KV.CONSISTENCY"));

            // The levels apply to the plain commands as well as to KV.*.
            assertEquals("OK", kv.status(0, "KV.CONSISTENCY", "READ", "ALL", "WRITE", "ALL"));
            assertEquals("OK", kv.status(0, "SET", key, "x"));
            assertEquals("x", kv.bulk(0, "GET", key));
            assertEquals(List.of("x"), Kv.of(kv.array(0, "KV.GET", key)).values());
            assertEquals(List.of("x"), Kv.of(kv.array(0, "KV.GET", key, "R", "ONE")).values());
            assertEquals("OK", kv.status(0, "KV.PUT", key, "y", "W", "1"));
            assertEquals("OK", kv.status(0, "KV.PUT", key, "z", "QUORUM"));
            assertEquals(List.of("z"), Kv.of(kv.array(0, "KV.GET", key)).values());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void badContextIsRefused(String kind) {
        String key = kind + ":bad-context";
        try (KvClient kv = KvClient.open(kind)) {
            assertError(BAD_CONTEXT, () -> kv.status(0, "KV.PUT", key, "v", "CONTEXT", "not base64!"));
            // Valid base64url, but not a causal context (format version 0).
            assertError(BAD_CONTEXT, () -> kv.status(1, "KV.PUT", key, "v", "CONTEXT", "AAAA"));
            assertError(BAD_CONTEXT, () -> kv.status(2, "KV.DEL", key, "CONTEXT", "%%%"));
            assertEquals(List.of(), Kv.of(kv.array(0, "KV.GET", key)).values(), "nothing was written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void badLevelIsRefused(String kind) {
        String key = kind + ":bad-level";
        try (KvClient kv = KvClient.open(kind)) {
            assertErrorStarts("ERR consistency must be", () -> kv.status(0, "KV.PUT", key, "v", "W", "bogus"));
            assertErrorStarts("ERR consistency must be", () -> kv.status(0, "KV.PUT", key, "v", "W", "0"));
            assertErrorStarts("ERR consistency must be", () -> kv.array(0, "KV.GET", key, "R", "-1"));
            assertErrorStarts("ERR consistency must be", () -> kv.status(0, "KV.CONSISTENCY", "READ", "most"));
            assertErrorStarts("ERR consistency must be", () -> kv.status(0, "KV.CONSISTENCY", "WRITE", "0"));
            assertError(KvClient.SYNTAX, () -> kv.status(0, "KV.CONSISTENCY", "SOMETIMES", "ONE"));
            assertError(KvClient.SYNTAX, () -> kv.status(0, "KV.PUT", key, "v", "BOGUS"));
            assertError(KvClient.SYNTAX, () -> kv.array(0, "KV.GET", key, "W", "ONE"));
            assertEquals(List.of("read", "quorum", "write", "quorum"), kv.array(0, "KV.CONSISTENCY"),
                "a refused KV.CONSISTENCY changes nothing");
        }
    }

    /** KV.INFO: the key's slot, its preference list of 3 nodes, and each replica's version. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jedis", "lettuce"})
    void infoListsThreeReplicasWithVersions(String kind) {
        String key = kind + ":info";
        try (KvClient kv = KvClient.open(kind)) {
            assertEquals("OK", kv.status(0, "KV.PUT", key, "12345", "W", "ALL"));
            List<Object> info = kv.array(1, "KV.INFO", key);
            assertEquals(8, info.size(), info.toString());
            assertEquals("slot", info.get(0));
            assertEquals(kv.integer(2, "CLUSTER", "KEYSLOT", key), info.get(1));
            assertEquals("preference-list", info.get(2));
            assertEquals("context", info.get(4));
            assertEquals(Kv.of(kv.array(2, "KV.GET", key)).context(), info.get(5));
            assertEquals("replicas", info.get(6));

            Set<String> nodeIds = new TreeSet<>();
            for (int n = 0; n < cluster.size(); n++) {
                nodeIds.add(kv.bulk(n, "CLUSTER", "MYID"));
            }
            List<?> preference = (List<?>) info.get(3);
            assertEquals(3, preference.size(), info.toString());
            Set<String> preferenceIds = new TreeSet<>();
            Set<String> addresses = new TreeSet<>();
            for (Object entry : preference) {
                List<?> node = (List<?>) entry;
                preferenceIds.add((String) node.get(0));
                addresses.add((String) node.get(1));
            }
            assertEquals(nodeIds, preferenceIds, info.toString());
            Set<String> expectedAddresses = new TreeSet<>();
            for (int n = 0; n < cluster.size(); n++) {
                expectedAddresses.add("127.0.0.1:" + cluster.port(n));
            }
            assertEquals(expectedAddresses, addresses);

            List<?> replicas = (List<?>) info.get(7);
            assertEquals(3, replicas.size(), info.toString());
            Set<String> replicaIds = new TreeSet<>();
            for (Object entry : replicas) {
                List<?> replica = (List<?>) entry;
                replicaIds.add((String) replica.get(0));
                assertEquals("ok", replica.get(1), info.toString());
                List<?> versions = (List<?>) replica.get(2);
                assertEquals(1, versions.size(), info.toString());
                List<?> version = (List<?>) versions.get(0);
                assertEquals(4, version.size(), info.toString());
                assertTrue(((String) version.get(0)).length() > 0, "a dot: " + version);
                assertTrue((Long) version.get(1) > 0, "a timestamp: " + version);
                assertEquals("value", version.get(2));
                assertEquals(5L, version.get(3), "the value's length");
            }
            assertEquals(nodeIds, replicaIds);
        }
    }

    /**
     * The cluster-aware clients carry KV.* too: Jedis's RedisClusterClient routes
     * {@code sendCommand(sampleKey, ...)} by the key's slot, Lettuce's cluster connection routes
     * {@code dispatch} by the first key argument. Every key's node answers.
     */
    @Test
    void clusterClientsCarryKvCommands() {
        Set<HostAndPort> seeds = Set.of(new HostAndPort("127.0.0.1", cluster.port(0)));
        byte[] put = SafeEncoder.encode("KV.PUT");
        byte[] get = SafeEncoder.encode("KV.GET");
        try (redis.clients.jedis.RedisClusterClient jedis = redis.clients.jedis.RedisClusterClient.create(seeds)) {
            for (int i = 0; i < 100; i++) {
                String key = "jedis-cluster:" + i;
                assertEquals("OK", SafeEncoder.encode((byte[]) jedis.sendCommand(key, () -> put, key, "v" + i)));
                @SuppressWarnings("unchecked")
                List<Object> reply = (List<Object>) JedisKv.normalize(jedis.sendCommand(key, () -> get, key));
                assertEquals(List.of("v" + i), Kv.of(reply).values());
            }
        }
        io.lettuce.core.cluster.RedisClusterClient client = io.lettuce.core.cluster.RedisClusterClient.create(
            RedisURI.Builder.redis("127.0.0.1", cluster.port(1)).withTimeout(TIMEOUT).build());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            for (int i = 0; i < 100; i++) {
                String key = "lettuce-cluster:" + i;
                assertEquals("OK", connection.sync().dispatch(LettuceKv.keyword("KV.PUT"),
                    new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey(key).addValue("v" + i)));
                List<Object> reply = connection.sync().dispatch(LettuceKv.keyword("KV.GET"),
                    new NestedMultiOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey(key));
                assertEquals(List.of("v" + i), Kv.of(reply).values());
            }
        } finally {
            client.shutdown(Duration.ZERO, TIMEOUT);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** v0, then v1 and v2 written with v0's context through nodes 1 and 2: two siblings. */
    private static void makeSiblings(KvClient kv, String key) {
        assertEquals("OK", kv.status(0, "KV.PUT", key, "v0"));
        Kv v0 = Kv.of(kv.array(0, "KV.GET", key));
        assertEquals(List.of("v0"), v0.values());
        assertEquals("OK", kv.status(1, "KV.PUT", key, "v1", "CONTEXT", v0.context()));
        assertEquals("OK", kv.status(2, "KV.PUT", key, "v2", "CONTEXT", v0.context()));
        for (int n = 0; n < cluster.size(); n++) {
            Kv siblings = Kv.of(kv.array(n, "KV.GET", key));
            assertEquals(Set.of("v1", "v2"), new HashSet<>(siblings.values()), "siblings through node " + n);
            assertEquals(2, siblings.values().size(), siblings.toString());
        }
    }

    private static void assertError(String expected, Runnable call) {
        ReplyError e = assertThrows(ReplyError.class, call::run);
        assertEquals(expected, e.getMessage());
    }

    private static void assertErrorStarts(String prefix, Runnable call) {
        ReplyError e = assertThrows(ReplyError.class, call::run);
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }

    /** KV.GET's (and KV.PUT RETURNBODY's) reply: [context, [[value, last-modified ms], ...]]. */
    private record Kv(String context, List<String> values, List<Long> timestamps) {
        static Kv of(List<Object> reply) {
            assertEquals(2, reply.size(), "[context, siblings]: " + reply);
            List<String> values = new ArrayList<>();
            List<Long> timestamps = new ArrayList<>();
            for (Object sibling : (List<?>) reply.get(1)) {
                List<?> pair = (List<?>) sibling;
                assertEquals(2, pair.size(), "[value, last-modified]: " + reply);
                values.add((String) pair.get(0));
                timestamps.add((Long) pair.get(1));
            }
            return new Kv((String) reply.get(0), values, timestamps);
        }
    }

    /** An error reply, whichever client received it. */
    static final class ReplyError extends RuntimeException {
        ReplyError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One connection to every node through one client's generic command interface; replies come
     * back as String (bulk and status), Long and List, errors as {@link ReplyError}.
     */
    private interface KvClient extends AutoCloseable {

        String SYNTAX = "ERR syntax error";

        static KvClient open(String kind) {
            return switch (kind) {
                case "jedis" -> new JedisKv();
                case "lettuce" -> new LettuceKv();
                default -> throw new IllegalArgumentException(kind);
            };
        }

        /** A command that answers a simple string (+OK). */
        String status(int node, String... command);

        /** A command that answers a bulk string or nil. */
        String bulk(int node, String... command);

        Long integer(int node, String... command);

        /** A command that answers an array (nested arrays included). */
        List<Object> array(int node, String... command);

        @Override
        void close();
    }

    /** Jedis's {@code sendCommand} with a ProtocolCommand for any name. */
    private static final class JedisKv implements KvClient {
        private final Jedis[] nodes = new Jedis[cluster.size()];

        JedisKv() {
            for (int n = 0; n < nodes.length; n++) {
                nodes[n] = new Jedis("127.0.0.1", cluster.port(n), (int) TIMEOUT.toMillis());
            }
        }

        private Object send(int node, String... command) {
            byte[] name = SafeEncoder.encode(command[0]);
            ProtocolCommand protocolCommand = () -> name;
            try {
                return normalize(nodes[node].sendCommand(protocolCommand, Arrays.copyOfRange(command, 1, command.length)));
            } catch (JedisDataException e) {
                throw new ReplyError(e.getMessage(), e);
            }
        }

        static Object normalize(Object reply) {
            if (reply instanceof byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
            if (reply instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) {
                    out.add(normalize(o));
                }
                return out;
            }
            return reply;
        }

        @Override
        public String status(int node, String... command) {
            return (String) send(node, command);
        }

        @Override
        public String bulk(int node, String... command) {
            return (String) send(node, command);
        }

        @Override
        public Long integer(int node, String... command) {
            return (Long) send(node, command);
        }

        @SuppressWarnings("unchecked")
        @Override
        public List<Object> array(int node, String... command) {
            return (List<Object>) send(node, command);
        }

        @Override
        public void close() {
            for (Jedis jedis : nodes) {
                jedis.close();
            }
        }
    }

    /** Lettuce's {@code dispatch} with a ProtocolKeyword for any name and an output for the reply's shape. */
    private static final class LettuceKv implements KvClient {
        private final List<StatefulRedisConnection<String, String>> nodes = new ArrayList<>();

        LettuceKv() {
            for (int n = 0; n < cluster.size(); n++) {
                nodes.add(lettuce.connect(RedisURI.Builder.redis("127.0.0.1", cluster.port(n)).withTimeout(TIMEOUT).build()));
            }
        }

        private <T> T dispatch(int node, CommandOutput<String, String, T> output, String... command) {
            CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
            for (int i = 1; i < command.length; i++) {
                args.add(command[i]);
            }
            try {
                return nodes.get(node).sync().dispatch(keyword(command[0]), output, args);
            } catch (RedisCommandExecutionException e) {
                throw new ReplyError(e.getMessage(), e);
            }
        }

        static ProtocolKeyword keyword(String name) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            return new ProtocolKeyword() {
                @Override
                public byte[] getBytes() {
                    return bytes;
                }

                @Override
                public String toString() {
                    return name;
                }
            };
        }

        @Override
        public String status(int node, String... command) {
            return dispatch(node, new StatusOutput<>(StringCodec.UTF8), command);
        }

        @Override
        public String bulk(int node, String... command) {
            return dispatch(node, new ValueOutput<>(StringCodec.UTF8), command);
        }

        @Override
        public Long integer(int node, String... command) {
            return dispatch(node, new io.lettuce.core.output.IntegerOutput<>(StringCodec.UTF8), command);
        }

        @Override
        public List<Object> array(int node, String... command) {
            return dispatch(node, new NestedMultiOutput<>(StringCodec.UTF8), command);
        }

        @Override
        public void close() {
            for (StatefulRedisConnection<String, String> connection : nodes) {
                connection.close();
            }
        }
    }
}
