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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
 * Issue 2's commands through Lettuce's asynchronous API (futures, each awaited a bounded time) against a real ringkv process, with
 * Lettuce's default {@link io.lettuce.core.ClientOptions}: Lettuce opens every connection with HELLO 3, ringkv
 * answers NOPROTO, and Lettuce must fall back to RESP2 on its own. Every reply is checked for
 * its exact value, every error for Redis 7's text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LettuceAsyncCompatTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static CompatServer server;
    private static RedisClient client;

    private StatefulRedisConnection<String, String> connection;
    private RedisAsyncCommands<String, String> async;

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
        async = connection.async();
        assertEquals("OK", a(async.flushall()));
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

    /**
     * Waits a bounded time for a future; a command error is rethrown as Lettuce's own exception
     * (as the synchronous API would throw it) so that {@link #assertError} reads the same.
     */
    private static <T> T a(RedisFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no reply within " + TIMEOUT, e);
        }
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
        return a(async.dispatch(keyword(name), new ObjectOutput<>(StringCodec.UTF8), commandArgs));
    }

    /** {@link #raw} for a command that answers a bulk string. */
    private String rawBulk(String name, String... args) {
        CommandArgs<String, String> commandArgs = new CommandArgs<>(StringCodec.UTF8);
        for (String arg : args) {
            commandArgs.add(arg);
        }
        return a(async.dispatch(keyword(name), new ValueOutput<>(StringCodec.UTF8), commandArgs));
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
            RedisAsyncCommands<String, String> commands = fresh.async();
            assertEquals("PONG", a(commands.ping()));
            assertEquals("OK", a(commands.set("k", "v")));
            assertEquals("v", a(commands.get("k")));
            // The server's own view of the connection: RESP2 after the refused HELLO 3.
            assertEquals("2", fields(a(commands.clientInfo()).trim()).get("resp"));
        }
    }

    @Test
    void lettuceIdentifiesItselfWithClientSetinfo() {
        assumeFalse(server.isReference(), "CLIENT SETINFO is Redis 7.2's");
        Map<String, String> fields = fields(a(async.clientInfo()).trim());
        assertEquals("Lettuce", fields.get("lib-name"));
        assertTrue(fields.get("lib-ver").startsWith("7.7.0"), fields.toString());
        assertEquals("OK", a(async.clientSetinfo("lib-name", "mylib")));
        assertEquals("OK", a(async.clientSetinfo("LIB-VER", "1.0")));
        fields = fields(a(async.clientInfo()).trim());
        assertEquals("mylib", fields.get("lib-name"));
        assertEquals("1.0", fields.get("lib-ver"));
        assertError("ERR Unrecognized option 'bogus'", () -> a(async.clientSetinfo("bogus", "x")));
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
                ids.add(a(c.async().clientId()));
            }
            assertEquals(20, ids.size());
        } finally {
            connections.forEach(StatefulRedisConnection::close);
        }
        await().atMost(TIMEOUT).until(() -> connectedClients() == 1);
    }

    private long connectedClients() {
        return Long.parseLong(infoValues(a(async.info("clients"))).get("connected_clients"));
    }

    // ---------------------------------------------------------------------------------------
    // Strings
    // ---------------------------------------------------------------------------------------

    @Test
    void setAndGet() {
        assertNull(a(async.get("missing")));
        assertEquals("OK", a(async.set("k", "v")));
        assertEquals("v", a(async.get("k")));
        assertEquals("OK", a(async.set("k", "v2")));
        assertEquals("v2", a(async.get("k")));
        assertEquals("OK", a(async.set("empty", "")));
        assertEquals("", a(async.get("empty")));
        assertEquals(0, a(async.strlen("empty")));
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
            RedisAsyncCommands<byte[], byte[]> commands = binary.async();
            assertEquals("OK", a(commands.set(key, all)));
            assertArrayEquals(all, a(commands.get(key)));
            assertEquals(256, a(commands.strlen(key)));
            assertEquals("OK", a(commands.set("big".getBytes(StandardCharsets.UTF_8), big)));
            assertArrayEquals(big, a(commands.get("big".getBytes(StandardCharsets.UTF_8))));
        }
        a(async.set("utf8", "héllo wörld ✓"));
        assertEquals("héllo wörld ✓", a(async.get("utf8")));
    }

    @Test
    void setWithRelativeExpiry() {
        assertEquals("OK", a(async.set("ex", "v", SetArgs.Builder.ex(100))));
        assertTtl(a(async.ttl("ex")), 99, 100);
        assertEquals("OK", a(async.set("px", "v", SetArgs.Builder.px(100_000))));
        assertTtl(a(async.pttl("px")), 98_001, 100_000);
        assertEquals("OK", a(async.set("d", "v", SetArgs.Builder.ex(Duration.ofMinutes(2)))));
        assertTtl(a(async.ttl("d")), 119, 120);
    }

    @Test
    void setWithAbsoluteExpiry() {
        long atSeconds = nowMillis() / 1000 + 100;
        assertEquals("OK", a(async.set("exat", "v", SetArgs.Builder.exAt(atSeconds))));
        assertEquals(atSeconds, a(async.expiretime("exat")));
        assertTtl(a(async.ttl("exat")), 98, 100);

        long atMillis = nowMillis() + 100_000;
        assertEquals("OK", a(async.set("pxat", "v", SetArgs.Builder.pxAt(atMillis))));
        assertEquals(atMillis, a(async.pexpiretime("pxat")));
        // EXPIRETIME rounds milliseconds to the nearest second.
        assertEquals((atMillis + 500) / 1000, a(async.expiretime("pxat")));
        assertTtl(a(async.pttl("pxat")), 98_001, 100_000);
    }

    @Test
    void setExpiryInThePastDeletesTheKey() {
        a(async.set("k", "v"));
        assertEquals("OK", a(async.set("k", "v", SetArgs.Builder.pxAt(nowMillis() - 10_000))));
        assertNull(a(async.get("k")));
        assertEquals(0, a(async.exists("k")));
    }

    @Test
    void setNxAndXx() {
        assertNull(a(async.set("k", "v", SetArgs.Builder.xx())));
        assertEquals(0, a(async.exists("k")));
        assertEquals("OK", a(async.set("k", "v1", SetArgs.Builder.nx())));
        assertNull(a(async.set("k", "v2", SetArgs.Builder.nx())));
        assertEquals("v1", a(async.get("k")));
        assertEquals("OK", a(async.set("k", "v3", SetArgs.Builder.xx().ex(50))));
        assertEquals("v3", a(async.get("k")));
        assertTtl(a(async.ttl("k")), 49, 50);
    }

    @Test
    void setKeepTtl() {
        a(async.set("k", "v1", SetArgs.Builder.ex(100)));
        assertEquals("OK", a(async.set("k", "v2", SetArgs.Builder.keepttl())));
        assertEquals("v2", a(async.get("k")));
        assertTtl(a(async.ttl("k")), 99, 100);
        assertEquals("OK", a(async.set("k", "v3")));
        assertEquals(-1, a(async.ttl("k")));
        assertEquals("OK", a(async.set("fresh", "v", SetArgs.Builder.keepttl())));
        assertEquals(-1, a(async.ttl("fresh")));
    }

    @Test
    void setGetOption() {
        assertNull(a(async.setGet("k", "v1")));
        assertEquals("v1", a(async.get("k")));
        assertEquals("v1", a(async.setGet("k", "v2")));
        assertEquals("v2", a(async.setGet("k", "v3", SetArgs.Builder.ex(100))));
        assertEquals("v3", a(async.get("k")));
        assertTtl(a(async.ttl("k")), 99, 100);
        assertEquals("v3", a(async.setGet("k", "v4", SetArgs.Builder.nx())));
        assertEquals("v3", a(async.get("k")));
        assertNull(a(async.setGet("other", "x", SetArgs.Builder.xx())));
        assertEquals(0, a(async.exists("other")));
    }

    @Test
    void setErrors() {
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "NX", "XX"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX", "10", "PX", "100"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX", "10", "KEEPTTL"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "EX"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "BOGUS"));
        assertError("ERR value is not an integer or out of range", () -> raw("SET", "k", "v", "EX", "ten"));
        assertError("ERR invalid expire time in 'set' command", () -> a(async.set("k", "v", SetArgs.Builder.ex(0))));
        assertError("ERR invalid expire time in 'set' command", () -> raw("SET", "k", "v", "PX", "-5"));
        assertError("ERR invalid expire time in 'set' command",
            () -> raw("SET", "k", "v", "EX", "9223372036854775807"));
        assertError("ERR wrong number of arguments for 'set' command", () -> raw("SET", "k"));
        assertEquals(0, a(async.exists("k")));
    }

    @Test
    void setnxSetexPsetex() {
        assertTrue(a(async.setnx("k", "v1")));
        assertFalse(a(async.setnx("k", "v2")));
        assertEquals("v1", a(async.get("k")));
        assertEquals("OK", a(async.setex("ex", 100, "v")));
        assertEquals("v", a(async.get("ex")));
        assertTtl(a(async.ttl("ex")), 99, 100);
        assertEquals("OK", a(async.psetex("px", 100_000, "v")));
        assertTtl(a(async.pttl("px")), 98_001, 100_000);
        assertError("ERR invalid expire time in 'setex' command", () -> a(async.setex("bad", 0, "v")));
        assertError("ERR invalid expire time in 'psetex' command", () -> a(async.psetex("bad", -1, "v")));
        assertError("ERR value is not an integer or out of range", () -> raw("SETEX", "bad", "x", "v"));
        assertEquals(0, a(async.exists("bad")));
    }

    @Test
    void getsetAndGetdel() {
        assertNull(a(async.getset("k", "v1")));
        assertEquals("v1", a(async.getset("k", "v2")));
        assertEquals("v2", a(async.get("k")));
        a(async.expire("k", 100));
        assertEquals("v2", a(async.getset("k", "v3")));
        assertEquals(-1, a(async.ttl("k")));
        assertEquals("v3", a(async.getdel("k")));
        assertEquals(0, a(async.exists("k")));
        assertNull(a(async.getdel("k")));
    }

    @Test
    void getex() {
        assertNull(a(async.getex("missing", GetExArgs.Builder.ex(10))));
        a(async.set("k", "v"));
        assertEquals("v", a(async.getex("k", GetExArgs.Builder.ex(100))));
        assertTtl(a(async.ttl("k")), 99, 100);
        assertEquals("v", a(async.getex("k", GetExArgs.Builder.px(50_000))));
        assertTtl(a(async.pttl("k")), 48_001, 50_000);
        long atSeconds = nowMillis() / 1000 + 200;
        assertEquals("v", a(async.getex("k", GetExArgs.Builder.exAt(atSeconds))));
        assertEquals(atSeconds, a(async.expiretime("k")));
        long atMillis = nowMillis() + 300_000;
        assertEquals("v", a(async.getex("k", GetExArgs.Builder.pxAt(atMillis))));
        assertEquals(atMillis, a(async.pexpiretime("k")));
        assertEquals("v", a(async.getex("k", GetExArgs.Builder.persist())));
        assertEquals(-1, a(async.ttl("k")));
        assertEquals("v", rawBulk("GETEX", "k"));
        assertEquals(-1, a(async.ttl("k")));
        assertError("ERR syntax error", () -> raw("GETEX", "k", "EX", "10", "PERSIST"));
        assertError("ERR invalid expire time in 'getex' command", () -> a(async.getex("k", GetExArgs.Builder.ex(0))));
        assertEquals("v", a(async.getex("k", GetExArgs.Builder.pxAt(nowMillis() - 1000))));
        assertEquals(0, a(async.exists("k")));
    }

    @Test
    void msetMgetMsetnx() {
        Map<String, String> abc = new LinkedHashMap<>();
        abc.put("a", "1");
        abc.put("b", "2");
        abc.put("c", "3");
        assertEquals("OK", a(async.mset(abc)));
        List<KeyValue<String, String>> values = a(async.mget("a", "missing", "c", "a"));
        assertEquals(Arrays.asList("1", null, "3", "1"),
            values.stream().map(kv -> kv.getValueOrElse(null)).toList());
        assertEquals(List.of("a", "missing", "c", "a"), values.stream().map(KeyValue::getKey).toList());
        assertFalse(a(async.msetnx(Map.of("a", "9", "new", "9"))));
        assertEquals("1", a(async.get("a")));
        assertEquals(0, a(async.exists("new")));
        assertTrue(a(async.msetnx(Map.of("n1", "x", "n2", "y"))));
        assertEquals("x", a(async.get("n1")));
        assertEquals("y", a(async.get("n2")));
        assertError("ERR wrong number of arguments for 'mset' command", () -> raw("MSET", "a", "1", "b"));
        assertError("ERR wrong number of arguments for 'msetnx' command", () -> raw("MSETNX", "a"));
        assertError("ERR wrong number of arguments for 'mget' command", () -> raw("MGET"));
    }

    @Test
    void appendAndStrlen() {
        assertEquals(0, a(async.strlen("k")));
        assertEquals(5, a(async.append("k", "Hello")));
        assertEquals(11, a(async.append("k", " World")));
        assertEquals("Hello World", a(async.get("k")));
        assertEquals(11, a(async.strlen("k")));
        a(async.expire("k", 100));
        assertEquals(12, a(async.append("k", "!")));
        assertTrue(a(async.ttl("k")) > 0);
        a(async.set("n", "10"));
        assertEquals(3, a(async.append("n", "5")));
        assertEquals(106, a(async.incr("n")));
    }

    @Test
    void getrange() {
        a(async.set("k", "This is a string"));
        assertEquals("This", a(async.getrange("k", 0, 3)));
        assertEquals("ing", a(async.getrange("k", -3, -1)));
        assertEquals("This is a string", a(async.getrange("k", 0, -1)));
        assertEquals("string", a(async.getrange("k", 10, 100)));
        assertEquals("", a(async.getrange("k", 5, 3)));
        assertEquals("", a(async.getrange("k", 100, 200)));
        assertEquals("This is a string", a(async.getrange("k", -100, 100)));
        assertEquals("", a(async.getrange("missing", 0, -1)));
        assertError("ERR value is not an integer or out of range", () -> raw("GETRANGE", "k", "a", "1"));
    }

    @Test
    void setrange() {
        a(async.set("k", "Hello World"));
        assertEquals(11, a(async.setrange("k", 6, "Redis")));
        assertEquals("Hello Redis", a(async.get("k")));
        assertEquals(6, a(async.setrange("pad", 5, "x")));
        assertEquals("\0\0\0\0\0x", a(async.get("pad")));
        assertEquals(0, a(async.setrange("none", 10, "")));
        assertEquals(0, a(async.exists("none")));
        a(async.expire("k", 100));
        a(async.setrange("k", 0, "J"));
        assertEquals("Jello Redis", a(async.get("k")));
        assertTrue(a(async.ttl("k")) > 0);
        assertError("ERR offset is out of range", () -> a(async.setrange("k", -1, "x")));
        assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            () -> a(async.setrange("huge", 536_870_912L, "x")));
        assertEquals(0, a(async.exists("huge")));
    }

    @Test
    void incrAndDecr() {
        assertEquals(1, a(async.incr("n")));
        assertEquals(2, a(async.incr("n")));
        assertEquals(1, a(async.decr("n")));
        assertEquals(11, a(async.incrby("n", 10)));
        assertEquals(-9, a(async.decrby("n", 20)));
        assertEquals("-9", a(async.get("n")));
        assertEquals(-1, a(async.decr("fresh")));
        assertEquals(-5, a(async.incrby("fresh2", -5)));
        assertEquals(5, a(async.decrby("fresh3", -5)));
        a(async.set("ttl", "5", SetArgs.Builder.ex(100)));
        assertEquals(6, a(async.incr("ttl")));
        assertTrue(a(async.ttl("ttl")) > 0);
        a(async.set("big", "9223372036854775806"));
        assertEquals(Long.MAX_VALUE, a(async.incr("big")));
        assertError("ERR increment or decrement would overflow", () -> a(async.incr("big")));
        assertEquals(String.valueOf(Long.MAX_VALUE), a(async.get("big")));
        a(async.set("small", String.valueOf(Long.MIN_VALUE)));
        assertError("ERR increment or decrement would overflow", () -> a(async.decr("small")));
        assertError("ERR decrement would overflow", () -> a(async.decrby("zero", Long.MIN_VALUE)));
    }

    @Test
    void incrOnNonIntegers() {
        for (String bad : List.of("abc", "1.5", " 1", "1 ", "01", "", "9223372036854775808", "+1")) {
            a(async.set("k", bad));
            assertError("ERR value is not an integer or out of range", () -> a(async.incr("k")));
            assertEquals(bad, a(async.get("k")));
        }
        a(async.set("k", "10"));
        assertError("ERR value is not an integer or out of range", () -> raw("INCRBY", "k", "1.5"));
        assertEquals("10", a(async.get("k")));
    }

    @Test
    void incrbyfloat() {
        a(async.set("f", "10.50"));
        assertEquals(10.6, a(async.incrbyfloat("f", 0.1)), 1e-12);
        assertEquals("10.6", a(async.get("f")));
        a(async.set("e", "5.0e3"));
        assertEquals(5200, a(async.incrbyfloat("e", 2.0e2)), 1e-12);
        assertEquals("5200", a(async.get("e")));
        assertEquals(3.5, a(async.incrbyfloat("fresh", 3.5)), 1e-12);
        assertEquals("3.5", a(async.get("fresh")));
        assertEquals("-1.25", rawBulk("INCRBYFLOAT", "neg", "-1.25"));
        a(async.set("s", "abc"));
        assertError("ERR value is not a valid float", () -> a(async.incrbyfloat("s", 1)));
        assertError("ERR value is not a valid float", () -> raw("INCRBYFLOAT", "f", "x"));
        assertError("ERR increment would produce NaN or Infinity", () -> raw("INCRBYFLOAT", "f", "inf"));
        assertEquals("10.6", a(async.get("f")));
    }

    // ---------------------------------------------------------------------------------------
    // Keys
    // ---------------------------------------------------------------------------------------

    @Test
    void delUnlinkExistsTouch() {
        a(async.mset(Map.of("a", "1", "b", "2", "c", "3")));
        assertEquals(3, a(async.exists("a", "b", "c")));
        assertEquals(2, a(async.exists("a", "a")));
        assertEquals(0, a(async.exists("x", "y")));
        assertEquals(2, a(async.touch("a", "b", "missing")));
        assertEquals(2, a(async.del("a", "b", "missing")));
        assertEquals(0, a(async.del("a")));
        assertEquals(1, a(async.unlink("c", "c")));
        assertEquals(0, a(async.dbsize()));
        assertError("ERR wrong number of arguments for 'del' command", () -> raw("DEL"));
        assertError("ERR wrong number of arguments for 'unlink' command", () -> raw("UNLINK"));
    }

    @Test
    void type() {
        a(async.set("k", "v"));
        assertEquals("string", a(async.type("k")));
        assertEquals("none", a(async.type("missing")));
    }

    @Test
    void expireTtlPersist() {
        assertEquals(-2, a(async.ttl("k")));
        assertEquals(-2, a(async.pttl("k")));
        assertFalse(a(async.expire("k", 100)));
        a(async.set("k", "v"));
        assertEquals(-1, a(async.ttl("k")));
        assertEquals(-1, a(async.pttl("k")));
        assertTrue(a(async.expire("k", 100)));
        assertTtl(a(async.ttl("k")), 99, 100);
        assertTrue(a(async.pexpire("k", 50_000)));
        assertTtl(a(async.pttl("k")), 48_001, 50_000);
        assertTrue(a(async.expire("k", Duration.ofSeconds(70))));
        assertTtl(a(async.ttl("k")), 69, 70);
        assertTrue(a(async.persist("k")));
        assertFalse(a(async.persist("k")));
        assertFalse(a(async.persist("missing")));
        assertEquals(-1, a(async.ttl("k")));
        assertTrue(a(async.expire("k", -1)));
        assertEquals(0, a(async.exists("k")));
        a(async.set("k", "v"));
        assertTrue(a(async.pexpire("k", 0)));
        assertEquals(0, a(async.exists("k")));
    }

    @Test
    void expireatAndExpiretime() {
        assertEquals(-2, a(async.expiretime("k")));
        assertEquals(-2, a(async.pexpiretime("k")));
        a(async.set("k", "v"));
        assertEquals(-1, a(async.expiretime("k")));
        assertEquals(-1, a(async.pexpiretime("k")));
        long atSeconds = nowMillis() / 1000 + 1000;
        assertTrue(a(async.expireat("k", atSeconds)));
        assertEquals(atSeconds, a(async.expiretime("k")));
        assertEquals(atSeconds * 1000, a(async.pexpiretime("k")));
        assertTtl(a(async.ttl("k")), 998, 1000);
        long atMillis = nowMillis() + 500_123;
        assertTrue(a(async.pexpireat("k", atMillis)));
        assertEquals(atMillis, a(async.pexpiretime("k")));
        assertEquals((atMillis + 500) / 1000, a(async.expiretime("k")));
        assertFalse(a(async.expireat("missing", atSeconds)));
        assertFalse(a(async.pexpireat("missing", atMillis)));
        assertTrue(a(async.expireat("k", nowMillis() / 1000 - 10)));
        assertEquals(0, a(async.exists("k")));
    }

    @Test
    void expireOptions() {
        a(async.set("k", "v"));
        assertFalse(a(async.expire("k", 100, ExpireArgs.Builder.xx())));
        assertFalse(a(async.expire("k", 100, ExpireArgs.Builder.gt())));
        assertEquals(-1, a(async.ttl("k")));
        assertTrue(a(async.expire("k", 100, ExpireArgs.Builder.nx())));
        assertFalse(a(async.expire("k", 200, ExpireArgs.Builder.nx())));
        assertTrue(a(async.expire("k", 200, ExpireArgs.Builder.xx())));
        assertTrue(a(async.ttl("k")) > 150);
        assertFalse(a(async.expire("k", 100, ExpireArgs.Builder.gt())));
        assertTrue(a(async.expire("k", 300, ExpireArgs.Builder.gt())));
        assertTrue(a(async.ttl("k")) > 250);
        assertFalse(a(async.expire("k", 400, ExpireArgs.Builder.lt())));
        assertTrue(a(async.expire("k", 50, ExpireArgs.Builder.lt())));
        assertTtl(a(async.ttl("k")), 49, 50);
        assertTrue(a(async.pexpire("k", 60_000, ExpireArgs.Builder.gt())));
        assertFalse(a(async.pexpire("k", 70_000, ExpireArgs.Builder.nx())));
        long at = nowMillis() / 1000 + 1000;
        assertTrue(a(async.expireat("k", at, ExpireArgs.Builder.xx())));
        assertEquals(at, a(async.expiretime("k")));
        assertFalse(a(async.pexpireat("k", at * 1000 - 5000, ExpireArgs.Builder.gt())));
        assertTrue(a(async.pexpireat("k", at * 1000 - 5000, ExpireArgs.Builder.lt())));
        assertEquals(at * 1000 - 5000, a(async.pexpiretime("k")));
        a(async.set("p", "v"));
        assertTrue(a(async.expire("p", 100, ExpireArgs.Builder.lt())));
        assertTrue(a(async.ttl("p")) > 0);
        assertFalse(a(async.expire("missing", 100, ExpireArgs.Builder.nx())));
    }

    @Test
    void expireErrors() {
        a(async.set("k", "v"));
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
        assertEquals(-1, a(async.ttl("k")));
    }

    @Test
    void keysPattern() {
        Map<String, String> keys = new HashMap<>();
        for (String k : List.of("a1", "a2", "b1", "ab", "h*llo", "hello")) {
            keys.put(k, "x");
        }
        a(async.mset(keys));
        assertEquals(keys.keySet(), new HashSet<>(a(async.keys("*"))));
        assertEquals(Set.of("a1", "a2", "ab"), new HashSet<>(a(async.keys("a*"))));
        assertEquals(Set.of("a1", "b1"), new HashSet<>(a(async.keys("?1"))));
        assertEquals(Set.of("a1", "b1"), new HashSet<>(a(async.keys("[ab]1"))));
        assertEquals(Set.of("a2"), new HashSet<>(a(async.keys("[^b]2"))));
        assertEquals(List.of("h*llo"), a(async.keys("h\\*llo")));
        assertEquals(List.of(), a(async.keys("zz*")));
    }

    @Test
    void scanWholeKeyspace() {
        Map<String, String> all = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            all.put("user:" + i, "v");
        }
        a(async.mset(all));
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
            page = a(async.scan(cursor, args));
            seen.addAll(page.getKeys());
            cursor = page;
            assertTrue(++rounds <= 300, "SCAN did not finish");
        } while (!page.isFinished());
        assertEquals("0", page.getCursor());
        return seen;
    }

    @Test
    void randomkey() {
        assertNull(a(async.randomkey()));
        a(async.mset(Map.of("a", "1", "b", "2", "c", "3")));
        for (int i = 0; i < 20; i++) {
            assertTrue(Set.of("a", "b", "c").contains(a(async.randomkey())));
        }
    }

    @Test
    void renameAndRenamenx() {
        a(async.set("src", "v", SetArgs.Builder.ex(100)));
        assertEquals("OK", a(async.rename("src", "dst")));
        assertEquals(0, a(async.exists("src")));
        assertEquals("v", a(async.get("dst")));
        assertTrue(a(async.ttl("dst")) > 0);
        assertEquals("OK", a(async.rename("dst", "dst")));
        a(async.set("other", "o"));
        assertEquals("OK", a(async.rename("other", "dst")));
        assertEquals("o", a(async.get("dst")));
        assertEquals(-1, a(async.ttl("dst")));
        assertError("ERR no such key", () -> a(async.rename("missing", "x")));
        a(async.set("a", "1"));
        a(async.set("b", "2"));
        assertFalse(a(async.renamenx("a", "b")));
        assertTrue(a(async.renamenx("a", "c")));
        assertEquals("1", a(async.get("c")));
        assertEquals(0, a(async.exists("a")));
        assertError("ERR no such key", () -> a(async.renamenx("missing", "x")));
    }

    @Test
    void copy() {
        a(async.set("src", "v", SetArgs.Builder.ex(100)));
        assertTrue(a(async.copy("src", "dst")));
        assertEquals("v", a(async.get("dst")));
        assertTrue(a(async.ttl("dst")) > 0);
        a(async.set("src", "w"));
        assertFalse(a(async.copy("src", "dst")));
        assertEquals("v", a(async.get("dst")));
        assertTrue(a(async.copy("src", "dst", CopyArgs.Builder.replace(true))));
        assertEquals("w", a(async.get("dst")));
        assertEquals(-1, a(async.ttl("dst")));
        assertFalse(a(async.copy("missing", "x")));
        assertTrue(a(async.copy("src", "dst0", CopyArgs.Builder.destinationDb(0))));
        assertError("ERR source and destination objects are the same", () -> a(async.copy("src", "src")));
        assertError("ERR DB index is out of range", () -> a(async.copy("src", "x", CopyArgs.Builder.destinationDb(1))));
    }

    @Test
    void dbsizeFlushdbFlushall() {
        assertEquals(0, a(async.dbsize()));
        a(async.mset(Map.of("a", "1", "b", "2")));
        a(async.set("c", "3", SetArgs.Builder.ex(100)));
        assertEquals(3, a(async.dbsize()));
        assertEquals("OK", a(async.flushdb()));
        assertEquals(0, a(async.dbsize()));
        a(async.mset(Map.of("a", "1", "b", "2")));
        assertEquals("OK", a(async.flushall(io.lettuce.core.FlushMode.SYNC)));
        assertEquals(0, a(async.dbsize()));
        assertEquals("OK", a(async.flushdb(io.lettuce.core.FlushMode.ASYNC)));
        assertError("ERR syntax error", () -> raw("FLUSHDB", "BOGUS"));
    }

    // ---------------------------------------------------------------------------------------
    // Connection and server
    // ---------------------------------------------------------------------------------------

    @Test
    void pingAndEcho() {
        assertEquals("PONG", a(async.ping()));
        assertEquals("hello world", a(async.echo("hello world")));
        assertEquals("hello", rawBulk("PING", "hello"));
        assertError("ERR wrong number of arguments for 'echo' command", () -> raw("ECHO"));
        assertError("ERR wrong number of arguments for 'ping' command", () -> raw("PING", "a", "b"));
    }

    @Test
    void select() {
        assertEquals("OK", a(async.select(0)));
        assertError("ERR DB index is out of range", () -> a(async.select(1)));
        assertError("ERR value is not an integer or out of range", () -> raw("SELECT", "abc"));
        assertEquals("PONG", a(async.ping()));
    }

    @Test
    void authOnPasswordProtectedServer() throws Exception {
        try (CompatServer secured = CompatServer.start("--requirepass", "s3cret")) {
            RedisClient securedClient = RedisClient.create(uri(secured).withPassword("s3cret".toCharArray()).build());
            try (StatefulRedisConnection<String, String> c = securedClient.connect()) {
                RedisAsyncCommands<String, String> commands = c.async();
                assertEquals("PONG", a(commands.ping()));
                assertEquals("OK", a(commands.set("k", "v")));
                assertEquals("v", a(commands.get("k")));
                assertEquals("OK", a(commands.auth("s3cret")));
                assertEquals("OK", a(commands.auth("default", "s3cret")));
                assertError("WRONGPASS invalid username-password pair or user is disabled.",
                    () -> a(commands.auth("wrong")));
                assertError("WRONGPASS invalid username-password pair or user is disabled.",
                    () -> a(commands.auth("someone", "s3cret")));
                // A failed AUTH does not undo the earlier successful one.
                assertEquals("v", a(commands.get("k")));
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
            + "Are you sure your configuration is correct?", () -> a(async.auth("x")));
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
        assertNull(a(async.clientGetname()));
        assertEquals("OK", a(async.clientSetname("compat-client")));
        assertEquals("compat-client", a(async.clientGetname()));
        long id = a(async.clientId());
        assertTrue(id > 0);
        RedisClient named = RedisClient.create(uri(server).withClientName("named-at-connect").build());
        try (StatefulRedisConnection<String, String> other = named.connect()) {
            assertEquals("named-at-connect", a(other.async().clientGetname()));
            assertNotEquals(id, a(other.async().clientId()));
            assertTrue(a(other.async().clientId()) > id);
        } finally {
            named.shutdown(Duration.ZERO, TIMEOUT);
        }
        assertError("ERR Client names cannot contain spaces, newlines or special characters.",
            () -> a(async.clientSetname("has space")));
        assertEquals("compat-client", a(async.clientGetname()));
    }

    @Test
    void clientListAndInfo() {
        a(async.clientSetname("lister"));
        long id = a(async.clientId());
        String info = a(async.clientInfo());
        Map<String, String> fields = fields(info.trim());
        assertEquals(String.valueOf(id), fields.get("id"));
        assertEquals("lister", fields.get("name"));
        assertEquals("0", fields.get("db"));
        assertEquals("client|info", fields.get("cmd"));
        assertEquals("127.0.0.1:" + server.port(), fields.get("laddr"));
        try (StatefulRedisConnection<String, String> other = client.connect()) {
            a(other.async().clientSetname("second"));
            List<Map<String, String>> clients = a(async.clientList()).lines().map(LettuceAsyncCompatTest::fields).toList();
            assertTrue(clients.size() >= 2);
            Map<String, String> me = clients.stream().filter(c -> c.get("id").equals(String.valueOf(id)))
                .findFirst().orElseThrow();
            assertEquals("lister", me.get("name"));
            assertEquals("client|list", me.get("cmd"));
            Map<String, String> second = clients.stream().filter(c -> "second".equals(c.get("name")))
                .findFirst().orElseThrow();
            assertEquals(String.valueOf(a(other.async().clientId())), second.get("id"));
        }
    }

    @Test
    void clientKill() {
        try (StatefulRedisConnection<String, String> victim = client.connect();
                StatefulRedisConnection<String, String> victim2 = client.connect()) {
            // Lettuce reconnects a killed connection by itself (as a new client id).
            long victimId = a(victim.async().clientId());
            assertEquals(1, a(async.clientKill(KillArgs.Builder.id(victimId))));
            assertEquals(0, a(async.clientKill(KillArgs.Builder.id(victimId))));
            String addr = fields(a(victim2.async().clientInfo()).trim()).get("addr");
            assertEquals("OK", a(async.clientKill(addr)));
            assertError("ERR No such client", () -> a(async.clientKill(addr)));
            await().atMost(TIMEOUT).until(() -> !a(async.clientList()).contains("id=" + victimId + " "));
            // The killed connection's socket was closed: Lettuce reconnects it as a new client.
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> a(victim.async().clientId()) != victimId);
        }
        assertEquals("PONG", a(async.ping()));
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
        a(async.set("a", "1"));
        a(async.set("b", "2", SetArgs.Builder.ex(100)));
        String all = a(async.info());
        for (String section : List.of("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace")) {
            assertTrue(all.contains(section + "\r\n"), "INFO lacks " + section);
        }
        Map<String, String> values = infoValues(all);
        assertTrue(values.get("redis_version").startsWith("7."));
        assertEquals(String.valueOf(server.port()), values.get("tcp_port"));
        assertTrue(values.get("db0").startsWith("keys=2,expires=1,avg_ttl="), values.get("db0"));
        String serverSection = a(async.info("server"));
        assertTrue(serverSection.startsWith("# Server\r\n"));
        assertFalse(serverSection.contains("# Clients"));
        assertTrue(a(async.info("keyspace")).contains("db0:keys=2,expires=1,avg_ttl="));
        assertTrue(a(async.info("stats")).contains("\r\ntotal_commands_processed:"));
        assertEquals("", a(async.info("nosuchsection")));
        a(async.flushall());
        assertFalse(a(async.info("keyspace")).contains("db0:"));
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
        assertEquals(Map.of("maxclients", "10000"), a(async.configGet("maxclients")));
        assertEquals(Map.of("databases", "1"), a(async.configGet("databases")));
        assertEquals(Map.of(), a(async.configGet("nosuchoption")));
        assertEquals(Map.of("timeout", "0", "port", String.valueOf(server.port())), a(async.configGet("timeout", "port")));
        Map<String, String> max = a(async.configGet("maxmemory*"));
        assertEquals("0", max.get("maxmemory"));
        assertEquals("noeviction", max.get("maxmemory-policy"));
        assertEquals("OK", a(async.configSet("maxclients", "5000")));
        assertEquals(Map.of("maxclients", "5000"), a(async.configGet("maxclients")));
        assertEquals("OK", a(async.configSet(Map.of("maxclients", "10000", "maxmemory", "2mb"))));
        assertEquals(Map.of("maxmemory", "2097152"), a(async.configGet("maxmemory")));
        assertEquals("OK", a(async.configSet("maxmemory", "0")));
        assertError("ERR Unknown option or number of arguments for CONFIG SET - 'nosuchoption'",
            () -> a(async.configSet("nosuchoption", "1")));
        assertError("ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
            + "argument couldn't be parsed into an integer", () -> a(async.configSet("maxclients", "lots")));
        assertEquals(Map.of("maxclients", "10000"), a(async.configGet("maxclients")));
        for (int i = 0; i < 10; i++) {
            a(async.ping());
        }
        assertEquals("OK", a(async.configResetstat()));
        long processed = Long.parseLong(infoValues(a(async.info("stats"))).get("total_commands_processed"));
        assertTrue(processed <= 2, "after CONFIG RESETSTAT: " + processed);
        assertError("ERR wrong number of arguments for 'config|get' command", () -> raw("CONFIG", "GET"));
        assertError("ERR unknown subcommand 'BOGUS'. Try CONFIG HELP.", () -> raw("CONFIG", "BOGUS"));
    }

    @Test
    void commandCountInfoDocs() {
        @SuppressWarnings("unchecked")
        List<Object> names = (List<Object>) raw("COMMAND", "LIST");
        assertEquals(names.stream().filter(n -> !String.valueOf(n).contains("|")).count(), a(async.commandCount()));
        for (String name : List.of("get", "set", "getex", "expiretime", "client|setname", "config|get")) {
            assertTrue(names.contains(name), "COMMAND LIST lacks " + name);
        }
        List<CommandDetail> details = CommandDetailParser.parse(a(async.commandInfo("get", "mset", "nosuchcommand")));
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
        List<String> time = a(async.time());
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
        assertEquals(a(async.clientId()), map.get("id"));
        assertEquals("standalone", map.get("mode"));
        assertEquals("master", map.get("role"));
        assertEquals(List.of(), map.get("modules"));
        assertError("NOPROTO unsupported protocol version", () -> raw("HELLO", "4"));
        assertError("ERR Protocol version is not an integer or out of range", () -> raw("HELLO", "two"));
        assertEquals("PONG", a(async.ping()));
    }

    @Test
    void helloThreeIsRefused() {
        assumeFalse(server.isReference(), "Redis accepts HELLO 3");
        assertError("NOPROTO unsupported protocol version", () -> raw("HELLO", "3"));
        assertEquals("OK", a(async.set("k", "v")));
        assertEquals("v", a(async.get("k")));
    }

    // ---------------------------------------------------------------------------------------
    // Expiry, errors, concurrency
    // ---------------------------------------------------------------------------------------

    @Test
    void keyWithShortTtlDisappears() {
        a(async.set("short", "v", SetArgs.Builder.px(200)));
        a(async.set("long", "v", SetArgs.Builder.ex(100)));
        assertEquals("v", a(async.get("short")));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> a(async.get("short")) == null);
        assertEquals(0, a(async.exists("short")));
        assertEquals(-2, a(async.ttl("short")));
        assertEquals("v", a(async.get("long")));
        assertEquals(1, a(async.dbsize()));
    }

    @Test
    void untouchedExpiredKeysAreRemovedActively() {
        for (int i = 0; i < 50; i++) {
            a(async.set("volatile:" + i, "v", SetArgs.Builder.px(100)));
        }
        a(async.set("stays", "v"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> a(async.dbsize()) == 1);
        assertEquals(List.of("stays"), a(async.keys("*")));
    }

    @Test
    void errorReplies() {
        a(async.set("text", "hello"));
        assertError("ERR value is not an integer or out of range", () -> a(async.incr("text")));
        assertError("ERR value is not an integer or out of range", () -> a(async.decrby("text", 2)));
        assertError("ERR wrong number of arguments for 'get' command", () -> raw("GET"));
        assertError("ERR wrong number of arguments for 'get' command", () -> raw("GET", "a", "b"));
        assertError("ERR syntax error", () -> raw("SET", "k", "v", "XX", "NX"));
        assertError("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b c' ",
            () -> raw("NOSUCHCMD", "a", "b c"));
        assertEquals("PONG", a(async.ping()));
        assertEquals("hello", a(async.get("text")));
    }

    @Test
    void pipelineOfTenThousandCommandsWithoutAutoFlush() {
        int n = 10_000;
        try (StatefulRedisConnection<String, String> batch = client.connect()) {
            RedisAsyncCommands<String, String> commands = batch.async();
            batch.setAutoFlushCommands(false);
            List<RedisFuture<String>> sets = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                sets.add(commands.set("p:" + i, "value-" + i));
            }
            RedisFuture<Long> notAnInteger = commands.incr("p:0");
            RedisFuture<Long> size = commands.dbsize();
            assertFalse(sets.get(0).isDone(), "nothing is written before flushCommands()");
            batch.flushCommands();
            List<RedisFuture<?>> all = new ArrayList<>(sets);
            all.add(size);
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), all.toArray(RedisFuture[]::new)));
            for (int i = 0; i < n; i++) {
                assertEquals("OK", a(sets.get(i)), "reply " + i);
            }
            assertError("ERR value is not an integer or out of range", () -> a(notAnInteger));
            assertEquals(n, a(size));

            List<RedisFuture<String>> gets = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                gets.add(commands.get("p:" + i));
            }
            batch.flushCommands();
            assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), gets.toArray(RedisFuture[]::new)));
            for (int i = 0; i < n; i++) {
                assertEquals("value-" + i, a(gets.get(i)), "reply " + i);
            }
            batch.setAutoFlushCommands(true);
            assertEquals("PONG", a(commands.ping()));
        }
        assertEquals(n, a(async.dbsize()));
    }

    @Test
    void repliesArriveInCommandOrder() {
        int n = 5_000;
        List<RedisFuture<Long>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(async.incr("counter"));
        }
        assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), futures.toArray(RedisFuture[]::new)));
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, a(futures.get(i)), "reply " + i);
        }
        assertEquals(String.valueOf(n), a(async.get("counter")));
    }

    @Test
    void aFailedFutureLeavesTheOthersIntact() {
        a(async.set("text", "hello"));
        RedisFuture<Long> before = async.incr("n");
        RedisFuture<Long> failed = async.incr("text");
        RedisFuture<Long> after = async.incr("n");
        // awaitAll rethrows the first failure it meets, so the failed future is awaited alone.
        assertTrue(LettuceFutures.awaitAll(TIMEOUT, before, after));
        assertEquals(1, a(before));
        assertError("ERR value is not an integer or out of range", () -> a(failed));
        assertTrue(failed.toCompletableFuture().isCompletedExceptionally());
        assertEquals(2, a(after));
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
                    List<RedisFuture<?>> pending = new ArrayList<>();
                    List<RedisFuture<String>> reads = new ArrayList<>();
                    List<RedisFuture<Long>> owns = new ArrayList<>();
                    for (int i = 0; i < rounds; i++) {
                        RedisAsyncCommands<String, String> c = connections.get((thread * rounds + i) % 50).async();
                        String key = "c" + thread + ":" + i;
                        pending.add(c.set(key, "v" + i));
                        RedisFuture<String> read = c.get(key);
                        reads.add(read);
                        RedisFuture<Long> own = c.incr(key + ":own");
                        owns.add(own);
                        pending.add(read);
                        pending.add(own);
                        pending.add(c.incr("counter"));
                    }
                    assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(30), pending.toArray(RedisFuture[]::new)));
                    for (int i = 0; i < rounds; i++) {
                        assertEquals("v" + i, a(reads.get(i)));
                        assertEquals(1, a(owns.get(i)));
                    }
                    return rounds;
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
        assertEquals(String.valueOf(threads * rounds), a(async.get("counter")));
        assertEquals(threads * rounds * 2 + 1, a(async.dbsize()));
        await().atMost(TIMEOUT).until(() -> connectedClients() == 1);
    }
}
