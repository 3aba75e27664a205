package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.CommandDocument;
import redis.clients.jedis.resps.CommandInfo;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Issue 2's commands through Jedis's typed API against a real ringkv process: every reply is
 * checked for its exact value, every error for Redis 7's text. One server for the class; each
 * test starts from FLUSHALL on a fresh connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JedisCompatTest {

    private static final int TIMEOUT_MILLIS = 10_000;

    private static CompatServer server;

    private Jedis jedis;

    @BeforeAll
    static void startServer() throws Exception {
        server = CompatServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void connect() {
        jedis = newJedis(config().build());
        assertEquals("OK", jedis.flushAll());
    }

    @AfterEach
    void disconnect() {
        if (jedis != null) {
            jedis.close();
        }
    }

    private static DefaultJedisClientConfig.Builder config() {
        return DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(TIMEOUT_MILLIS)
            .socketTimeoutMillis(TIMEOUT_MILLIS);
    }

    private static Jedis newJedis(JedisClientConfig config) {
        return newJedis(server, config);
    }

    private static Jedis newJedis(CompatServer on, JedisClientConfig config) {
        return new Jedis(new HostAndPort(on.host(), on.port()), config);
    }

    private static ProtocolCommand command(String name) {
        byte[] raw = SafeEncoder.encode(name);
        return () -> raw;
    }

    private static void assertError(String expected, Runnable call) {
        JedisDataException e = assertThrows(JedisDataException.class, call::run);
        assertEquals(expected, e.getMessage());
    }

    private static long nowMillis() {
        return System.currentTimeMillis();
    }

    private static String bulk(Object reply) {
        return reply == null ? null : SafeEncoder.encode((byte[]) reply);
    }

    // ---------------------------------------------------------------------------------------
    // Strings
    // ---------------------------------------------------------------------------------------

    @Test
    void setAndGet() {
        assertNull(jedis.get("missing"));
        assertEquals("OK", jedis.set("k", "v"));
        assertEquals("v", jedis.get("k"));
        assertEquals("OK", jedis.set("k", "v2"));
        assertEquals("v2", jedis.get("k"));
        assertEquals("OK", jedis.set("empty", ""));
        assertEquals("", jedis.get("empty"));
        assertEquals(0, jedis.strlen("empty"));
    }

    @Test
    void binarySafeKeysAndValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        byte[] key = {0, '\r', '\n', (byte) 0xff, ' '};
        assertEquals("OK", jedis.set(key, all));
        assertArrayEquals(all, jedis.get(key));
        assertEquals(256, jedis.strlen(key));

        byte[] big = new byte[1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        assertEquals("OK", jedis.set("big".getBytes(StandardCharsets.UTF_8), big));
        assertArrayEquals(big, jedis.get("big".getBytes(StandardCharsets.UTF_8)));
        assertEquals("héllo wörld ✓", roundTrip("utf8", "héllo wörld ✓"));
    }

    private String roundTrip(String key, String value) {
        jedis.set(key, value);
        return jedis.get(key);
    }

    @Test
    void setWithRelativeExpiry() {
        assertEquals("OK", jedis.set("ex", "v", SetParams.setParams().ex(100)));
        long ttl = jedis.ttl("ex");
        assertTrue(ttl >= 99 && ttl <= 100, "ttl " + ttl);

        assertEquals("OK", jedis.set("px", "v", SetParams.setParams().px(100_000)));
        long pttl = jedis.pttl("px");
        assertTrue(pttl > 98_000 && pttl <= 100_000, "pttl " + pttl);
        assertEquals("v", jedis.get("px"));
    }

    @Test
    void setWithAbsoluteExpiry() {
        long atSeconds = nowMillis() / 1000 + 100;
        assertEquals("OK", jedis.set("exat", "v", SetParams.setParams().exAt(atSeconds)));
        assertEquals(atSeconds, jedis.expireTime("exat"));
        long ttl = jedis.ttl("exat");
        assertTrue(ttl >= 98 && ttl <= 100, "ttl " + ttl);

        long atMillis = nowMillis() + 100_000;
        assertEquals("OK", jedis.set("pxat", "v", SetParams.setParams().pxAt(atMillis)));
        assertEquals(atMillis, jedis.pexpireTime("pxat"));
        // EXPIRETIME rounds milliseconds to the nearest second.
        assertEquals((atMillis + 500) / 1000, jedis.expireTime("pxat"));
        long pttl = jedis.pttl("pxat");
        assertTrue(pttl > 98_000 && pttl <= 100_000, "pttl " + pttl);
    }

    @Test
    void setExpiryInThePastDeletesTheKey() {
        jedis.set("k", "v");
        assertEquals("OK", jedis.set("k", "v", SetParams.setParams().pxAt(nowMillis() - 10_000)));
        assertNull(jedis.get("k"));
        assertFalse(jedis.exists("k"));
    }

    @Test
    void setNxAndXx() {
        assertNull(jedis.set("k", "v", SetParams.setParams().xx()));
        assertFalse(jedis.exists("k"));
        assertEquals("OK", jedis.set("k", "v1", SetParams.setParams().nx()));
        assertNull(jedis.set("k", "v2", SetParams.setParams().nx()));
        assertEquals("v1", jedis.get("k"));
        assertEquals("OK", jedis.set("k", "v3", SetParams.setParams().xx().ex(50)));
        assertEquals("v3", jedis.get("k"));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 49 && ttl <= 50, "ttl " + ttl);
    }

    @Test
    void setKeepTtl() {
        jedis.set("k", "v1", SetParams.setParams().ex(100));
        assertEquals("OK", jedis.set("k", "v2", SetParams.setParams().keepTtl()));
        assertEquals("v2", jedis.get("k"));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 99 && ttl <= 100, "ttl " + ttl);
        // A plain SET discards the old time to live.
        assertEquals("OK", jedis.set("k", "v3"));
        assertEquals(-1, jedis.ttl("k"));
        // KEEPTTL on a missing key creates it without expiry.
        assertEquals("OK", jedis.set("fresh", "v", SetParams.setParams().keepTtl()));
        assertEquals(-1, jedis.ttl("fresh"));
    }

    @Test
    void setGetOption() {
        assertNull(jedis.setGet("k", "v1"));
        assertEquals("v1", jedis.get("k"));
        assertEquals("v1", jedis.setGet("k", "v2"));
        assertEquals("v2", jedis.get("k"));
        assertEquals("v2", jedis.setGet("k", "v3", SetParams.setParams().ex(100)));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 99 && ttl <= 100, "ttl " + ttl);
        // NX with GET (Redis 7): the old value is returned and nothing is written.
        assertEquals("v3", jedis.setGet("k", "v4", SetParams.setParams().nx()));
        assertEquals("v3", jedis.get("k"));
        assertNull(jedis.setGet("other", "x", SetParams.setParams().xx()));
        assertFalse(jedis.exists("other"));
    }

    @Test
    void setErrors() {
        ProtocolCommand set = Protocol.Command.SET;
        assertError("ERR syntax error", () -> jedis.sendCommand(set, "k", "v", "NX", "XX"));
        assertError("ERR syntax error", () -> jedis.sendCommand(set, "k", "v", "EX", "10", "PX", "100"));
        assertError("ERR syntax error", () -> jedis.sendCommand(set, "k", "v", "EX", "10", "KEEPTTL"));
        assertError("ERR syntax error", () -> jedis.sendCommand(set, "k", "v", "EX"));
        assertError("ERR syntax error", () -> jedis.sendCommand(set, "k", "v", "BOGUS"));
        assertError("ERR value is not an integer or out of range",
            () -> jedis.sendCommand(set, "k", "v", "EX", "ten"));
        assertError("ERR invalid expire time in 'set' command",
            () -> jedis.set("k", "v", SetParams.setParams().ex(0)));
        assertError("ERR invalid expire time in 'set' command",
            () -> jedis.set("k", "v", SetParams.setParams().px(-5)));
        assertError("ERR invalid expire time in 'set' command",
            () -> jedis.sendCommand(set, "k", "v", "EX", "9223372036854775807"));
        assertError("ERR wrong number of arguments for 'set' command", () -> jedis.sendCommand(set, "k"));
        assertFalse(jedis.exists("k"));
    }

    @Test
    void setnxSetexPsetex() {
        assertEquals(1, jedis.setnx("k", "v1"));
        assertEquals(0, jedis.setnx("k", "v2"));
        assertEquals("v1", jedis.get("k"));

        assertEquals("OK", jedis.setex("ex", 100, "v"));
        assertEquals("v", jedis.get("ex"));
        long ttl = jedis.ttl("ex");
        assertTrue(ttl >= 99 && ttl <= 100, "ttl " + ttl);

        assertEquals("OK", jedis.psetex("px", 100_000, "v"));
        long pttl = jedis.pttl("px");
        assertTrue(pttl > 98_000 && pttl <= 100_000, "pttl " + pttl);

        assertError("ERR invalid expire time in 'setex' command", () -> jedis.setex("bad", 0, "v"));
        assertError("ERR invalid expire time in 'psetex' command", () -> jedis.psetex("bad", -1, "v"));
        assertError("ERR value is not an integer or out of range",
            () -> jedis.sendCommand(Protocol.Command.SETEX, "bad", "x", "v"));
        assertFalse(jedis.exists("bad"));
    }

    @Test
    void getsetAndGetdel() {
        assertNull(jedis.getSet("k", "v1"));
        assertEquals("v1", jedis.getSet("k", "v2"));
        assertEquals("v2", jedis.get("k"));
        // GETSET discards the time to live, like SET.
        jedis.expire("k", 100);
        assertEquals("v2", jedis.getSet("k", "v3"));
        assertEquals(-1, jedis.ttl("k"));

        assertEquals("v3", jedis.getDel("k"));
        assertFalse(jedis.exists("k"));
        assertNull(jedis.getDel("k"));
    }

    @Test
    void getex() {
        assertNull(jedis.getEx("missing", GetExParams.getExParams().ex(10)));
        assertFalse(jedis.exists("missing"));

        jedis.set("k", "v");
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams()));
        assertEquals(-1, jedis.ttl("k"));
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams().ex(100)));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 99 && ttl <= 100, "ttl " + ttl);
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams().px(50_000)));
        long pttl = jedis.pttl("k");
        assertTrue(pttl > 48_000 && pttl <= 50_000, "pttl " + pttl);
        long atSeconds = nowMillis() / 1000 + 200;
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams().exAt(atSeconds)));
        assertEquals(atSeconds, jedis.expireTime("k"));
        long atMillis = nowMillis() + 300_000;
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams().pxAt(atMillis)));
        assertEquals(atMillis, jedis.pexpireTime("k"));
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams().persist()));
        assertEquals(-1, jedis.ttl("k"));

        assertError("ERR syntax error",
            () -> jedis.sendCommand(Protocol.Command.GETEX, "k", "EX", "10", "PERSIST"));
        assertError("ERR invalid expire time in 'getex' command",
            () -> jedis.getEx("k", GetExParams.getExParams().ex(0)));
        assertEquals(-1, jedis.ttl("k"));
        // An expiry time in the past deletes the key and still returns the value.
        assertEquals("v", jedis.getEx("k", GetExParams.getExParams().pxAt(nowMillis() - 1000)));
        assertFalse(jedis.exists("k"));
    }

    @Test
    void msetMgetMsetnx() {
        assertEquals("OK", jedis.mset("a", "1", "b", "2", "c", "3"));
        assertEquals(List.of("1", "2", "3"), jedis.mget("a", "b", "c"));
        assertEquals(java.util.Arrays.asList("1", null, "3", "1"), jedis.mget("a", "missing", "c", "a"));
        // The last of duplicated keys wins.
        assertEquals("OK", jedis.mset("d", "x", "d", "y"));
        assertEquals("y", jedis.get("d"));

        assertEquals(0, jedis.msetnx("a", "9", "new", "9"));
        assertEquals("1", jedis.get("a"));
        assertFalse(jedis.exists("new"));
        assertEquals(1, jedis.msetnx("n1", "x", "n2", "y"));
        assertEquals(List.of("x", "y"), jedis.mget("n1", "n2"));

        assertError("ERR wrong number of arguments for 'mset' command",
            () -> jedis.sendCommand(Protocol.Command.MSET, "a", "1", "b"));
        assertError("ERR wrong number of arguments for 'msetnx' command",
            () -> jedis.sendCommand(Protocol.Command.MSETNX, "a"));
        assertError("ERR wrong number of arguments for 'mget' command",
            () -> jedis.sendCommand(Protocol.Command.MGET));
    }

    @Test
    void appendAndStrlen() {
        assertEquals(0, jedis.strlen("k"));
        assertEquals(5, jedis.append("k", "Hello"));
        assertEquals(11, jedis.append("k", " World"));
        assertEquals("Hello World", jedis.get("k"));
        assertEquals(11, jedis.strlen("k"));
        // APPEND keeps the time to live.
        jedis.expire("k", 100);
        assertEquals(12, jedis.append("k", "!"));
        assertTrue(jedis.ttl("k") > 0);
        // Appending to an integer-looking value yields the concatenation.
        jedis.set("n", "10");
        assertEquals(3, jedis.append("n", "5"));
        assertEquals(106, jedis.incr("n"));
    }

    @Test
    void getrange() {
        jedis.set("k", "This is a string");
        assertEquals("This", jedis.getrange("k", 0, 3));
        assertEquals("ing", jedis.getrange("k", -3, -1));
        assertEquals("This is a string", jedis.getrange("k", 0, -1));
        assertEquals("string", jedis.getrange("k", 10, 100));
        assertEquals("", jedis.getrange("k", 5, 3));
        assertEquals("", jedis.getrange("k", 100, 200));
        assertEquals("This is a string", jedis.getrange("k", -100, 100));
        assertEquals("", jedis.getrange("missing", 0, -1));
        assertError("ERR value is not an integer or out of range",
            () -> jedis.sendCommand(Protocol.Command.GETRANGE, "k", "a", "1"));
    }

    @Test
    void setrange() {
        jedis.set("k", "Hello World");
        assertEquals(11, jedis.setrange("k", 6, "Redis"));
        assertEquals("Hello Redis", jedis.get("k"));
        assertEquals(11, jedis.setrange("k", 0, ""));
        // Past the end the string is zero-padded.
        assertEquals(6, jedis.setrange("pad", 5, "x"));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 'x'}, jedis.get("pad".getBytes(StandardCharsets.UTF_8)));
        // An empty value on a missing key creates nothing.
        assertEquals(0, jedis.setrange("none", 10, ""));
        assertFalse(jedis.exists("none"));
        // SETRANGE keeps the time to live.
        jedis.expire("k", 100);
        jedis.setrange("k", 0, "J");
        assertEquals("Jello Redis", jedis.get("k"));
        assertTrue(jedis.ttl("k") > 0);

        assertError("ERR offset is out of range", () -> jedis.setrange("k", -1, "x"));
        assertError("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
            () -> jedis.setrange("huge", 536_870_912L, "x"));
        assertFalse(jedis.exists("huge"));
    }

    @Test
    void incrAndDecr() {
        assertEquals(1, jedis.incr("n"));
        assertEquals(2, jedis.incr("n"));
        assertEquals(1, jedis.decr("n"));
        assertEquals(11, jedis.incrBy("n", 10));
        assertEquals(-9, jedis.decrBy("n", 20));
        assertEquals("-9", jedis.get("n"));
        assertEquals(-1, jedis.decr("fresh"));
        assertEquals(-5, jedis.incrBy("fresh2", -5));
        assertEquals(5, jedis.decrBy("fresh3", -5));
        // INCR keeps the time to live.
        jedis.set("ttl", "5", SetParams.setParams().ex(100));
        assertEquals(6, jedis.incr("ttl"));
        assertTrue(jedis.ttl("ttl") > 0);
        jedis.set("big", "9223372036854775806");
        assertEquals(Long.MAX_VALUE, jedis.incr("big"));
        assertError("ERR increment or decrement would overflow", () -> jedis.incr("big"));
        assertEquals(String.valueOf(Long.MAX_VALUE), jedis.get("big"));
        jedis.set("small", String.valueOf(Long.MIN_VALUE));
        assertError("ERR increment or decrement would overflow", () -> jedis.decr("small"));
        assertError("ERR increment or decrement would overflow", () -> jedis.incrBy("big", 1));
        assertError("ERR decrement would overflow", () -> jedis.decrBy("zero", Long.MIN_VALUE));
    }

    @Test
    void incrOnNonIntegers() {
        for (String bad : List.of("abc", "1.5", " 1", "1 ", "01", "", "9223372036854775808", "+1")) {
            jedis.set("k", bad);
            assertError("ERR value is not an integer or out of range", () -> jedis.incr("k"));
            assertEquals(bad, jedis.get("k"));
        }
        jedis.set("k", "10");
        assertError("ERR value is not an integer or out of range",
            () -> jedis.sendCommand(Protocol.Command.INCRBY, "k", "1.5"));
        assertEquals("10", jedis.get("k"));
    }

    @Test
    void incrbyfloat() {
        jedis.set("f", "10.50");
        assertEquals(10.6, jedis.incrByFloat("f", 0.1), 1e-12);
        assertEquals("10.6", jedis.get("f"));
        jedis.set("e", "5.0e3");
        assertEquals(5200, jedis.incrByFloat("e", 2.0e2), 1e-12);
        assertEquals("5200", jedis.get("e"));
        assertEquals(3.5, jedis.incrByFloat("fresh", 3.5), 1e-12);
        assertEquals("3.5", jedis.get("fresh"));
        assertEquals("-1.25", bulk(jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "neg", "-1.25")));
        jedis.set("i", "3");
        assertEquals("4", bulk(jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "i", "1")));

        jedis.set("s", "abc");
        assertError("ERR value is not a valid float", () -> jedis.incrByFloat("s", 1));
        assertError("ERR value is not a valid float",
            () -> jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "f", "x"));
        assertError("ERR increment would produce NaN or Infinity",
            () -> jedis.sendCommand(Protocol.Command.INCRBYFLOAT, "f", "inf"));
        assertEquals("10.6", jedis.get("f"));
    }

    // ---------------------------------------------------------------------------------------
    // Keys
    // ---------------------------------------------------------------------------------------

    @Test
    void delUnlinkExistsTouch() {
        jedis.mset("a", "1", "b", "2", "c", "3");
        assertEquals(3, jedis.exists("a", "b", "c"));
        assertEquals(2, jedis.exists("a", "a"));
        assertEquals(0, jedis.exists("x", "y"));
        assertTrue(jedis.exists("a"));
        assertEquals(2, jedis.touch("a", "b", "missing"));
        assertEquals(2, jedis.del("a", "b", "missing"));
        assertEquals(0, jedis.del("a"));
        assertEquals(1, jedis.unlink("c", "c"));
        assertEquals(0, jedis.dbSize());
        assertError("ERR wrong number of arguments for 'del' command",
            () -> jedis.sendCommand(Protocol.Command.DEL));
        assertError("ERR wrong number of arguments for 'exists' command",
            () -> jedis.sendCommand(Protocol.Command.EXISTS));
    }

    @Test
    void type() {
        jedis.set("k", "v");
        assertEquals("string", jedis.type("k"));
        assertEquals("none", jedis.type("missing"));
    }

    @Test
    void expireTtlPersist() {
        assertEquals(-2, jedis.ttl("k"));
        assertEquals(-2, jedis.pttl("k"));
        assertEquals(0, jedis.expire("k", 100));
        jedis.set("k", "v");
        assertEquals(-1, jedis.ttl("k"));
        assertEquals(-1, jedis.pttl("k"));
        assertEquals(1, jedis.expire("k", 100));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 99 && ttl <= 100, "ttl " + ttl);
        assertEquals(1, jedis.pexpire("k", 50_000));
        long pttl = jedis.pttl("k");
        assertTrue(pttl > 48_000 && pttl <= 50_000, "pttl " + pttl);
        assertEquals(1, jedis.persist("k"));
        assertEquals(0, jedis.persist("k"));
        assertEquals(0, jedis.persist("missing"));
        assertEquals(-1, jedis.ttl("k"));
        // A non-positive timeout deletes the key.
        assertEquals(1, jedis.expire("k", -1));
        assertFalse(jedis.exists("k"));
        jedis.set("k", "v");
        assertEquals(1, jedis.pexpire("k", 0));
        assertFalse(jedis.exists("k"));
    }

    @Test
    void expireatAndExpiretime() {
        assertEquals(-2, jedis.expireTime("k"));
        assertEquals(-2, jedis.pexpireTime("k"));
        jedis.set("k", "v");
        assertEquals(-1, jedis.expireTime("k"));
        assertEquals(-1, jedis.pexpireTime("k"));
        long atSeconds = nowMillis() / 1000 + 1000;
        assertEquals(1, jedis.expireAt("k", atSeconds));
        assertEquals(atSeconds, jedis.expireTime("k"));
        assertEquals(atSeconds * 1000, jedis.pexpireTime("k"));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 998 && ttl <= 1000, "ttl " + ttl);
        long atMillis = nowMillis() + 500_123;
        assertEquals(1, jedis.pexpireAt("k", atMillis));
        assertEquals(atMillis, jedis.pexpireTime("k"));
        // EXPIRETIME rounds milliseconds to the nearest second.
        assertEquals((atMillis + 500) / 1000, jedis.expireTime("k"));
        assertEquals(0, jedis.expireAt("missing", atSeconds));
        assertEquals(0, jedis.pexpireAt("missing", atMillis));
        // A time in the past deletes the key.
        assertEquals(1, jedis.expireAt("k", nowMillis() / 1000 - 10));
        assertFalse(jedis.exists("k"));
    }

    @Test
    void expireOptions() {
        jedis.set("k", "v");
        // A key without expiry has an infinite TTL: XX and GT refuse, LT accepts.
        assertEquals(0, jedis.expire("k", 100, ExpiryOption.XX));
        assertEquals(0, jedis.expire("k", 100, ExpiryOption.GT));
        assertEquals(-1, jedis.ttl("k"));
        assertEquals(1, jedis.expire("k", 100, ExpiryOption.NX));
        assertEquals(0, jedis.expire("k", 200, ExpiryOption.NX));
        assertEquals(1, jedis.expire("k", 200, ExpiryOption.XX));
        assertTrue(jedis.ttl("k") > 150);
        assertEquals(0, jedis.expire("k", 100, ExpiryOption.GT));
        assertEquals(1, jedis.expire("k", 300, ExpiryOption.GT));
        assertTrue(jedis.ttl("k") > 250);
        assertEquals(0, jedis.expire("k", 400, ExpiryOption.LT));
        assertEquals(1, jedis.expire("k", 50, ExpiryOption.LT));
        long ttl = jedis.ttl("k");
        assertTrue(ttl >= 49 && ttl <= 50, "ttl " + ttl);

        assertEquals(1, jedis.pexpire("k", 60_000, ExpiryOption.GT));
        assertEquals(0, jedis.pexpire("k", 70_000, ExpiryOption.NX));
        long at = nowMillis() / 1000 + 1000;
        assertEquals(1, jedis.expireAt("k", at, ExpiryOption.XX));
        assertEquals(at, jedis.expireTime("k"));
        assertEquals(0, jedis.pexpireAt("k", at * 1000 - 5000, ExpiryOption.GT));
        assertEquals(1, jedis.pexpireAt("k", at * 1000 - 5000, ExpiryOption.LT));
        assertEquals(at * 1000 - 5000, jedis.pexpireTime("k"));

        jedis.set("p", "v");
        assertEquals(1, jedis.expire("p", 100, ExpiryOption.LT));
        assertTrue(jedis.ttl("p") > 0);
        assertEquals(0, jedis.expire("missing", 100, ExpiryOption.NX));
    }

    @Test
    void expireErrors() {
        jedis.set("k", "v");
        ProtocolCommand expire = Protocol.Command.EXPIRE;
        assertError("ERR NX and XX, GT or LT options at the same time are not compatible",
            () -> jedis.sendCommand(expire, "k", "100", "NX", "XX"));
        assertError("ERR NX and XX, GT or LT options at the same time are not compatible",
            () -> jedis.sendCommand(expire, "k", "100", "NX", "GT"));
        assertError("ERR GT and LT options at the same time are not compatible",
            () -> jedis.sendCommand(expire, "k", "100", "GT", "LT"));
        assertError("ERR Unsupported option BOGUS", () -> jedis.sendCommand(expire, "k", "100", "BOGUS"));
        assertError("ERR value is not an integer or out of range",
            () -> jedis.sendCommand(expire, "k", "1.5"));
        assertError("ERR invalid expire time in 'expire' command",
            () -> jedis.sendCommand(expire, "k", "9223372036854775807"));
        assertError("ERR invalid expire time in 'pexpire' command",
            () -> jedis.sendCommand(Protocol.Command.PEXPIRE, "k", "9223372036854775807"));
        assertError("ERR invalid expire time in 'expireat' command",
            () -> jedis.sendCommand(Protocol.Command.EXPIREAT, "k", "9223372036854775807"));
        assertError("ERR wrong number of arguments for 'expire' command",
            () -> jedis.sendCommand(expire, "k"));
        assertEquals(-1, jedis.ttl("k"));
    }

    @Test
    void keysPattern() {
        jedis.mset("a1", "x", "a2", "x", "b1", "x", "ab", "x", "h*llo", "x", "hello", "x");
        assertEquals(Set.of("a1", "a2", "b1", "ab", "h*llo", "hello"), jedis.keys("*"));
        assertEquals(Set.of("a1", "a2", "ab"), jedis.keys("a*"));
        assertEquals(Set.of("a1", "b1"), jedis.keys("?1"));
        assertEquals(Set.of("a1", "b1"), jedis.keys("[ab]1"));
        assertEquals(Set.of("a2"), jedis.keys("[^b]2"));
        assertEquals(Set.of("h*llo"), jedis.keys("h\\*llo"));
        assertEquals(Set.of(), jedis.keys("zz*"));
    }

    @Test
    void scanWholeKeyspace() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            expected.add("user:" + i);
        }
        jedis.mset(expected.stream().flatMap(k -> java.util.stream.Stream.of(k, "v")).toArray(String[]::new));

        assertEquals(expected, scanAll(new ScanParams().count(50), null, 300));
        Set<String> matching = expected.stream().filter(k -> k.startsWith("user:1")).collect(Collectors.toSet());
        assertEquals(111, matching.size());
        assertEquals(matching, scanAll(new ScanParams().match("user:1*").count(40), null, 300));
        assertEquals(expected, scanAll(new ScanParams().count(100), "string", 300));
        assertEquals(Set.of(), scanAll(new ScanParams().count(100), "hash", 300));

        ScanResult<String> first = jedis.scan(ScanParams.SCAN_POINTER_START, new ScanParams().count(10));
        assertFalse(first.getResult().isEmpty());
        assertError("ERR syntax error",
            () -> jedis.sendCommand(Protocol.Command.SCAN, "0", "COUNT", "0"));
        assertError("ERR invalid cursor",
            () -> jedis.sendCommand(Protocol.Command.SCAN, "abc"));
    }

    private Set<String> scanAll(ScanParams params, String type, int maxRounds) {
        Set<String> seen = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        int rounds = 0;
        do {
            ScanResult<String> page = type == null ? jedis.scan(cursor, params) : jedis.scan(cursor, params, type);
            seen.addAll(page.getResult());
            cursor = page.getCursor();
            assertTrue(++rounds <= maxRounds, "SCAN did not finish within " + maxRounds + " calls");
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return seen;
    }

    @Test
    void randomkey() {
        assertNull(jedis.randomKey());
        jedis.mset("a", "1", "b", "2", "c", "3");
        for (int i = 0; i < 20; i++) {
            assertTrue(Set.of("a", "b", "c").contains(jedis.randomKey()));
        }
    }

    @Test
    void renameAndRenamenx() {
        jedis.set("src", "v", SetParams.setParams().ex(100));
        assertEquals("OK", jedis.rename("src", "dst"));
        assertFalse(jedis.exists("src"));
        assertEquals("v", jedis.get("dst"));
        assertTrue(jedis.ttl("dst") > 0, "RENAME moves the time to live");
        assertEquals("OK", jedis.rename("dst", "dst"));
        assertEquals("v", jedis.get("dst"));
        jedis.set("other", "o");
        assertEquals("OK", jedis.rename("other", "dst"));
        assertEquals("o", jedis.get("dst"));
        assertEquals(-1, jedis.ttl("dst"), "RENAME overwrites the destination and its expiry");
        assertError("ERR no such key", () -> jedis.rename("missing", "x"));

        jedis.set("a", "1");
        jedis.set("b", "2");
        assertEquals(0, jedis.renamenx("a", "b"));
        assertEquals("1", jedis.get("a"));
        assertEquals(1, jedis.renamenx("a", "c"));
        assertEquals("1", jedis.get("c"));
        assertFalse(jedis.exists("a"));
        assertError("ERR no such key", () -> jedis.renamenx("missing", "x"));
    }

    @Test
    void copy() {
        jedis.set("src", "v", SetParams.setParams().ex(100));
        assertTrue(jedis.copy("src", "dst", false));
        assertEquals("v", jedis.get("dst"));
        assertEquals("v", jedis.get("src"));
        assertTrue(jedis.ttl("dst") > 0, "COPY copies the time to live");
        jedis.set("src", "w");
        assertFalse(jedis.copy("src", "dst", false));
        assertEquals("v", jedis.get("dst"));
        assertTrue(jedis.copy("src", "dst", true));
        assertEquals("w", jedis.get("dst"));
        assertEquals(-1, jedis.ttl("dst"));
        assertFalse(jedis.copy("missing", "x", true));
        assertTrue(jedis.copy("src", "dst0", 0, false));
        assertEquals("w", jedis.get("dst0"));
        assertError("ERR source and destination objects are the same", () -> jedis.copy("src", "src", true));
        assertError("ERR DB index is out of range", () -> jedis.copy("src", "x", 1, false));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.COPY, "src", "x", "BOGUS"));
    }

    @Test
    void dbsizeFlushdbFlushall() {
        assertEquals(0, jedis.dbSize());
        jedis.mset("a", "1", "b", "2");
        jedis.set("c", "3", SetParams.setParams().ex(100));
        assertEquals(3, jedis.dbSize());
        assertEquals("OK", jedis.flushDB());
        assertEquals(0, jedis.dbSize());
        jedis.mset("a", "1", "b", "2");
        assertEquals("OK", jedis.flushAll());
        assertEquals(0, jedis.dbSize());
        assertEquals("OK", simple(jedis.sendCommand(Protocol.Command.FLUSHALL, "SYNC")));
        assertEquals("OK", simple(jedis.sendCommand(Protocol.Command.FLUSHDB, "ASYNC")));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.FLUSHALL, "BOGUS"));
    }

    private static String simple(Object reply) {
        return reply instanceof byte[] bytes ? SafeEncoder.encode(bytes) : String.valueOf(reply);
    }

    // ---------------------------------------------------------------------------------------
    // Connection and server
    // ---------------------------------------------------------------------------------------

    @Test
    void pingAndEcho() {
        assertEquals("PONG", jedis.ping());
        assertEquals("hello", jedis.ping("hello"));
        assertEquals("hello world", jedis.echo("hello world"));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, jedis.echo(new byte[] {0, 1, (byte) 0xff}));
        assertError("ERR wrong number of arguments for 'echo' command",
            () -> jedis.sendCommand(Protocol.Command.ECHO));
        assertError("ERR wrong number of arguments for 'ping' command",
            () -> jedis.sendCommand(Protocol.Command.PING, "a", "b"));
    }

    @Test
    void select() {
        assertEquals("OK", jedis.select(0));
        assertError("ERR DB index is out of range", () -> jedis.select(1));
        assertError("ERR value is not an integer or out of range",
            () -> jedis.sendCommand(Protocol.Command.SELECT, "abc"));
        assertEquals("PONG", jedis.ping());
        // A client configured with database 0 connects; one asking for database 1 is refused.
        try (Jedis db0 = newJedis(config().database(0).build())) {
            assertEquals("PONG", db0.ping());
        }
    }

    @Test
    void authOnPasswordProtectedServer() throws Exception {
        try (CompatServer secured = CompatServer.start("--requirepass", "s3cret")) {
            try (Jedis anonymous = newJedis(secured, config().build())) {
                assertError("NOAUTH Authentication required.", () -> anonymous.get("k"));
                assertError("NOAUTH Authentication required.", anonymous::ping);
                assertError("WRONGPASS invalid username-password pair or user is disabled.",
                    () -> anonymous.auth("wrong"));
                assertError("NOAUTH Authentication required.", () -> anonymous.set("k", "v"));
                assertEquals("OK", anonymous.auth("s3cret"));
                assertEquals("OK", anonymous.set("k", "v"));
                assertEquals("v", anonymous.get("k"));
                assertEquals("OK", anonymous.auth("default", "s3cret"));
                assertError("WRONGPASS invalid username-password pair or user is disabled.",
                    () -> anonymous.auth("someone", "s3cret"));
            }
            try (Jedis configured = newJedis(secured, config().password("s3cret").build())) {
                assertEquals("v", configured.get("k"));
                assertEquals("PONG", configured.ping());
            }
            // Jedis authenticates while connecting: a wrong password fails there.
            JedisDataException e = assertThrows(JedisDataException.class, () -> {
                try (Jedis wrong = newJedis(secured, config().password("nope").build())) {
                    wrong.ping();
                }
            });
            assertEquals("WRONGPASS invalid username-password pair or user is disabled.", e.getMessage());

            // CONFIG SET requirepass applies to new authentications; a connection that is already
            // authenticated stays so.
            try (Jedis admin = newJedis(secured, config().password("s3cret").build())) {
                assertEquals("OK", admin.configSet("requirepass", "changed"));
                assertEquals("v", admin.get("k"));
                JedisDataException old = assertThrows(JedisDataException.class, () -> {
                    try (Jedis stale = newJedis(secured, config().password("s3cret").build())) {
                        stale.ping();
                    }
                });
                assertEquals("WRONGPASS invalid username-password pair or user is disabled.", old.getMessage());
                try (Jedis fresh = newJedis(secured, config().password("changed").build())) {
                    assertEquals("v", fresh.get("k"));
                }
                assertEquals("OK", admin.configSet("requirepass", ""));
                try (Jedis open = newJedis(secured, config().build())) {
                    assertEquals("v", open.get("k"));
                }
            }
        }
        // On a server without a password, AUTH is an error of its own.
        assertError("ERR AUTH <password> called without any password configured for the default user. "
            + "Are you sure your configuration is correct?", () -> jedis.auth("x"));
    }

    @Test
    void clientNameAndId() {
        assertNull(jedis.clientGetname());
        assertEquals("OK", jedis.clientSetname("compat-client"));
        assertEquals("compat-client", jedis.clientGetname());
        long id = jedis.clientId();
        assertTrue(id > 0);
        try (Jedis other = newJedis(config().clientName("named-at-connect").build())) {
            assertEquals("named-at-connect", other.clientGetname());
            assertNotEquals(id, other.clientId());
            assertTrue(other.clientId() > id, "client ids increase");
        }
        assertError("ERR Client names cannot contain spaces, newlines or special characters.",
            () -> jedis.clientSetname("has space"));
        assertEquals("compat-client", jedis.clientGetname());
        // An empty name clears the name.
        assertEquals("OK", jedis.clientSetname(""));
        assertNull(jedis.clientGetname());
    }

    @Test
    void clientListAndInfo() {
        jedis.clientSetname("lister");
        long id = jedis.clientId();
        String info = jedis.clientInfo();
        Map<String, String> fields = fields(info.trim());
        assertEquals(String.valueOf(id), fields.get("id"));
        assertEquals("lister", fields.get("name"));
        assertEquals("0", fields.get("db"));
        assertEquals("client|info", fields.get("cmd"));
        assertTrue(fields.get("addr").startsWith("127.0.0.1:"), info);
        assertEquals("127.0.0.1:" + server.port(), fields.get("laddr"));
        assertTrue(info.endsWith("\n"), "CLIENT INFO ends with a newline");

        try (Jedis other = newJedis(config().clientName("second").build())) {
            other.ping();
            String list = jedis.clientList();
            List<Map<String, String>> clients = list.lines().map(JedisCompatTest::fields).toList();
            assertTrue(clients.size() >= 2, list);
            Map<String, String> me = clients.stream().filter(c -> c.get("id").equals(String.valueOf(id)))
                .findFirst().orElseThrow();
            assertEquals("lister", me.get("name"));
            assertEquals("client|list", me.get("cmd"));
            Map<String, String> second = clients.stream().filter(c -> "second".equals(c.get("name")))
                .findFirst().orElseThrow();
            assertEquals(String.valueOf(other.clientId()), second.get("id"));
            assertEquals(fields(jedis.clientList(other.clientId()).trim()).get("name"), "second");
        }
    }

    @Test
    void clientSetinfoSentByJedisOnConnect() {
        assumeFalse(server.isReference(), "CLIENT SETINFO is Redis 7.2's");
        Map<String, String> fields = fields(jedis.clientInfo().trim());
        assertEquals("jedis", fields.get("lib-name"));
        assertEquals("8.0.2", fields.get("lib-ver"));
        assertEquals("OK", simple(jedis.sendCommand(Protocol.Command.CLIENT, "SETINFO", "LIB-NAME", "mylib")));
        assertEquals("OK", simple(jedis.sendCommand(Protocol.Command.CLIENT, "SETINFO", "lib-ver", "1.2.3")));
        fields = fields(jedis.clientInfo().trim());
        assertEquals("mylib", fields.get("lib-name"));
        assertEquals("1.2.3", fields.get("lib-ver"));
        assertError("ERR Unrecognized option 'bogus'",
            () -> jedis.sendCommand(Protocol.Command.CLIENT, "SETINFO", "bogus", "x"));
        assertError("ERR lib-name cannot contain spaces, newlines or special characters.",
            () -> jedis.sendCommand(Protocol.Command.CLIENT, "SETINFO", "lib-name", "a b"));
    }

    @Test
    void clientKill() {
        try (Jedis victim = newJedis(config().build()); Jedis victim2 = newJedis(config().build())) {
            victim.set("k", "v");
            long victimId = victim.clientId();
            assertEquals(1, jedis.clientKill(ClientKillParams.clientKillParams().id(String.valueOf(victimId))));
            assertThrows(JedisConnectionException.class, () -> victim.get("k"));
            assertEquals(0, jedis.clientKill(ClientKillParams.clientKillParams().id(String.valueOf(victimId))));

            String addr = fields(victim2.clientInfo().trim()).get("addr");
            assertEquals("OK", jedis.clientKill(addr));
            assertThrows(JedisConnectionException.class, () -> victim2.get("k"));
            assertError("ERR No such client", () -> jedis.clientKill(addr));
        }
        assertEquals("PONG", jedis.ping());
        assertError("ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.",
            () -> jedis.sendCommand(Protocol.Command.CLIENT, "BOGUS"));
        assertError("ERR wrong number of arguments for 'client|setname' command",
            () -> jedis.sendCommand(Protocol.Command.CLIENT, "SETNAME"));
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
        jedis.set("a", "1");
        jedis.set("b", "2", SetParams.setParams().ex(100));
        String all = jedis.info();
        for (String section : List.of("# Server", "# Clients", "# Memory", "# Stats", "# Keyspace")) {
            assertTrue(all.contains(section + "\r\n"), "INFO lacks " + section);
        }
        Map<String, String> values = infoValues(all);
        assertTrue(values.get("redis_version").startsWith("7."), values.get("redis_version"));
        assertEquals(String.valueOf(server.port()), values.get("tcp_port"));
        assertTrue(Integer.parseInt(values.get("connected_clients")) >= 1);
        assertTrue(Long.parseLong(values.get("total_commands_processed")) >= 3);
        assertTrue(values.get("db0").startsWith("keys=2,expires=1,avg_ttl="), values.get("db0"));

        String serverSection = jedis.info("server");
        assertTrue(serverSection.startsWith("# Server\r\n"), serverSection);
        assertFalse(serverSection.contains("# Clients"));
        assertTrue(serverSection.contains("\r\nprocess_id:"));
        assertTrue(serverSection.contains("\r\nuptime_in_seconds:"));
        String keyspace = jedis.info("keyspace");
        assertTrue(keyspace.startsWith("# Keyspace\r\n"), keyspace);
        assertTrue(keyspace.contains("db0:keys=2,expires=1,avg_ttl="), keyspace);
        String stats = jedis.info("STATS");
        assertTrue(stats.contains("\r\ntotal_connections_received:"), stats);
        assertTrue(stats.contains("\r\nkeyspace_hits:"), stats);
        assertFalse(stats.contains("# Server"));
        String two = simple(jedis.sendCommand(Protocol.Command.INFO, "clients", "memory"));
        assertTrue(two.contains("# Clients\r\n") && two.contains("# Memory\r\n") && !two.contains("# Stats"), two);
        assertEquals("", jedis.info("nosuchsection"));
        assertTrue(jedis.info("everything").contains("# Keyspace"));

        jedis.flushAll();
        assertFalse(jedis.info("keyspace").contains("db0:"), "an empty database is not listed");
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
        assertEquals(Map.of("maxclients", "10000"), jedis.configGet("maxclients"));
        assertEquals(Map.of("databases", "1"), jedis.configGet("databases"));
        assertEquals(Map.of(), jedis.configGet("nosuchoption"));
        Map<String, String> max = jedis.configGet("maxmemory*");
        assertTrue(max.containsKey("maxmemory") && max.containsKey("maxmemory-policy"), max.toString());
        assertEquals("0", max.get("maxmemory"));
        assertEquals("noeviction", max.get("maxmemory-policy"));
        Map<String, String> two = jedis.configGet("timeout", "port");
        assertEquals(Map.of("timeout", "0", "port", String.valueOf(server.port())), two);

        assertEquals("OK", jedis.configSet("maxclients", "5000"));
        assertEquals(Map.of("maxclients", "5000"), jedis.configGet("maxclients"));
        assertEquals("OK", jedis.configSet("maxclients", "10000"));
        assertEquals("OK", jedis.configSet("maxmemory", "1mb"));
        assertEquals(Map.of("maxmemory", "1048576"), jedis.configGet("maxmemory"));
        assertEquals("OK", jedis.configSet("maxmemory", "0"));
        assertError("ERR Unknown option or number of arguments for CONFIG SET - 'nosuchoption'",
            () -> jedis.configSet("nosuchoption", "1"));
        assertError("ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
            + "argument couldn't be parsed into an integer", () -> jedis.configSet("maxclients", "lots"));
        assertEquals(Map.of("maxclients", "10000"), jedis.configGet("maxclients"));

        for (int i = 0; i < 10; i++) {
            jedis.ping();
        }
        assertEquals("OK", jedis.configResetStat());
        long processed = Long.parseLong(infoValues(jedis.info("stats")).get("total_commands_processed"));
        assertTrue(processed <= 2, "after CONFIG RESETSTAT: " + processed);
        assertError("ERR wrong number of arguments for 'config|get' command",
            () -> jedis.sendCommand(Protocol.Command.CONFIG, "GET"));
        assertError("ERR unknown subcommand 'BOGUS'. Try CONFIG HELP.",
            () -> jedis.sendCommand(Protocol.Command.CONFIG, "BOGUS"));
    }

    @Test
    void commandCountInfoDocs() {
        // COMMAND LIST names subcommands too ("client|id"); COMMAND COUNT counts only commands.
        List<String> names = jedis.commandList();
        assertEquals(names.stream().filter(n -> !n.contains("|")).count(), jedis.commandCount());
        for (String name : List.of("client|setname", "client|kill", "config|get", "command|docs")) {
            assertTrue(names.contains(name), "COMMAND LIST lacks " + name);
        }
        for (String name : List.of("get", "set", "getex", "incrbyfloat", "expiretime", "copy", "scan",
                "client", "config", "command", "info", "hello", "auth", "flushall")) {
            assertTrue(names.contains(name), "COMMAND LIST lacks " + name);
        }

        Map<String, CommandInfo> info = jedis.commandInfo("get", "set", "mset", "client");
        CommandInfo get = info.get("get");
        assertEquals(2, get.getArity());
        assertTrue(get.getFlags().containsAll(List.of("readonly", "fast")), get.getFlags().toString());
        assertEquals(1, get.getFirstKey());
        assertEquals(1, get.getLastKey());
        assertEquals(1, get.getStep());
        assertTrue(get.getAclCategories().containsAll(List.of("@read", "@string", "@fast")),
            get.getAclCategories().toString());
        CommandInfo set = info.get("set");
        assertEquals(-3, set.getArity());
        assertTrue(set.getFlags().containsAll(List.of("write", "denyoom")), set.getFlags().toString());
        CommandInfo mset = info.get("mset");
        assertEquals(-3, mset.getArity());
        assertEquals(1, mset.getFirstKey());
        assertEquals(-1, mset.getLastKey());
        assertEquals(2, mset.getStep());
        CommandInfo client = info.get("client");
        assertEquals(-2, client.getArity());
        assertTrue(client.getSubcommands().containsKey("client|setname"), client.getSubcommands().keySet().toString());
        assertEquals(3, client.getSubcommands().get("client|setname").getArity());

        Map<String, CommandDocument> docs = jedis.commandDocs("get", "incrbyfloat");
        CommandDocument getDoc = docs.get("get");
        assertNotNull(getDoc);
        assertFalse(getDoc.getSummary().isEmpty());
        assertEquals("1.0.0", getDoc.getSince());
        assertEquals("string", getDoc.getGroup());
        assertEquals("O(1)", getDoc.getComplexity());
        assertEquals("2.6.0", docs.get("incrbyfloat").getSince());
    }

    @Test
    void time() {
        List<String> time = jedis.time();
        assertEquals(2, time.size());
        long seconds = Long.parseLong(time.get(0));
        long micros = Long.parseLong(time.get(1));
        assertTrue(Math.abs(seconds - nowMillis() / 1000) <= 5, "TIME " + time);
        assertTrue(micros >= 0 && micros < 1_000_000, "TIME " + time);
    }

    @Test
    void hello() {
        @SuppressWarnings("unchecked")
        List<Object> reply = (List<Object>) jedis.sendCommand(Protocol.Command.HELLO);
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < reply.size(); i += 2) {
            map.put(SafeEncoder.encode((byte[]) reply.get(i)), reply.get(i + 1));
        }
        assertEquals("redis", bulk(map.get("server")));
        assertTrue(bulk(map.get("version")).startsWith("7."));
        assertEquals(2L, map.get("proto"));
        assertEquals(jedis.clientId(), map.get("id"));
        assertEquals("standalone", bulk(map.get("mode")));
        assertEquals("master", bulk(map.get("role")));
        assertEquals(List.of(), map.get("modules"));
        assertEquals(14, reply.size());

        @SuppressWarnings("unchecked")
        List<Object> two = (List<Object>) jedis.sendCommand(Protocol.Command.HELLO, "2", "SETNAME", "via-hello");
        assertEquals(14, two.size());
        assertEquals("via-hello", jedis.clientGetname());

        assertError("NOPROTO unsupported protocol version",
            () -> jedis.sendCommand(Protocol.Command.HELLO, "4"));
        assertError("NOPROTO unsupported protocol version",
            () -> jedis.sendCommand(Protocol.Command.HELLO, "1"));
        assertError("ERR Protocol version is not an integer or out of range",
            () -> jedis.sendCommand(Protocol.Command.HELLO, "two"));
        assertEquals("PONG", jedis.ping());
    }

    @Test
    void helloThreeIsRefusedAndTheConnectionStaysOnResp2() {
        assumeFalse(server.isReference(), "Redis answers HELLO 3; ringkv speaks RESP2 only");
        assertError("NOPROTO unsupported protocol version",
            () -> jedis.sendCommand(Protocol.Command.HELLO, "3"));
        assertEquals("OK", jedis.set("k", "v"));
        assertEquals("v", jedis.get("k"));
    }

    @Test
    void helloAuthOnPasswordProtectedServer() throws Exception {
        try (CompatServer secured = CompatServer.start("--requirepass", "pw");
                Jedis anonymous = newJedis(secured, config().build())) {
            assertError("WRONGPASS invalid username-password pair or user is disabled.",
                () -> anonymous.sendCommand(Protocol.Command.HELLO, "2", "AUTH", "default", "bad"));
            assertError("NOAUTH Authentication required.", () -> anonymous.get("k"));
            @SuppressWarnings("unchecked")
            List<Object> reply = (List<Object>) anonymous.sendCommand(Protocol.Command.HELLO, "2", "AUTH", "default", "pw");
            assertEquals(14, reply.size());
            assertNull(anonymous.get("k"));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Expiry, errors, pipelining, concurrency
    // ---------------------------------------------------------------------------------------

    @Test
    void keyWithShortTtlDisappears() {
        jedis.set("short", "v", SetParams.setParams().px(200));
        jedis.set("long", "v", SetParams.setParams().ex(100));
        assertEquals("v", jedis.get("short"));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
            .until(() -> jedis.get("short") == null);
        assertFalse(jedis.exists("short"));
        assertEquals(-2, jedis.ttl("short"));
        assertEquals("v", jedis.get("long"));
        assertEquals(1, jedis.dbSize());
    }

    @Test
    void untouchedExpiredKeysAreRemovedActively() {
        for (int i = 0; i < 50; i++) {
            jedis.set("volatile:" + i, "v", SetParams.setParams().px(100));
        }
        jedis.set("stays", "v");
        // DBSIZE does not touch keys: only the server's own expiry cycle can shrink it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .until(() -> jedis.dbSize() == 1);
        assertEquals(Set.of("stays"), jedis.keys("*"));
    }

    @Test
    void errorReplies() {
        jedis.set("text", "hello");
        assertError("ERR value is not an integer or out of range", () -> jedis.incr("text"));
        assertError("ERR value is not an integer or out of range", () -> jedis.decrBy("text", 2));
        assertError("ERR wrong number of arguments for 'get' command",
            () -> jedis.sendCommand(Protocol.Command.GET));
        assertError("ERR wrong number of arguments for 'get' command",
            () -> jedis.sendCommand(Protocol.Command.GET, "a", "b"));
        assertError("ERR wrong number of arguments for 'incrby' command",
            () -> jedis.sendCommand(Protocol.Command.INCRBY, "a"));
        assertError("ERR syntax error", () -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "XX", "NX"));
        assertError("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b c' ",
            () -> jedis.sendCommand(command("NOSUCHCMD"), "a", "b c"));
        assertError("ERR unknown command 'nosuch', with args beginning with: ",
            () -> jedis.sendCommand(command("nosuch")));
        // Errors leave the connection usable.
        assertEquals("PONG", jedis.ping());
        assertEquals("hello", jedis.get("text"));
    }

    @Test
    void pipelineOfTenThousandSetsThenGets() {
        int n = 10_000;
        Pipeline pipeline = jedis.pipelined();
        List<Response<String>> sets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sets.add(pipeline.set("p:" + i, "value-" + i));
        }
        pipeline.sync();
        for (Response<String> r : sets) {
            assertEquals("OK", r.get());
        }
        List<Response<String>> gets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            gets.add(pipeline.get("p:" + i));
        }
        Response<Long> size = pipeline.dbSize();
        Response<Long> incr = pipeline.incr("p:0");
        pipeline.sync();
        for (int i = 0; i < n; i++) {
            assertEquals("value-" + i, gets.get(i).get(), "reply " + i);
        }
        assertEquals(n, size.get());
        JedisDataException e = assertThrows(JedisDataException.class, incr::get);
        assertEquals("ERR value is not an integer or out of range", e.getMessage());
        pipeline.close();
        assertEquals(n, jedis.dbSize());
    }

    @Test
    void poolOfFiftyConnectionsFromSixteenThreads() throws Exception {
        JedisPoolConfig poolConfig = new JedisPoolConfig();
        poolConfig.setMaxTotal(50);
        poolConfig.setMaxIdle(50);
        poolConfig.setMinIdle(50);
        poolConfig.setMaxWait(Duration.ofSeconds(10));
        int threads = 16;
        int rounds = 300;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try (JedisPool pool = new JedisPool(poolConfig, new HostAndPort(server.host(), server.port()),
                config().build())) {
            // Open all 50 connections at once so that the server really holds them.
            List<Jedis> held = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                held.add(pool.getResource());
            }
            Set<Long> ids = new HashSet<>();
            for (Jedis j : held) {
                ids.add(j.clientId());
            }
            assertEquals(50, ids.size());
            long connected = Long.parseLong(infoValues(jedis.info("clients")).get("connected_clients"));
            assertTrue(connected >= 51 && connected <= 60, "connected_clients " + connected);
            held.forEach(Jedis::close);

            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(executor.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < rounds; i++) {
                        try (Jedis j = pool.getResource()) {
                            String key = "t" + thread + ":" + i;
                            assertEquals("OK", j.set(key, "v" + i));
                            assertEquals("v" + i, j.get(key));
                            j.incr("counter");
                            assertEquals(1, j.incr(key + ":own"));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * rounds, total);
            assertEquals(String.valueOf(threads * rounds), jedis.get("counter"));
            assertEquals(threads * rounds * 2 + 1, jedis.dbSize());
            for (int thread = 0; thread < threads; thread++) {
                final int t = thread;
                List<String> keys = IntStream.range(0, rounds).mapToObj(i -> "t" + t + ":" + i).toList();
                assertEquals(rounds, jedis.exists(keys.toArray(String[]::new)));
            }
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
        await().atMost(Duration.ofSeconds(10))
            .until(() -> Long.parseLong(infoValues(jedis.info("clients")).get("connected_clients")) == 1);
    }
}
