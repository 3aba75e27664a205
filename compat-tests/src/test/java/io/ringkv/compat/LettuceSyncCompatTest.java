package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lettuce.core.AclCategory;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.CopyArgs;
import io.lettuce.core.ExpireArgs;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyScanArgs;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.models.command.CommandDetail;
import io.lettuce.core.models.command.CommandDetailParser;
import io.lettuce.core.output.ObjectOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;

/**
 * Issue 2's commands through Lettuce's synchronous API against a real ringkv process, with
 * Lettuce's default {@link io.lettuce.core.ClientOptions}: Lettuce opens every connection with HELLO 3, ringkv
 * answers NOPROTO, and Lettuce must fall back to RESP2 on its own. Every reply is checked for
 * its exact value, every error for Redis 7's text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LettuceSyncCompatTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static CompatServer server;
    private static RedisClient client;

    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> sync;

    @BeforeAll
    static void startServer() throws Exception {
        server = CompatServer.start();
        client = RedisClient.create(uri(server).build());
    }

    @AfterAll
    static void stopServer() {
        if (client != null) {
            client.shutdown(Duration.ZERO, TIMEOUT);
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void connect() {
        connection = client.connect();
        sync = connection.sync();
        assertEquals("OK", sync.flushall());
    }

    @AfterEach
    void disconnect() {
        if (connection != null) {
            connection.close();
        }
    }

    private static RedisURI.Builder uri(CompatServer on) {
        return RedisURI.builder().withHost(on.host()).withPort(on.port()).withTimeout(TIMEOUT);
    }

    private static void assertError(String expected, Runnable call) {
        RedisCommandExecutionException e = assertThrows(RedisCommandExecutionException.class, call::run);
        assertEquals(expected, e.getMessage());
    }

    /** Sends a command as given, for replies and errors the typed API cannot provoke. */
    private Object raw(String name, String... args) {
        CommandArgs<String, String> commandArgs = new CommandArgs<>(StringCodec.UTF8);
        for (String arg : args) {
            commandArgs.add(arg);
        }
        return sync.dispatch(keyword(name), new ObjectOutput<>(StringCodec.UTF8), commandArgs);
    }

    /** {@link #raw} for a command that answers a bulk string. */
    private String rawBulk(String name, String... args) {
        CommandArgs<String, String> commandArgs = new CommandArgs<>(StringCodec.UTF8);
        for (String arg : args) {
            commandArgs.add(arg);
        }
        return sync.dispatch(keyword(name), new ValueOutput<>(StringCodec.UTF8), commandArgs);
    }

    /** A map reply: a flat array on RESP2, a map on RESP3 (the reference Redis speaks RESP3). */
    private static Map<Object, Object> pairs(Object reply) {
        if (reply instanceof Map<?, ?> map) {
            return new HashMap<>(map);
        }
        List<?> flat = (List<?>) reply;
        Map<Object, Object> map = new HashMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            map.put(flat.get(i), flat.get(i + 1));
        }
        return map;
    }

    private static ProtocolKeyword keyword(String name) {
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

    private static long nowMillis() {
        return System.currentTimeMillis();
    }

    private static void assertTtl(long ttl, long low, long high) {
        assertTrue(ttl >= low && ttl <= high, "ttl " + ttl + " not in [" + low + ", " + high + "]");
    }

    // ---------------------------------------------------------------------------------------
    // Connecting
    // ---------------------------------------------------------------------------------------

    @Test
    void defaultClientOptionsFallBackToResp2() {
        assumeFalse(server.isReference(), "Redis accepts HELLO 3");
        try (StatefulRedisConnection<String, String> fresh = client.connect()) {
            RedisCommands<String, String> commands = fresh.sync();
            assertEquals("PONG", commands.ping());
            assertEquals("OK", commands.set("k", "v"));
            assertEquals("v", commands.get("k"));
            // The server's own view of the connection: RESP2 after the refused HELLO 3.
            assertEquals("2", fields(commands.clientInfo().trim()).get("resp"));
        }
    }

    @Test
    void lettuceIdentifiesItselfWithClientSetinfo() {
        assumeFalse(server.isReference(), "CLIENT SETINFO is Redis 7.2's");
        Map<String, String> fields = fields(sync.clientInfo().trim());
        assertEquals("Lettuce", fields.get("lib-name"));
        assertTrue(fields.get("lib-ver").startsWith("7.7.0"), fields.toString());
        assertEquals("OK", sync.clientSetinfo("lib-name", "mylib"));
        assertEquals("OK", sync.clientSetinfo("LIB-VER", "1.0"));
        fields = fields(sync.clientInfo().trim());
        assertEquals("mylib", fields.get("lib-name"));
        assertEquals("1.0", fields.get("lib-ver"));
        assertError("ERR Unrecognized option 'bogus'", () -> sync.clientSetinfo("bogus", "x"));
    }

    @Test
    void manyConnectionsOpenAndCloseCleanly() {
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                connections.add(client.connect());
            }
            Set<Long> ids = new HashSet<>();
            for (StatefulRedisConnection<String, String> c : connections) {
                ids.add(c.sync().clientId());
            }
            assertEquals(20, ids.size());
        } finally {
            connections.forEach(StatefulRedisConnection::close);
        }
        await().atMost(TIMEOUT).until(() -> connectedClients() == 1);
    }

    private long connectedClients() {
        return Long.parseLong(infoValues(sync.info("clients")).get("connected_clients"));
    }

    // ---------------------------------------------------------------------------------------
    // Strings
    // ---------------------------------------------------------------------------------------

    @Test
    void setAndGet() {
        assertNull(sync.get("missing"));
        assertEquals("OK", sync.set("k", "v"));
        assertEquals("v", sync.get("k"));
        assertEquals("OK", sync.set("k", "v2"));
        assertEquals("v2", sync.get("k"));
        assertEquals("OK", sync.set("empty", ""));
        assertEquals("", sync.get("empty"));
        assertEquals(0, sync.strlen("empty"));
    }

    @Test
    void binarySafeKeysAndValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        byte[] key = {0, '\r', '\n', (byte) 0xff, ' '};
        byte[] big = new byte[1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        try (StatefulRedisConnection<byte[], byte[]> binary = client.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> commands = binary.sync();
            assertEquals("OK", commands.set(key, all));
            assertArrayEquals(all, commands.get(key));
            assertEquals(256, commands.strlen(key));
            assertEquals("OK", commands.set("big".getBytes(StandardCharsets.UTF_8), big));
            assertArrayEquals(big, commands.get("big".getBytes(StandardCharsets.UTF_8)));
        }
        sync.set("utf8", "héllo wörld ✓");
        assertEquals("héllo wörld ✓", sync.get("utf8"));
    }

    @Test
    void setWithRelativeExpiry() {
        assertEquals("OK", sync.set("ex", "v", SetArgs.Builder.ex(100)));
        assertTtl(sync.ttl("ex"), 99, 100);
        assertEquals("OK", sync.set("px", "v", SetArgs.Builder.px(100_000)));
        assertTtl(sync.pttl("px"), 98_001, 100_000);
        assertEquals("OK", sync.set("d", "v", SetArgs.Builder.ex(Duration.ofMinutes(2))));
        assertTtl(sync.ttl("d"), 119, 120);
    }

    @Test
    void setWithAbsoluteExpiry() {
        long atSeconds = nowMillis() / 1000 + 100;
        assertEquals("OK", sync.set("exat", "v", SetArgs.Builder.exAt(atSeconds)));
        assertEquals(atSeconds, sync.expiretime("exat"));
        assertTtl(sync.ttl("exat"), 98, 100);

        long atMillis = nowMillis() + 100_000;
        assertEquals("OK", sync.set("pxat", "v", SetArgs.Builder.pxAt(atMillis)));
        assertEquals(atMillis, sync.pexpiretime("pxat"));
        // EXPIRETIME rounds milliseconds to the nearest second.
        assertEquals((atMillis + 500) / 1000, sync.expiretime("pxat"));
        assertTtl(sync.pttl("pxat"), 98_001, 100_000);
    }

    @Test
    void setExpiryInThePastDeletesTheKey() {
        sync.set("k", "v");
        assertEquals("OK", sync.set("k", "v", SetArgs.Builder.pxAt(nowMillis() - 10_000)));
        assertNull(sync.get("k"));
        assertEquals(0, sync.exists("k"));
    }

    @Test
    void setNxAndXx() {
        assertNull(sync.set("k", "v", SetArgs.Builder.xx()));
        assertEquals(0, sync.exists("k"));
        assertEquals("OK", sync.set("k", "v1", SetArgs.Builder.nx()));
        assertNull(sync.set("k", "v2", SetArgs.Builder.nx()));
        assertEquals("v1", sync.get("k"));
        assertEquals("OK", sync.set("k", "v3", SetArgs.Builder.xx().ex(50)));
        assertEquals("v3", sync.get("k"));
        assertTtl(sync.ttl("k"), 49, 50);
    }

    @Test
    void setKeepTtl() {
        sync.set("k", "v1", SetArgs.Builder.ex(100));
        assertEquals("OK", sync.set("k", "v2", SetArgs.Builder.keepttl()));
        assertEquals("v2", sync.get("k"));
        assertTtl(sync.ttl("k"), 99, 100);
        assertEquals("OK", sync.set("k", "v3"));
        assertEquals(-1, sync.ttl("k"));
        assertEquals("OK", sync.set("fresh", "v", SetArgs.Builder.keepttl()));
        assertEquals(-1, sync.ttl("fresh"));
    }

    @Test
    void setGetOption() {
        assertNull(sync.setGet("k", "v1"));
        assertEquals("v1", sync.get("k"));
        assertEquals("v1", sync.setGet("k", "v2"));
        assertEquals("v2", sync.setGet("k", "v3", SetArgs.Builder.ex(100)));
        assertEquals("v3", sync.get("k"));
        assertTtl(sync.ttl("k"), 99, 100);
        assertEquals("v3", sync.setGet("k", "v4", SetArgs.Builder.nx()));
        assertEquals("v3", sync.get("k"));
        assertNull(sync.setGet("other", "x", SetArgs.Builder.xx()));
        assertEquals(0, sync.exists("other"));
    }

    @Test
    void setErrors() {
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "NX", "XX"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX", "10", "PX", "100"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX", "10", "KEEPTTL"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "BOGUS"));
        assertError("ERR value is not an integer or out of range", () -> raw("SET", "k", "v", "EX", "ten"));
        assertError("ERR invalid expire time in 'set' command", () -> sync.set("k", "v", SetArgs.Builder.ex(0)));
        assertError("ERR invalid expire time in 'set' command", () -> raw("SET", "k", "v", "PX", "-5"));
        assertError("ERR invalid expire time in 'set' command",
            () -> raw("SET", "k", "v", "EX", "9223372036854775807"));
        assertError("ERR wrong number of arguments for 'set' command", () -> raw("SET", "k"));
        assertEquals(0, sync.exists("k"));
    }

    @Test
    void setnxSetexPsetex() {
        assertTrue(sync.setnx("k", "v1"));
        assertFalse(sync.setnx("k", "v2"));
        assertEquals("v1", sync.get("k"));
        assertEquals("OK", sync.setex("ex", 100, "v"));
        assertEquals("v", sync.get("ex"));
        assertTtl(sync.ttl("ex"), 99, 100);
        assertEquals("OK", sync.psetex("px", 100_000, "v"));
        assertTtl(sync.pttl("px"), 98_001, 100_000);
        assertError("ERR invalid expire time in 'setex' command", () -> sync.setex("bad", 0, "v"));
        assertError("ERR invalid expire time in 'psetex' command", () -> sync.psetex("bad", -1, "v"));
        assertError("ERR value is not an integer or out of range", () -> raw("SETEX", "bad", "x", "v"));
        assertEquals(0, sync.exists("bad"));
    }

    @Test
    void getsetAndGetdel() {
        assertNull(sync.getset("k", "v1"));
        assertEquals("v1", sync.getset("k", "v2"));
        assertEquals("v2", sync.get("k"));
        sync.expire("k", 100);
        assertEquals("v2", sync.getset("k", "v3"));
        assertEquals(-1, sync.ttl("k"));
        assertEquals("v3", sync.getdel("k"));
        assertEquals(0, sync.exists("k"));
        assertNull(sync.getdel("k"));
    }

    @Test
    void getex() {
        assertNull(sync.getex("missing", GetExArgs.Builder.ex(10)));
        sync.set("k", "v");
        assertEquals("v", sync.getex("k", GetExArgs.Builder.ex(100)));
        assertTtl(sync.ttl("k"), 99, 100);
        assertEquals("v", sync.getex("k", GetExArgs.Builder.px(50_000)));
        assertTtl(sync.pttl("k"), 48_001, 50_000);
        long atSeconds = nowMillis() / 1000 + 200;
        assertEquals("v", sync.getex("k", GetExArgs.Builder.exAt(atSeconds)));
        assertEquals(atSeconds, sync.expiretime("k"));
        long atMillis = nowMillis() + 300_000;
        assertEquals("v", sync.getex("k", GetExArgs.Builder.pxAt(atMillis)));
        assertEquals(atMillis, sync.pexpiretime("k"));
        assertEquals("v", sync.getex("k", GetExArgs.Builder.persist()));
        assertEquals(-1, sync.ttl("k"));
        assertEquals("v", rawBulk("GETEX", "k"));
        assertEquals(-1, sync.ttl("k"));
        assertError("ERR syntax error", () -> raw("GETEX", "k", "EX", "10", "PERSIST"));
        assertError("ERR invalid expire time in 'getex' command", () -> sync.getex("k", GetExArgs.Builder.ex(0)));
        assertEquals("v", sync.getex("k", GetExArgs.Builder.pxAt(nowMillis() - 1000)));
        assertEquals(0, sync.exists("k"));
    }

    @Test
    void msetMgetMsetnx() {
        Map<String, String> abc = new LinkedHashMap<>();
        abc.put("a", "1");
        abc.put("b", "2");
        abc.put("c", "3");
        assertEquals("OK", sync.mset(abc));
        List<KeyValue<String, String>> values = sync.mget("a", "missing", "c", "a");
        assertEquals(Arrays.asList("1", null, "3", "1"),
            values.stream().map(kv -> kv.getValueOrElse(null)).toList());
        assertEquals(List.of("a", "missing", "c", "a"), values.stream().map(KeyValue::getKey).toList());
        assertFalse(sync.msetnx(Map.of("a", "9", "new", "9")));
        assertEquals("1", sync.get("a"));
        assertEquals(0, sync.exists("new"));
        assertTrue(sync.msetnx(Map.of("n1", "x", "n2", "y")));
        assertEquals("x", sync.get("n1"));
        assertEquals("y", sync.get("n2"));
        assertError("ERR wrong number of arguments for 'mset' command", () -> raw("MSET", "a", "1", "b"));
        assertError("ERR wrong number of arguments for 'msetnx' command", () -> raw("MSETNX", "a"));
        assertError("ERR wrong number of arguments for 'mget' command", () -> raw("MGET"));
    }

    @Test
    void appendAndStrlen() {
        assertEquals(0, sync.strlen("k"));
        assertEquals(5, sync.append("k", "Hello"));
        assertEquals(11, sync.append("k", " World"));
        assertEquals("Hello World", sync.get("k"));
        assertEquals(11, sync.strlen("k"));
        sync.expire("k", 100);
        assertEquals(12, sync.append("k", "!"));
        assertTrue(sync.ttl("k") > 0);
        sync.set("n", "10");
        assertEquals(3, sync.append("n", "5"));
        assertEquals(106, sync.incr("n"));
    }

    @Test
    void getrange() {
        sync.set("k", "This is a string");
        assertEquals("This", sync.getrange("k", 0, 3));
        assertEquals("ing", sync.getrange("k", -3, -1));
        assertEquals("This is a string", sync.getrange("k", 0, -1));
        assertEquals("string", sync.getrange("k", 10, 100));
        assertEquals("", sync.getrange("k", 5, 3));
        assertEquals("", sync.getrange("k", 100, 200));
        assertEquals("This is a string", sync.getrange("k", -100, 100));
        assertEquals("", sync.getrange("missing", 0, -1));
        assertError("ERR value is not an integer or out of range", () -> raw("GETRANGE", "k", "a", "1"));
    }

    @Test
    void setrange() {
        sync.set("k", "Hello World");
        assertEquals(11, sync.setrange("k", 6, "Redis"));
        assertEquals("Hello Redis", sync.get("k"));
        assertEquals(6, sync.setrange("pad", 5, "x"));
        assertEquals("\0\0\0\0\0x", sync.get("pad"));
        assertEquals(0, sync.setrange("none", 10, ""));
        assertEquals(0, sync.exists("none"));
        sync.expire("k", 100);
        sync.setrange("k", 0, "J");
        assertEquals("Jello Redis", sync.get("k"));
        assertTrue(sync.ttl("k") > 0);
        assertError("ERR offset is out of range", () -> sync.setrange("k", -1, "x"));
        assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            () -> sync.setrange("huge", 536_870_912L, "x"));
        assertEquals(0, sync.exists("huge"));
    }

    @Test
    void incrAndDecr() {
        assertEquals(1, sync.incr("n"));
        assertEquals(2, sync.incr("n"));
        assertEquals(1, sync.decr("n"));
        assertEquals(11, sync.incrby("n", 10));
        assertEquals(-9, sync.decrby("n", 20));
        assertEquals("-9", sync.get("n"));
        assertEquals(-1, sync.decr("fresh"));
        assertEquals(-5, sync.incrby("fresh2", -5));
        assertEquals(5, sync.decrby("fresh3", -5));
        sync.set("ttl", "5", SetArgs.Builder.ex(100));
        assertEquals(6, sync.incr("ttl"));
        assertTrue(sync.ttl("ttl") > 0);
        sync.set("big", "9223372036854775806");
        assertEquals(Long.MAX_VALUE, sync.incr("big"));
        assertError("ERR increment or decrement would overflow", () -> sync.incr("big"));
        assertEquals(String.valueOf(Long.MAX_VALUE), sync.get("big"));
        sync.set("small", String.valueOf(Long.MIN_VALUE));
        assertError("ERR increment or decrement would overflow", () -> sync.decr("small"));
        assertError("ERR decrement would overflow", () -> sync.decrby("zero", Long.MIN_VALUE));
    }

    @Test
    void incrOnNonIntegers() {
        for (String bad : List.of("abc", "1.5", " 1", "1 ", "01", "", "9223372036854775808", "+1")) {
            sync.set("k", bad);
            assertError("ERR value is not an integer or out of range", () -> sync.incr("k"));
            assertEquals(bad, sync.get("k"));
        }
        sync.set("k", "10");
        assertError("ERR value is not an integer or out of range", () -> raw("INCRBY", "k", "1.5"));
        assertEquals("10", sync.get("k"));
    }

    @Test
    void incrbyfloat() {
        sync.set("f", "10.50");
        assertEquals(10.6, sync.incrbyfloat("f", 0.1), 1e-12);
        assertEquals("10.6", sync.get("f"));
        sync.set("e", "5.0e3");
        assertEquals(5200, sync.incrbyfloat("e", 2.0e2), 1e-12);
        assertEquals("5200", sync.get("e"));
        assertEquals(3.5, sync.incrbyfloat("fresh", 3.5), 1e-12);
        assertEquals("3.5", sync.get("fresh"));
        assertEquals("-1.25", rawBulk("INCRBYFLOAT", "neg", "-1.25"));
        sync.set("s", "abc");
        assertError("ERR value is not a valid float", () -> sync.incrbyfloat("s", 1));
        assertError("ERR value is not a valid float", () -> raw("INCRBYFLOAT", "f", "x"));
        assertError("ERR increment would produce NaN or Infinity", () -> raw("INCRBYFLOAT", "f", "inf"));
        assertEquals("10.6", sync.get("f"));
    }

    // ---------------------------------------------------------------------------------------
    // Keys
    // ---------------------------------------------------------------------------------------

    @Test
    void delUnlinkExistsTouch() {
        sync.mset(Map.of("a", "1", "b", "2", "c", "3"));
        assertEquals(3, sync.exists("a", "b", "c"));
        assertEquals(2, sync.exists("a", "a"));
        assertEquals(0, sync.exists("x", "y"));
        assertEquals(2, sync.touch("a", "b", "missing"));
        assertEquals(2, sync.del("a", "b", "missing"));
        assertEquals(0, sync.del("a"));
        assertEquals(1, sync.unlink("c", "c"));
        assertEquals(0, sync.dbsize());
        assertError("ERR wrong number of arguments for 'del' command", () -> raw("DEL"));
        assertError("ERR wrong number of arguments for 'unlink' command", () -> raw("UNLINK"));
    }

    @Test
    void type() {
        sync.set("k", "v");
        assertEquals("string", sync.type("k"));
        assertEquals("none", sync.type("missing"));
    }

    @Test
    void expireTtlPersist() {
        assertEquals(-2, sync.ttl("k"));
        assertEquals(-2, sync.pttl("k"));
        assertFalse(sync.expire("k", 100));
        sync.set("k", "v");
        assertEquals(-1, sync.ttl("k"));
        assertEquals(-1, sync.pttl("k"));
        assertTrue(sync.expire("k", 100));
        assertTtl(sync.ttl("k"), 99, 100);
        assertTrue(sync.pexpire("k", 50_000));
        assertTtl(sync.pttl("k"), 48_001, 50_000);
        assertTrue(sync.expire("k", Duration.ofSeconds(70)));
        assertTtl(sync.ttl("k"), 69, 70);
        assertTrue(sync.persist("k"));
        assertFalse(sync.persist("k"));
        assertFalse(sync.persist("missing"));
        assertEquals(-1, sync.ttl("k"));
        assertTrue(sync.expire("k", -1));
        assertEquals(0, sync.exists("k"));
        sync.set("k", "v");
        assertTrue(sync.pexpire("k", 0));
        assertEquals(0, sync.exists("k"));
    }

    @Test
    void expireatAndExpiretime() {
        assertEquals(-2, sync.expiretime("k"));
        assertEquals(-2, sync.pexpiretime("k"));
        sync.set("k", "v");
        assertEquals(-1, sync.expiretime("k"));
        assertEquals(-1, sync.pexpiretime("k"));
        long atSeconds = nowMillis() / 1000 + 1000;
        assertTrue(sync.expireat("k", atSeconds));
        assertEquals(atSeconds, sync.expiretime("k"));
        assertEquals(atSeconds * 1000, sync.pexpiretime("k"));
        assertTtl(sync.ttl("k"), 998, 1000);
        long atMillis = nowMillis() + 500_123;
        assertTrue(sync.pexpireat("k", atMillis));
        assertEquals(atMillis, sync.pexpiretime("k"));
        assertEquals((atMillis + 500) / 1000, sync.expiretime("k"));
        assertFalse(sync.expireat("missing", atSeconds));
        assertFalse(sync.pexpireat("missing", atMillis));
        assertTrue(sync.expireat("k", nowMillis() / 1000 - 10));
        assertEquals(0, sync.exists("k"));
    }

    @Test
    void expireOptions() {
        sync.set("k", "v");
        assertFalse(sync.expire("k", 100, ExpireArgs.Builder.xx()));
        assertFalse(sync.expire("k", 100, ExpireArgs.Builder.gt()));
        assertEquals(-1, sync.ttl("k"));
        assertTrue(sync.expire("k", 100, ExpireArgs.Builder.nx()));
        assertFalse(sync.expire("k", 200, ExpireArgs.Builder.nx()));
        assertTrue(sync.expire("k", 200, ExpireArgs.Builder.xx()));
        assertTrue(sync.ttl("k") > 150);
        assertFalse(sync.expire("k", 100, ExpireArgs.Builder.gt()));
        assertTrue(sync.expire("k", 300, ExpireArgs.Builder.gt()));
        assertTrue(sync.ttl("k") > 250);
        assertFalse(sync.expire("k", 400, ExpireArgs.Builder.lt()));
        assertTrue(sync.expire("k", 50, ExpireArgs.Builder.lt()));
        assertTtl(sync.ttl("k"), 49, 50);
        assertTrue(sync.pexpire("k", 60_000, ExpireArgs.Builder.gt()));
        assertFalse(sync.pexpire("k", 70_000, ExpireArgs.Builder.nx()));
        long at = nowMillis() / 1000 + 1000;
        assertTrue(sync.expireat("k", at, ExpireArgs.Builder.xx()));
        assertEquals(at, sync.expiretime("k"));
        assertFalse(sync.pexpireat("k", at * 1000 - 5000, ExpireArgs.Builder.gt()));
        assertTrue(sync.pexpireat("k", at * 1000 - 5000, ExpireArgs.Builder.lt()));
        assertEquals(at * 1000 - 5000, sync.pexpiretime("k"));
        sync.set("p", "v");
        assertTrue(sync.expire("p", 100, ExpireArgs.Builder.lt()));
        assertTrue(sync.ttl("p") > 0);
        assertFalse(sync.expire("missing", 100, ExpireArgs.Builder.nx()));
    }

    @Test
    void expireErrors() {
        sync.set("k", "v");
        assertError("ERR NX and XX, GT or LT options at the same time are not compatible",
            () -> raw("EXPIRE", "k", "100", "NX", "XX"));
        assertError("ERR GT and LT options at the same time are not compatible",
            () -> raw("EXPIRE", "k", "100", "GT", "LT"));
        assertError("ERR Unsupported option BOGUS", () -> raw("EXPIRE", "k", "100", "BOGUS"));
        assertError("ERR value is not an integer or out of range", () -> raw("EXPIRE", "k", "1.5"));
        assertError("ERR invalid expire time in 'expire' command",
            () -> raw("EXPIRE", "k", "9223372036854775807"));
        assertError("ERR invalid expire time in 'pexpire' command",
            () -> raw("PEXPIRE", "k", "9223372036854775807"));
        assertError("ERR wrong number of arguments for 'pexpire' command", () -> raw("PEXPIRE", "k"));
        assertEquals(-1, sync.ttl("k"));
    }

    @Test
    void keysPattern() {
        Map<String, String> keys = new HashMap<>();
        for (String k : List.of("a1", "a2", "b1", "ab", "h*llo", "hello")) {
            keys.put(k, "x");
        }
        sync.mset(keys);
        assertEquals(keys.keySet(), new HashSet<>(sync.keys("*")));
        assertEquals(Set.of("a1", "a2", "ab"), new HashSet<>(sync.keys("a*")));
        assertEquals(Set.of("a1", "b1"), new HashSet<>(sync.keys("?1")));
        assertEquals(Set.of("a1", "b1"), new HashSet<>(sync.keys("[ab]1")));
        assertEquals(Set.of("a2"), new HashSet<>(sync.keys("[^b]2")));
        assertEquals(List.of("h*llo"), sync.keys("h\\*llo"));
        assertEquals(List.of(), sync.keys("zz*"));
    }

    @Test
    void scanWholeKeyspace() {
        Map<String, String> all = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            all.put("user:" + i, "v");
        }
        sync.mset(all);
        assertEquals(all.keySet(), scanAll(KeyScanArgs.Builder.limit(50)));
        Set<String> matching = all.keySet().stream().filter(k -> k.startsWith("user:1")).collect(Collectors.toSet());
        assertEquals(111, matching.size());
        assertEquals(matching, scanAll(KeyScanArgs.Builder.matches("user:1*").limit(40)));
        assertEquals(all.keySet(), scanAll(KeyScanArgs.Builder.type("string").limit(100)));
        assertEquals(Set.of(), scanAll(KeyScanArgs.Builder.type("hash").limit(100)));
        assertError("ERR syntax error", () -> raw("SCAN", "0", "COUNT", "0"));
        assertError("ERR invalid cursor", () -> raw("SCAN", "abc"));
    }

    private Set<String> scanAll(KeyScanArgs args) {
        Set<String> seen = new TreeSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        int rounds = 0;
        KeyScanCursor<String> page;
        do {
            page = sync.scan(cursor, args);
            seen.addAll(page.getKeys());
            cursor = page;
            assertTrue(++rounds <= 300, "SCAN did not finish");
        } while (!page.isFinished());
        assertEquals("0", page.getCursor());
        return seen;
    }

    @Test
    void randomkey() {
        assertNull(sync.randomkey());
        sync.mset(Map.of("a", "1", "b", "2", "c", "3"));
        for (int i = 0; i < 20; i++) {
            assertTrue(Set.of("a", "b", "c").contains(sync.randomkey()));
        }
    }

    @Test
    void renameAndRenamenx() {
        sync.set("src", "v", SetArgs.Builder.ex(100));
        assertEquals("OK", sync.rename("src", "dst"));
        assertEquals(0, sync.exists("src"));
        assertEquals("v", sync.get("dst"));
        assertTrue(sync.ttl("dst") > 0);
        assertEquals("OK", sync.rename("dst", "dst"));
        sync.set("other", "o");
        assertEquals("OK", sync.rename("other", "dst"));
        assertEquals("o", sync.get("dst"));
        assertEquals(-1, sync.ttl("dst"));
        assertError("ERR no such key", () -> sync.rename("missing", "x"));
        sync.set("a", "1");
        sync.set("b", "2");
        assertFalse(sync.renamenx("a", "b"));
        assertTrue(sync.renamenx("a", "c"));
        assertEquals("1", sync.get("c"));
        assertEquals(0, sync.exists("a"));
        assertError("ERR no such key", () -> sync.renamenx("missing", "x"));
    }

    @Test
    void copy() {
        sync.set("src", "v", SetArgs.Builder.ex(100));
        assertTrue(sync.copy("src", "dst"));
        assertEquals("v", sync.get("dst"));
        assertTrue(sync.ttl("dst") > 0);
        sync.set("src", "w");
        assertFalse(sync.copy("src", "dst"));
        assertEquals("v", sync.get("dst"));
        assertTrue(sync.copy("src", "dst", CopyArgs.Builder.replace(true)));
        assertEquals("w", sync.get("dst"));
        assertEquals(-1, sync.ttl("dst"));
        assertFalse(sync.copy("missing", "x"));
        assertTrue(sync.copy("src", "dst0", CopyArgs.Builder.destinationDb(0)));
        assertError("ERR source and destination objects are the same", () -> sync.copy("src", "src"));
        assertError("ERR DB index is out of range", () -> sync.copy("src", "x", CopyArgs.Builder.destinationDb(1)));
    }

    @Test
    void dbsizeFlushdbFlushall() {
        assertEquals(0, sync.dbsize());
        sync.mset(Map.of("a", "1", "b", "2"));
        sync.set("c", "3", SetArgs.Builder.ex(100));
        assertEquals(3, sync.dbsize());
        assertEquals("OK", sync.flushdb());
        assertEquals(0, sync.dbsize());
        sync.mset(Map.of("a", "1", "b", "2"));
        assertEquals("OK", sync.flushall(io.lettuce.core.FlushMode.SYNC));
        assertEquals(0, sync.dbsize());
        assertEquals("OK", sync.flushdb(io.lettuce.core.FlushMode.ASYNC));
        assertError("ERR syntax error", () -> raw("FLUSHDB", "BOGUS"));
    }

    // ---------------------------------------------------------------------------------------
    // Connection and server
    // ---------------------------------------------------------------------------------------

    @Test
    void pingAndEcho() {
        assertEquals("PONG", sync.ping());
        assertEquals("hello world", sync.echo("hello world"));
        assertEquals("hello", rawBulk("PING", "hello"));
        assertError("ERR wrong number of arguments for 'echo' command", () -> raw("ECHO"));
        assertError("ERR wrong number of arguments for 'ping' command", () -> raw("PING", "a", "b"));
    }

    @Test
    void select() {
        assertEquals("OK", sync.select(0));
        assertError("ERR DB index is out of range", () -> sync.select(1));
        assertError("ERR value is not an integer or out of range", () -> raw("SELECT", "abc"));
        assertEquals("PONG", sync.ping());
    }

    @Test
    void authOnPasswordProtectedServer() throws Exception {
        try (CompatServer secured = CompatServer.start("--requirepass", "s3cret")) {
            RedisClient securedClient = RedisClient.create(uri(secured).withPassword("s3cret".toCharArray()).build());
            try (StatefulRedisConnection<String, String> c = securedClient.connect()) {
                RedisCommands<String, String> commands = c.sync();
                assertEquals("PONG", commands.ping());
                assertEquals("OK", commands.set("k", "v"));
                assertEquals("v", commands.get("k"));
                assertEquals("OK", commands.auth("s3cret"));
                assertEquals("OK", commands.auth("default", "s3cret"));
                assertError("WRONGPASS invalid username-password pair or user is disabled.",
                    () -> commands.auth("wrong"));
                assertError("WRONGPASS invalid username-password pair or user is disabled.",
                    () -> commands.auth("someone", "s3cret"));
                // A failed AUTH does not undo the earlier successful one.
                assertEquals("v", commands.get("k"));
            } finally {
                securedClient.shutdown(Duration.ZERO, TIMEOUT);
            }

            RedisClient wrongClient = RedisClient.create(uri(secured).withPassword("nope".toCharArray()).build());
            try {
                RedisConnectionException e = assertThrows(RedisConnectionException.class, wrongClient::connect);
                assertTrue(causes(e).contains("WRONGPASS invalid username-password pair or user is disabled."),
                    causes(e).toString());
            } finally {
                wrongClient.shutdown(Duration.ZERO, TIMEOUT);
            }

            // A connection without credentials is refused.
            assertNoAuthWithoutCredentials(secured);
        }
        assertError("ERR AUTH <password> called without any password configured for the default user. "
            + "Are you sure your configuration is correct?", () -> sync.auth("x"));
    }

    /*
     * Without credentials Lettuce cannot connect to a password-protected server, with Redis as
     * with ringkv: ringkv refuses HELLO 3 with NOPROTO (the version is checked before
     * authentication, as in Redis), Lettuce falls back to RESP2, and its first command there is
     * refused with NOAUTH. The reference Redis would accept HELLO 3 and fail it with a NOAUTH
     * of its own wording, so it is asked for RESP2 directly to take the same path.
     */
    private static void assertNoAuthWithoutCredentials(CompatServer secured) {
        RedisClient anonymousClient = RedisClient.create(uri(secured).build());
        if (secured.isReference()) {
            anonymousClient.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
        }
        try {
            RedisConnectionException e = assertThrows(RedisConnectionException.class, anonymousClient::connect);
            assertTrue(causes(e).contains("NOAUTH Authentication required."), causes(e).toString());
        } finally {
            anonymousClient.shutdown(Duration.ZERO, TIMEOUT);
        }
    }

    private static List<String> causes(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.add(t.getMessage());
        }
        return messages;
    }

    @Test
    void clientNameAndId() {
        assertNull(sync.clientGetname());
        assertEquals("OK", sync.clientSetname("compat-client"));
        assertEquals("compat-client", sync.clientGetname());
        long id = sync.clientId();
        assertTrue(id > 0);
        RedisClient named = RedisClient.create(uri(server).withClientName("named-at-connect").build());
        try (StatefulRedisConnection<String, String> other = named.connect()) {
            assertEquals("named-at-connect", other.sync().clientGetname());
            assertNotEquals(id, other.sync().clientId());
            assertTrue(other.sync().clientId() > id);
        } finally {
            named.shutdown(Duration.ZERO, TIMEOUT);
        }
        assertError("ERR Client names cannot contain spaces, newlines or special characters.",
            () -> sync.clientSetname("has space"));
        assertEquals("compat-client", sync.clientGetname());
    }

    @Test
    void clientListAndInfo() {
        sync.clientSetname("lister");
        long id = sync.clientId();
        String info = sync.clientInfo();
        Map<String, String> fields = fields(info.trim());
        assertEquals(String.valueOf(id), fields.get("id"));
        assertEquals("lister", fields.get("name"));
        assertEquals("0", fields.get("db"));
        assertEquals("client|info", fields.get("cmd"));
        assertEquals("127.0.0.1:" + server.port(), fields.get("laddr"));
        try (StatefulRedisConnection<String, String> other = client.connect()) {
            other.sync().clientSetname("second");
            List<Map<String, String>> clients = sync.clientList().lines().map(LettuceSyncCompatTest::fields).toList();
            assertTrue(clients.size() >= 2);
            Map<String, String> me = clients.stream().filter(c -> c.get("id").equals(String.valueOf(id)))
                .findFirst().orElseThrow();
            assertEquals("lister", me.get("name"));
            assertEquals("client|list", me.get("cmd"));
            Map<String, String> second = clients.stream().filter(c -> "second".equals(c.get("name")))
                .findFirst().orElseThrow();
            assertEquals(String.valueOf(other.sync().clientId()), second.get("id"));
        }
    }

    @Test
    void clientKill() {
        try (StatefulRedisConnection<String, String> victim = client.connect();
                StatefulRedisConnection<String, String> victim2 = client.connect()) {
            // Lettuce reconnects a killed connection by itself (as a new client id).
            long victimId = victim.sync().clientId();
            assertEquals(1, sync.clientKill(KillArgs.Builder.id(victimId)));
            assertEquals(0, sync.clientKill(KillArgs.Builder.id(victimId)));
            String addr = fields(victim2.sync().clientInfo().trim()).get("addr");
            assertEquals("OK", sync.clientKill(addr));
            assertError("ERR No such client", () -> sync.clientKill(addr));
            await().atMost(TIMEOUT).until(() -> !sync.clientList().contains("id=" + victimId + " "));
            // The killed connection's socket was closed: Lettuce reconnects it as a new client.
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> victim.sync().clientId() != victimId);
        }
        assertEquals("PONG", sync.ping());
        assertError("ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.", () -> raw("CLIENT", "BOGUS"));
        assertError("ERR wrong number of arguments for 'client|setname' command", () -> raw("CLIENT", "SETNAME"));
    }

    private static Map<String, String> fields(String clientLine) {
        Map<String, String> fields = new HashMap<>();
        for (String part : clientLine.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return fields;
    }

    @Test
    void info() {
        sync.set("a", "1");
        sync.set("b", "2", SetArgs.Builder.ex(100));
        String all = sync.info();
        for (String section : List.of("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace")) {
            assertTrue(all.contains(section + "\r\n"), "INFO lacks " + section);
        }
        Map<String, String> values = infoValues(all);
        assertTrue(values.get("redis_version").startsWith("7."));
        assertEquals(String.valueOf(server.port()), values.get("tcp_port"));
        assertTrue(values.get("db0").startsWith("keys=2,expires=1,avg_ttl="), values.get("db0"));
        String serverSection = sync.info("server");
        assertTrue(serverSection.startsWith("# Server\r\n"));
        assertFalse(serverSection.contains("# Clients"));
        assertTrue(sync.info("keyspace").contains("db0:keys=2,expires=1,avg_ttl="));
        assertTrue(sync.info("stats").contains("\r\ntotal_commands_processed:"));
        assertEquals("", sync.info("nosuchsection"));
        sync.flushall();
        assertFalse(sync.info("keyspace").contains("db0:"));
    }

    private static Map<String, String> infoValues(String info) {
        Map<String, String> values = new HashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                values.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return values;
    }

    @Test
    void configGetSetResetstat() {
        assertEquals(Map.of("maxclients", "10000"), sync.configGet("maxclients"));
        assertEquals(Map.of("databases", "1"), sync.configGet("databases"));
        assertEquals(Map.of(), sync.configGet("nosuchoption"));
        assertEquals(Map.of("timeout", "0", "port", String.valueOf(server.port())), sync.configGet("timeout", "port"));
        Map<String, String> max = sync.configGet("maxmemory*");
        assertEquals("0", max.get("maxmemory"));
        assertEquals("noeviction", max.get("maxmemory-policy"));
        assertEquals("OK", sync.configSet("maxclients", "5000"));
        assertEquals(Map.of("maxclients", "5000"), sync.configGet("maxclients"));
        assertEquals("OK", sync.configSet(Map.of("maxclients", "10000", "maxmemory", "2mb")));
        assertEquals(Map.of("maxmemory", "2097152"), sync.configGet("maxmemory"));
        assertEquals("OK", sync.configSet("maxmemory", "0"));
        assertError("ERR Unknown option or number of arguments for CONFIG SET - 'nosuchoption'",
            () -> sync.configSet("nosuchoption", "1"));
        assertError("ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
            + "argument couldn't be parsed into an integer", () -> sync.configSet("maxclients", "lots"));
        assertEquals(Map.of("maxclients", "10000"), sync.configGet("maxclients"));
        for (int i = 0; i < 10; i++) {
            sync.ping();
        }
        assertEquals("OK", sync.configResetstat());
        long processed = Long.parseLong(infoValues(sync.info("stats")).get("total_commands_processed"));
        assertTrue(processed <= 2, "after CONFIG RESETSTAT: " + processed);
        assertError("ERR wrong number of arguments for 'config|get' command", () -> raw("CONFIG", "GET"));
        assertError("ERR unknown subcommand 'BOGUS'. Try CONFIG HELP.", () -> raw("CONFIG", "BOGUS"));
    }

    @Test
    void commandCountInfoDocs() {
        @SuppressWarnings("unchecked")
        List<Object> names = (List<Object>) raw("COMMAND", "LIST");
        assertEquals(names.stream().filter(n -> !String.valueOf(n).contains("|")).count(), sync.commandCount());
        for (String name : List.of("get", "set", "getex", "expiretime", "client|setname", "config|get")) {
            assertTrue(names.contains(name), "COMMAND LIST lacks " + name);
        }
        List<CommandDetail> details = CommandDetailParser.parse(sync.commandInfo("get", "mset", "nosuchcommand"));
        assertEquals(2, details.size(), "an unknown command is a null entry: " + details);
        CommandDetail get = details.get(0);
        assertEquals("get", get.getName());
        assertEquals(2, get.getArity());
        assertTrue(get.getFlags().containsAll(Set.of(CommandDetail.Flag.READONLY, CommandDetail.Flag.FAST)),
            get.getFlags().toString());
        assertEquals(1, get.getFirstKeyPosition());
        assertEquals(1, get.getLastKeyPosition());
        assertEquals(1, get.getKeyStepCount());
        assertTrue(get.getAclCategories().containsAll(Set.of(AclCategory.READ, AclCategory.STRING, AclCategory.FAST)),
            get.getAclCategories().toString());
        CommandDetail mset = details.get(1);
        assertEquals(-3, mset.getArity());
        assertEquals(1, mset.getFirstKeyPosition());
        assertEquals(-1, mset.getLastKeyPosition());
        assertEquals(2, mset.getKeyStepCount());
        assertTrue(mset.getFlags().containsAll(Set.of(CommandDetail.Flag.WRITE, CommandDetail.Flag.DENYOOM)));

        Map<Object, Object> docs = pairs(raw("COMMAND", "DOCS", "get"));
        assertEquals(Set.of("get"), docs.keySet());
        Map<Object, Object> docMap = pairs(docs.get("get"));
        assertFalse(String.valueOf(docMap.get("summary")).isEmpty());
        assertEquals("1.0.0", docMap.get("since"));
        assertEquals("string", docMap.get("group"));
        assertEquals("O(1)", docMap.get("complexity"));
    }

    @Test
    void time() {
        List<String> time = sync.time();
        assertEquals(2, time.size());
        assertTrue(Math.abs(Long.parseLong(time.get(0)) - nowMillis() / 1000) <= 5, time.toString());
        long micros = Long.parseLong(time.get(1));
        assertTrue(micros >= 0 && micros < 1_000_000, time.toString());
    }

    @Test
    void hello() {
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) raw("HELLO", "2");
        Map<Object, Object> map = new HashMap<>();
        for (int i = 0; i < reply.size(); i += 2) {
            map.put(reply.get(i), reply.get(i + 1));
        }
        assertEquals(14, reply.size());
        assertEquals("redis", map.get("server"));
        assertTrue(String.valueOf(map.get("version")).startsWith("7."));
        assertEquals(2L, map.get("proto"));
        assertEquals(sync.clientId(), map.get("id"));
        assertEquals("standalone", map.get("mode"));
        assertEquals("master", map.get("role"));
        assertEquals(List.of(), map.get("modules"));
        assertError("NOPROTO unsupported protocol version", () -> raw("HELLO", "4"));
        assertError("ERR Protocol version is not an integer or out of range", () -> raw("HELLO", "two"));
        assertEquals("PONG", sync.ping());
    }

    @Test
    void helloThreeIsRefused() {
        assumeFalse(server.isReference(), "Redis accepts HELLO 3");
        assertError("NOPROTO unsupported protocol version", () -> raw("HELLO", "3"));
        assertEquals("OK", sync.set("k", "v"));
        assertEquals("v", sync.get("k"));
    }

    // ---------------------------------------------------------------------------------------
    // Expiry, errors, concurrency
    // ---------------------------------------------------------------------------------------

    @Test
    void keyWithShortTtlDisappears() {
        sync.set("short", "v", SetArgs.Builder.px(200));
        sync.set("long", "v", SetArgs.Builder.ex(100));
        assertEquals("v", sync.get("short"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> sync.get("short") == null);
        assertEquals(0, sync.exists("short"));
        assertEquals(-2, sync.ttl("short"));
        assertEquals("v", sync.get("long"));
        assertEquals(1, sync.dbsize());
    }

    @Test
    void untouchedExpiredKeysAreRemovedActively() {
        for (int i = 0; i < 50; i++) {
            sync.set("volatile:" + i, "v", SetArgs.Builder.px(100));
        }
        sync.set("stays", "v");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> sync.dbsize() == 1);
        assertEquals(List.of("stays"), sync.keys("*"));
    }

    @Test
    void errorReplies() {
        sync.set("text", "hello");
        assertError("ERR value is not an integer or out of range", () -> sync.incr("text"));
        assertError("ERR value is not an integer or out of range", () -> sync.decrby("text", 2));
        assertError("ERR wrong number of arguments for 'get' command", () -> raw("GET"));
        assertError("ERR wrong number of arguments for 'get' command", () -> raw("GET", "a", "b"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "XX", "NX"));
        assertError("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b c' ",
            () -> raw("NOSUCHCMD", "a", "b c"));
        assertEquals("PONG", sync.ping());
        assertEquals("hello", sync.get("text"));
    }

    @Test
    void oneConnectionSharedBySixteenThreads() throws Exception {
        // A Lettuce connection is thread-safe: commands from all threads are pipelined on it.
        int threads = 16;
        int rounds = 300;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(executor.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < rounds; i++) {
                        String key = "t" + thread + ":" + i;
                        assertEquals("OK", sync.set(key, "v" + i));
                        assertEquals("v" + i, sync.get(key));
                        sync.incr("counter");
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * rounds, total);
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(String.valueOf(threads * rounds), sync.get("counter"));
        assertEquals(threads * rounds + 1, sync.dbsize());
    }

    @Test
    void fiftyConnectionsUsedFromSixteenThreads() throws Exception {
        int threads = 16;
        int rounds = 300;
        List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            for (int i = 0; i < 50; i++) {
                connections.add(client.connect());
            }
            assertTrue(connectedClients() >= 51);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(executor.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < rounds; i++) {
                        RedisCommands<String, String> c = connections.get((thread * rounds + i) % 50).sync();
                        String key = "c" + thread + ":" + i;
                        assertEquals("OK", c.set(key, "v" + i));
                        assertEquals("v" + i, c.get(key));
                        assertEquals(1, c.incr(key + ":own"));
                        c.incr("counter");
                        checked++;
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * rounds, total);
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
            connections.forEach(StatefulRedisConnection::close);
        }
        assertEquals(String.valueOf(threads * rounds), sync.get("counter"));
        assertEquals(threads * rounds * 2 + 1, sync.dbsize());
        await().atMost(TIMEOUT).until(() -> connectedClients() == 1);
    }
}
