package io.ringkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ringkv.server.ServerHarness;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The string family, byte for byte as Redis 7 (7.0.15, checked against a real redis-server)
 * answers it. TTLs are read straight from the keyspace so these tests do not depend on the key
 * commands; time only moves by {@code h.clock}.
 */
class StringCommandsTest {

    private static final String OK = "+OK\r\n";
    private static final String ZERO = ":0\r\n";
    private static final String ONE = ":1\r\n";
    private static final String NIL = "$-1\r\n";
    private static final String EMPTY = "$0\r\n\r\n";
    private static final String SYNTAX = "-ERR syntax error\r\n";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
    private static final String NOT_FLOAT = "-ERR value is not a valid float\r\n";
    private static final String OVERFLOW = "-ERR increment or decrement would overflow\r\n";
    private static final String NAN_OR_INF = "-ERR increment would produce NaN or Infinity\r\n";
    private static final String TOO_LONG = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    private static final String OFFSET = "-ERR offset is out of range\r\n";
    private static final String LLONG_MAX = "9223372036854775807";
    private static final String LLONG_MIN = "-9223372036854775808";
    private static final int MB = 1024 * 1024;

    private final ServerHarness h = new ServerHarness();

    private static String integer(long n) {
        return ":" + n + "\r\n";
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String error(String text) {
        return "-" + text + "\r\n";
    }

    private static String invalidExpire(String command) {
        return error("ERR invalid expire time in '" + command + "' command");
    }

    private static String arity(String command) {
        return error("ERR wrong number of arguments for '" + command + "' command");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private long now() {
        return h.clock.millis();
    }

    private Record record(String key) {
        return h.context.keyspace().get(bytes(key));
    }

    /** The key's absolute expiry, {@link Record#NO_EXPIRY} without one; the key must exist. */
    private long expireAt(String key) {
        return record(key).expireAtMillis();
    }

    private long hits() {
        return h.context.stats().keyspaceHits.sum();
    }

    private long misses() {
        return h.context.stats().keyspaceMisses.sum();
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    // ---- GET ---------------------------------------------------------------------------------

    @Test
    void getAnswersTheValueOrNil() {
        assertEquals(NIL, h.call("GET", "k"));
        assertEquals(OK, h.call("SET", "k", "hello"));
        assertEquals(bulk("hello"), h.call("GET", "k"));
        assertEquals(OK, h.call("set", "empty", ""));
        assertEquals(EMPTY, h.call("get", "empty"));
        assertEquals(arity("get"), h.call("GET"));
        assertEquals(arity("get"), h.call("GET", "k", "k"));
    }

    @Test
    void valuesAndKeysAreBinarySafe() {
        StringBuilder all = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            all.append((char) b);
        }
        String value = all.toString();
        String key = "k\u0000\r\n\u00ff";
        assertEquals(OK, h.call("SET", key, value));
        assertEquals(bulk(value), h.call("GET", key));
        assertEquals(integer(256), h.call("STRLEN", key));
        assertEquals(bulk(value.substring(250)), h.call("GETRANGE", key, "-6", "-1"));
        assertEquals(bulk("\n\u000b\u000c\r"), h.call("GETRANGE", key, "10", "13"));
        assertEquals(integer(512), h.call("APPEND", key, value));
        assertEquals(bulk(value + value), h.call("GET", key));
        assertEquals(integer(512), h.call("SETRANGE", key, "0", "\u0000\u00ff"));
        assertEquals(bulk("\u0000\u00ff" + value.substring(2) + value), h.call("GET", key));
        assertEquals("*2\r\n" + bulk("\u0000\u00ff" + value.substring(2) + value) + NIL,
            h.call("MGET", key, "k"));
        assertEquals(NIL, h.call("GET", "k"));
    }

    // ---- SET: plain, NX/XX, GET --------------------------------------------------------------

    @Test
    void setOverwritesAndClearsTheTtl() {
        assertEquals(OK, h.call("SET", "k", "v1", "EX", "100"));
        assertEquals(now() + 100_000, expireAt("k"));
        assertEquals(OK, h.call("SET", "k", "v2"));
        assertEquals(bulk("v2"), h.call("GET", "k"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
        assertEquals(arity("set"), h.call("SET", "k"));
        assertEquals(arity("set"), h.call("SET"));
    }

    @Test
    void setNxAndXx() {
        assertEquals(NIL, h.call("SET", "k", "v", "XX"));
        assertNull(record("k"));
        assertEquals(OK, h.call("SET", "k", "v", "NX"));
        assertEquals(NIL, h.call("SET", "k", "w", "NX"));
        assertEquals(bulk("v"), h.call("GET", "k"));
        assertEquals(OK, h.call("SET", "k", "w", "xx"));
        assertEquals(bulk("w"), h.call("GET", "k"));
        // Repeating the same one is fine; mixing them is not, in either order.
        assertEquals(NIL, h.call("SET", "k", "v", "NX", "NX"));
        assertEquals(OK, h.call("SET", "k", "x", "XX", "XX"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "NX", "XX"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "xx", "nx"));
        assertEquals(bulk("x"), h.call("GET", "k"));
    }

    @Test
    void setNxOnAnExpiredKeySets() {
        assertEquals(OK, h.call("SET", "k", "old", "PX", "10"));
        h.clock.advance(11);
        assertEquals(OK, h.call("SET", "k", "new", "NX"));
        assertEquals(bulk("new"), h.call("GET", "k"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
    }

    @Test
    void setGetAnswersTheOldValue() {
        assertEquals(NIL, h.call("SET", "k", "v1", "GET"));
        assertEquals(bulk("v1"), h.call("SET", "k", "v2", "GET"));
        assertEquals(bulk("v2"), h.call("SET", "k", "v3", "get", "GET"));
        assertEquals(bulk("v3"), h.call("GET", "k"));
        // NX GET (allowed since 7.0): the old value, and nothing written when it exists.
        assertEquals(bulk("v3"), h.call("SET", "k", "v4", "NX", "GET"));
        assertEquals(bulk("v3"), h.call("GET", "k"));
        assertEquals(NIL, h.call("SET", "n", "v", "NX", "GET"));
        assertEquals(bulk("v"), h.call("GET", "n"));
        // XX GET: nil and nothing written when missing.
        assertEquals(NIL, h.call("SET", "x", "v", "XX", "GET"));
        assertNull(record("x"));
        assertEquals(bulk("v3"), h.call("SET", "k", "v5", "XX", "GET"));
        assertEquals(bulk("v5"), h.call("GET", "k"));
        // GET with an expiry sets the expiry and answers the old value.
        assertEquals(bulk("v5"), h.call("SET", "k", "v6", "Ex", "100", "GeT"));
        assertEquals(now() + 100_000, expireAt("k"));
    }

    @Test
    void setGetAndGetsetCountHitsAndMisses() {
        assertEquals(NIL, h.call("GETSET", "a", "1"));
        assertEquals(bulk("1"), h.call("GETSET", "a", "2"));
        assertEquals(bulk("2"), h.call("SET", "a", "3", "GET"));
        assertEquals(NIL, h.call("SET", "b", "3", "GET"));
        assertEquals(2, hits());
        assertEquals(2, misses());
    }

    @Test
    void writesDoNotCountHitsOrMisses() {
        h.call("SET", "a", "1");
        h.call("APPEND", "a", "x");
        h.call("SETRANGE", "a", "0", "y");
        h.call("INCR", "n");
        h.call("DECRBY", "n", "3");
        h.call("SETNX", "a", "1");
        h.call("MSETNX", "a", "1", "z", "2");
        h.call("MSET", "a", "1", "z", "2");
        h.call("INCRBYFLOAT", "f", "1");
        h.call("SET", "a", "1", "NX");
        h.call("SET", "a", "1", "XX");
        h.call("SET", "a", "1", "KEEPTTL");
        h.call("GETSET", "a", "1");
        assertEquals(1, hits()); // the GETSET
        assertEquals(0, misses());
    }

    @Test
    void readsCountHitsAndMisses() {
        h.call("SET", "a", "abc");
        h.call("SET", "n", "1");
        assertEquals(integer(3), h.call("STRLEN", "a"));
        assertEquals(ZERO, h.call("STRLEN", "zz"));
        assertEquals(bulk("ab"), h.call("GETRANGE", "a", "0", "1"));
        assertEquals(EMPTY, h.call("GETRANGE", "zz", "0", "1"));
        assertEquals("*3\r\n" + bulk("abc") + NIL + bulk("1"), h.call("MGET", "a", "zz", "n"));
        assertEquals(NIL, h.call("GETDEL", "zz"));
        assertEquals(NIL, h.call("GETEX", "zz"));
        assertEquals(bulk("abc"), h.call("GETEX", "a"));
        assertEquals(bulk("abc"), h.call("GETDEL", "a"));
        assertEquals(bulk("1"), h.call("GET", "n"));
        assertEquals(NIL, h.call("GET", "zz"));
        assertEquals(7, hits());
        assertEquals(6, misses());
        // An argument error comes before the lookup: nothing counted.
        assertEquals(NOT_INTEGER, h.call("GETRANGE", "n", "x", "1"));
        assertEquals(7, hits());
        assertEquals(6, misses());
    }

    @Test
    void anExpiredKeyIsAMiss() {
        h.call("SET", "k", "v", "PX", "5");
        h.clock.advance(6);
        assertEquals(NIL, h.call("GET", "k"));
        assertEquals(0, hits());
        assertEquals(1, misses());
        assertEquals(1, h.context.keyspace().expiredKeys());
    }

    // ---- SET: expiry options -----------------------------------------------------------------

    @Test
    void setExpiryForms() {
        assertEquals(OK, h.call("SET", "ex", "v", "EX", "10"));
        assertEquals(now() + 10_000, expireAt("ex"));
        assertEquals(OK, h.call("SET", "px", "v", "PX", "1500"));
        assertEquals(now() + 1500, expireAt("px"));
        long seconds = now() / 1000 + 20;
        assertEquals(OK, h.call("SET", "exat", "v", "EXAT", Long.toString(seconds)));
        assertEquals(seconds * 1000, expireAt("exat"));
        assertEquals(OK, h.call("SET", "pxat", "v", "pxat", Long.toString(now() + 1234)));
        assertEquals(now() + 1234, expireAt("pxat"));
        assertEquals(OK, h.call("SET", "mixed", "v", "eXaT", Long.toString(seconds), "nx"));
        assertEquals(seconds * 1000, expireAt("mixed"));
    }

    @Test
    void aKeyLivesThroughItsExpiryMillisecond() {
        assertEquals(OK, h.call("SET", "k", "v", "PX", "100"));
        h.clock.advance(100);
        assertEquals(bulk("v"), h.call("GET", "k"));
        h.clock.advance(1);
        assertEquals(NIL, h.call("GET", "k"));

        assertEquals(OK, h.call("SETEX", "s", "1", "v"));
        h.clock.advance(1000);
        assertEquals(bulk("v"), h.call("GET", "s"));
        h.clock.advance(1);
        assertEquals(NIL, h.call("GET", "s"));

        // PXAT exactly now: still there this millisecond (SET lets the key expire lazily).
        assertEquals(OK, h.call("SET", "now", "v", "PXAT", Long.toString(now())));
        assertEquals(bulk("v"), h.call("GET", "now"));
        h.clock.advance(1);
        assertEquals(NIL, h.call("GET", "now"));
    }

    @Test
    void setWithAnExpiryInThePastWritesAnExpiredKey() {
        assertEquals(OK, h.call("SET", "k", "v"));
        assertEquals(OK, h.call("SET", "k", "v", "PXAT", "1"));
        assertEquals(NIL, h.call("GET", "k"));
        assertEquals(OK, h.call("SET", "k", "v", "EXAT", "1"));
        assertEquals(NIL, h.call("SET", "k", "w", "PXAT", "1", "GET"));
        assertEquals(NIL, h.call("GET", "k"));
    }

    @Test
    void setOneExpiryFormMayRepeatTheLastWinning() {
        assertEquals(OK, h.call("SET", "k", "v", "EX", "10", "EX", "20"));
        assertEquals(now() + 20_000, expireAt("k"));
        assertEquals(OK, h.call("SET", "k", "v", "PX", "10000", "px", "20000"));
        assertEquals(now() + 20_000, expireAt("k"));
        // The overridden amount is never parsed.
        assertEquals(OK, h.call("SET", "k", "v", "EX", "abc", "EX", "10"));
        assertEquals(now() + 10_000, expireAt("k"));
        assertEquals(OK, h.call("SET", "k", "v", "EX", "0", "EX", "10"));
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "EX", "10", "EX", "0"));
    }

    @Test
    void setExpiryConflicts() {
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EX", "10", "PX", "10"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EX", "10", "EXAT", "20"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "PXAT", "10", "PX", "20"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EXAT", "10", "PXAT", "20"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EX", "10", "KEEPTTL"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "KEEPTTL", "EX", "10"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "KEEPTTL", "PXAT", "10"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "PERSIST"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EX"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "NX", "PX"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EXPIRE", "10"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "10"));
        assertNull(record("k"));
    }

    @Test
    void setSyntaxIsCheckedBeforeTheExpiryAmount() {
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EX", "abc", "NX", "XX"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "EX", "0", "foo"));
        assertEquals(NOT_INTEGER, h.call("SET", "k", "v", "EX", "abc", "NX"));
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "NX", "EX", "0"));
        // The amount is checked before the GET: an error, not the old value.
        h.call("SET", "k", "old");
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "GET", "EX", "-1"));
        assertEquals(bulk("old"), h.call("GET", "k"));
    }

    @Test
    void setInvalidExpireTimes() {
        for (String unit : new String[] {"EX", "PX", "EXAT", "PXAT"}) {
            assertEquals(invalidExpire("set"), h.call("SET", "k", "v", unit, "0"), unit);
            assertEquals(invalidExpire("set"), h.call("SET", "k", "v", unit, "-1"), unit);
            assertEquals(invalidExpire("set"), h.call("SET", "k", "v", unit, LLONG_MIN), unit);
            assertEquals(NOT_INTEGER, h.call("SET", "k", "v", unit, "1.5"), unit);
            assertEquals(NOT_INTEGER, h.call("SET", "k", "v", unit, " 1"), unit);
            assertEquals(NOT_INTEGER, h.call("SET", "k", "v", unit, "01"), unit);
            assertEquals(NOT_INTEGER, h.call("SET", "k", "v", unit, "9223372036854775808"), unit);
        }
        assertNull(record("k"));
    }

    @Test
    void setExpiryOverflow() {
        // Seconds times 1000 overflows.
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "EX", "9223372036854776"));
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "EXAT", LLONG_MAX));
        // The product fits but adding now overflows.
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "EX", "9223372036854775"));
        assertEquals(invalidExpire("set"), h.call("SET", "k", "v", "PX", LLONG_MAX));
        assertNull(record("k"));
        // Absolute milliseconds need no arithmetic.
        assertEquals(OK, h.call("SET", "k", "v", "PXAT", LLONG_MAX));
        assertEquals(Long.MAX_VALUE, expireAt("k"));
        assertEquals(OK, h.call("SET", "k", "v", "EXAT", "9223372036854775"));
        assertEquals(9223372036854775000L, expireAt("k"));
        assertEquals(OK, h.call("SET", "k", "v", "PX", Long.toString(Long.MAX_VALUE - now())));
        assertEquals(Long.MAX_VALUE, expireAt("k"));
    }

    @Test
    void setKeepTtl() {
        assertEquals(OK, h.call("SET", "k", "v", "EX", "100"));
        long at = expireAt("k");
        h.clock.advance(10);
        assertEquals(OK, h.call("SET", "k", "w", "KEEPTTL"));
        assertEquals(at, expireAt("k"));
        assertEquals(OK, h.call("SET", "k", "x", "keepttl", "KEEPTTL", "XX"));
        assertEquals(at, expireAt("k"));
        assertEquals(bulk("x"), h.call("SET", "k", "y", "KeEpTtL", "GET"));
        assertEquals(at, expireAt("k"));
        assertEquals(bulk("y"), h.call("GET", "k"));
        // On a missing key KEEPTTL keeps nothing.
        assertEquals(OK, h.call("SET", "n", "v", "KEEPTTL"));
        assertEquals(Record.NO_EXPIRY, expireAt("n"));
        // On an expired key either: the old TTL died with it.
        h.clock.advance(100_000);
        assertEquals(OK, h.call("SET", "k", "z", "KEEPTTL"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
    }

    @Test
    void optionNamesAreMatchedAsAsciiCStrings() {
        // U+212A KELVIN SIGN (UTF-8 E2 84 AA) folds to 'k' in Java's toLowerCase, not in Redis.
        assertEquals(SYNTAX, h.call("SET", "k", "v", "\u00e2\u0084\u00aaEEPTTL"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "N"));
        assertEquals(SYNTAX, h.call("SET", "k", "v", "NXX"));
        assertNull(record("k"));
        // Redis compares options as C strings: they end at the first zero byte.
        assertEquals(OK, h.call("SET", "k", "v", "NX\u0000junk"));
        assertEquals(NIL, h.call("SET", "k", "w", "nx\u0000"));
        assertEquals(OK, h.call("SET", "k", "w", "EX\u0000", "10", "XX\u0000"));
        assertEquals(now() + 10_000, expireAt("k"));
        assertEquals(bulk("w"), h.call("GETEX", "k", "PERSIST\u0000x"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
    }

    // ---- SETNX, SETEX, PSETEX ----------------------------------------------------------------

    @Test
    void setnx() {
        assertEquals(ONE, h.call("SETNX", "k", "v"));
        assertEquals(ZERO, h.call("SETNX", "k", "w"));
        assertEquals(bulk("v"), h.call("GET", "k"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
        h.call("PSETEX", "t", "10", "old");
        h.clock.advance(11);
        assertEquals(ONE, h.call("SETNX", "t", "new"));
        assertEquals(Record.NO_EXPIRY, expireAt("t"));
        assertEquals(arity("setnx"), h.call("SETNX", "k"));
        assertEquals(arity("setnx"), h.call("SETNX", "k", "v", "NX"));
    }

    @Test
    void setexAndPsetex() {
        assertEquals(OK, h.call("SETEX", "k", "10", "v"));
        assertEquals(bulk("v"), h.call("GET", "k"));
        assertEquals(now() + 10_000, expireAt("k"));
        assertEquals(OK, h.call("PSETEX", "k", "1500", "w"));
        assertEquals(bulk("w"), h.call("GET", "k"));
        assertEquals(now() + 1500, expireAt("k"));

        assertEquals(invalidExpire("setex"), h.call("SETEX", "k", "0", "v"));
        assertEquals(invalidExpire("setex"), h.call("SETEX", "k", "-5", "v"));
        assertEquals(invalidExpire("setex"), h.call("SETEX", "k", LLONG_MAX, "v"));
        assertEquals(invalidExpire("setex"), h.call("SETEX", "k", "9223372036854775", "v"));
        assertEquals(invalidExpire("psetex"), h.call("PSETEX", "k", "0", "v"));
        assertEquals(invalidExpire("psetex"), h.call("PSETEX", "k", LLONG_MAX, "v"));
        assertEquals(NOT_INTEGER, h.call("SETEX", "k", "abc", "v"));
        assertEquals(NOT_INTEGER, h.call("PSETEX", "k", "1.0", "v"));
        assertEquals(bulk("w"), h.call("GET", "k"));
        assertEquals(arity("setex"), h.call("SETEX", "k", "10"));
        assertEquals(arity("psetex"), h.call("PSETEX", "k", "10", "v", "x"));
    }

    // ---- GETSET, GETDEL, GETEX ---------------------------------------------------------------

    @Test
    void getsetReplacesValueAndTtl() {
        assertEquals(NIL, h.call("GETSET", "k", "v1"));
        assertEquals(OK, h.call("SET", "k", "v2", "EX", "100"));
        assertEquals(bulk("v2"), h.call("GETSET", "k", "v3"));
        assertEquals(bulk("v3"), h.call("GET", "k"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
        assertEquals(arity("getset"), h.call("GETSET", "k"));
    }

    @Test
    void getdel() {
        assertEquals(NIL, h.call("GETDEL", "k"));
        h.call("SET", "k", "v", "EX", "10");
        assertEquals(bulk("v"), h.call("GETDEL", "k"));
        assertNull(record("k"));
        assertEquals(NIL, h.call("GETDEL", "k"));
        assertEquals(0, h.context.keyspace().volatileCount());
        h.call("SET", "e", "v", "PX", "1");
        h.clock.advance(2);
        assertEquals(NIL, h.call("GETDEL", "e"));
        assertEquals(arity("getdel"), h.call("GETDEL"));
        assertEquals(arity("getdel"), h.call("GETDEL", "a", "b"));
    }

    @Test
    void getexWithoutOptionsIsGet() {
        h.call("SET", "k", "v", "EX", "10");
        long at = expireAt("k");
        assertEquals(bulk("v"), h.call("GETEX", "k"));
        assertEquals(at, expireAt("k"));
        assertEquals(NIL, h.call("GETEX", "missing"));
        assertEquals(arity("getex"), h.call("GETEX"));
    }

    @Test
    void getexSetsTheExpiry() {
        h.call("SET", "k", "v");
        assertEquals(bulk("v"), h.call("GETEX", "k", "EX", "10"));
        assertEquals(now() + 10_000, expireAt("k"));
        assertEquals(bulk("v"), h.call("GETEX", "k", "px", "1500"));
        assertEquals(now() + 1500, expireAt("k"));
        long seconds = now() / 1000 + 30;
        assertEquals(bulk("v"), h.call("GETEX", "k", "EXAT", Long.toString(seconds)));
        assertEquals(seconds * 1000, expireAt("k"));
        assertEquals(bulk("v"), h.call("GETEX", "k", "PXAT", Long.toString(now() + 5)));
        assertEquals(now() + 5, expireAt("k"));
        assertEquals(bulk("v"), h.call("GETEX", "k", "EX", "10", "EX", "20"));
        assertEquals(now() + 20_000, expireAt("k"));
        assertEquals(bulk("v"), h.call("GETEX", "k", "PERSIST"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
        assertEquals(bulk("v"), h.call("GETEX", "k", "persist", "PERSIST"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
        assertEquals(0, h.context.keyspace().volatileCount());
        h.clock.advance(1_000_000);
        assertEquals(bulk("v"), h.call("GET", "k"));
    }

    @Test
    void getexRelativeExpiryBoundary() {
        h.call("SET", "k", "v");
        assertEquals(bulk("v"), h.call("GETEX", "k", "PX", "50"));
        h.clock.advance(50);
        assertEquals(bulk("v"), h.call("GET", "k"));
        h.clock.advance(1);
        assertEquals(NIL, h.call("GETEX", "k"));
    }

    @Test
    void getexWithAnAbsoluteExpiryReachedDeletesTheKey() {
        h.call("SET", "k", "v");
        assertEquals(bulk("v"), h.call("GETEX", "k", "PXAT", "1"));
        assertNull(record("k"));
        // Deleted, not expired: Redis does not count it in expired_keys.
        assertEquals(0, h.context.keyspace().expiredKeys());
        // Unlike SET, GETEX deletes at the expiry millisecond itself.
        h.call("SET", "k", "v");
        assertEquals(bulk("v"), h.call("GETEX", "k", "PXAT", Long.toString(now())));
        assertNull(record("k"));
        h.call("SET", "k", "v");
        assertEquals(bulk("v"), h.call("GETEX", "k", "EXAT", Long.toString(now() / 1000)));
        assertNull(record("k"));
        assertEquals(0, h.context.keyspace().expiredKeys());
    }

    @Test
    void getexOptionErrors() {
        h.call("SET", "k", "v", "EX", "100");
        long at = expireAt("k");
        assertEquals(SYNTAX, h.call("GETEX", "k", "PERSIST", "EX", "10"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "EX", "10", "PERSIST"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "EX", "10", "PX", "10"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "KEEPTTL"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "NX"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "XX"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "GET"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "EX"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "FOO"));
        assertEquals(SYNTAX, h.call("GETEX", "k", "EX", "abc", "FOO"));
        assertEquals(invalidExpire("getex"), h.call("GETEX", "k", "EX", "0"));
        assertEquals(invalidExpire("getex"), h.call("GETEX", "k", "PXAT", "-1"));
        assertEquals(invalidExpire("getex"), h.call("GETEX", "k", "EX", "9223372036854776"));
        assertEquals(invalidExpire("getex"), h.call("GETEX", "k", "PX", LLONG_MAX));
        assertEquals(NOT_INTEGER, h.call("GETEX", "k", "EX", "abc"));
        assertEquals(at, expireAt("k"));
    }

    @Test
    void getexOnAMissingKeyAnswersNilBeforeCheckingTheAmount() {
        assertEquals(NIL, h.call("GETEX", "missing", "EX", "0"));
        assertEquals(NIL, h.call("GETEX", "missing", "EX", "abc"));
        assertEquals(NIL, h.call("GETEX", "missing", "PERSIST"));
        assertEquals(SYNTAX, h.call("GETEX", "missing", "FOO"));
        assertEquals(3, misses());
        assertNull(record("missing"));
    }

    // ---- MGET, MSET, MSETNX ------------------------------------------------------------------

    @Test
    void mget() {
        h.call("SET", "a", "1");
        h.call("SET", "b", "");
        h.call("SET", "gone", "x", "PX", "1");
        h.clock.advance(2);
        assertEquals("*5\r\n" + bulk("1") + EMPTY + NIL + NIL + bulk("1"),
            h.call("MGET", "a", "b", "c", "gone", "a"));
        assertEquals("*1\r\n" + NIL, h.call("MGET", "c"));
        assertEquals(arity("mget"), h.call("MGET"));
    }

    @Test
    void mset() {
        h.call("SET", "a", "old", "EX", "100");
        assertEquals(OK, h.call("MSET", "a", "1", "b", "2"));
        assertEquals("*2\r\n" + bulk("1") + bulk("2"), h.call("MGET", "a", "b"));
        assertEquals(Record.NO_EXPIRY, expireAt("a"));
        assertEquals(OK, h.call("MSET", "a", "x", "a", "y"));
        assertEquals(bulk("y"), h.call("GET", "a"));
        assertEquals(arity("mset"), h.call("MSET", "a", "1", "b"));
        assertEquals(arity("mset"), h.call("MSET", "a"));
        assertEquals(arity("mset"), h.call("MSET"));
        assertEquals(bulk("2"), h.call("GET", "b"));
    }

    @Test
    void msetnx() {
        assertEquals(ONE, h.call("MSETNX", "a", "1", "b", "2"));
        assertEquals(ZERO, h.call("MSETNX", "b", "x", "c", "3"));
        assertNull(record("c"));
        assertEquals(bulk("2"), h.call("GET", "b"));
        assertEquals(ONE, h.call("MSETNX", "q", "1", "q", "2"));
        assertEquals(bulk("2"), h.call("GET", "q"));
        h.call("SET", "e", "v", "PX", "1");
        h.clock.advance(2);
        assertEquals(ONE, h.call("MSETNX", "e", "new", "f", "1"));
        assertEquals(Record.NO_EXPIRY, expireAt("e"));
        assertEquals(arity("msetnx"), h.call("MSETNX", "a", "1", "b"));
        assertEquals(arity("msetnx"), h.call("MSETNX", "a"));
    }

    // ---- APPEND, STRLEN ----------------------------------------------------------------------

    @Test
    void appendCreatesExtendsAndKeepsTheTtl() {
        assertEquals(integer(5), h.call("APPEND", "k", "Hello"));
        assertEquals(integer(11), h.call("APPEND", "k", " World"));
        assertEquals(bulk("Hello World"), h.call("GET", "k"));
        assertEquals(integer(11), h.call("APPEND", "k", ""));
        h.call("SET", "t", "a", "EX", "100");
        long at = expireAt("t");
        assertEquals(integer(2), h.call("APPEND", "t", "b"));
        assertEquals(at, expireAt("t"));
        // An integer-looking value appends as text.
        h.call("INCR", "n");
        assertEquals(integer(2), h.call("APPEND", "n", "0"));
        assertEquals(bulk("10"), h.call("GET", "n"));
        assertEquals(arity("append"), h.call("APPEND", "k"));
    }

    @Test
    void appendOfNothingToAMissingKeyCreatesAnEmptyString() {
        assertEquals(ZERO, h.call("APPEND", "e", ""));
        assertEquals(EMPTY, h.call("GET", "e"));
        assertEquals(1, h.context.keyspace().size());
    }

    @Test
    void appendIsLimitedByProtoMaxBulkLen() {
        ServerHarness small = new ServerHarness(Map.of("proto-max-bulk-len", "1mb"));
        assertEquals(integer(MB - 1), small.call("APPEND", "k", repeat('a', MB - 1)));
        assertEquals(integer(MB), small.call("APPEND", "k", "b"));
        assertEquals(TOO_LONG, small.call("APPEND", "k", "c"));
        assertEquals(integer(MB), small.call("STRLEN", "k"));
        assertEquals(integer(MB), small.call("APPEND", "k", ""));
    }

    @Test
    void strlen() {
        assertEquals(ZERO, h.call("STRLEN", "k"));
        h.call("SET", "k", "Hello World");
        assertEquals(integer(11), h.call("STRLEN", "k"));
        h.call("SET", "k", "\u00ff\u0000");
        assertEquals(integer(2), h.call("STRLEN", "k"));
        h.call("SET", "n", "-12345");
        assertEquals(integer(6), h.call("STRLEN", "n"));
        assertEquals(arity("strlen"), h.call("STRLEN"));
    }

    // ---- GETRANGE ----------------------------------------------------------------------------

    @Test
    void getrangeIndexes() {
        h.call("SET", "s", "Hello World");
        String[][] cases = {
            {"0", "3", "Hell"},
            {"-3", "-1", "rld"},
            {"0", "-1", "Hello World"},
            {"10", "100", "d"},
            {"5", "3", ""},
            {"-1", "-5", ""},       // both negative, start after end
            {"-100", "-50", "H"},   // both clamp to 0
            {"-100", "2", "Hel"},
            {"11", "20", ""},
            {"0", "0", "H"},
            {"-1", "-1", "d"},
            {"3", "-100", ""},
            {"-11", "-11", "H"},
            {"-12", "-12", "H"},
            {"-12", "0", "H"},
            {LLONG_MIN, "-1", "Hello World"},
            {"0", LLONG_MAX, "Hello World"},
            {LLONG_MIN, LLONG_MAX, "Hello World"},
            {"-5", LLONG_MIN, ""},
            {LLONG_MAX, LLONG_MAX, ""},
        };
        for (String[] c : cases) {
            assertEquals(bulk(c[2]), h.call("GETRANGE", "s", c[0], c[1]), c[0] + " " + c[1]);
        }
    }

    @Test
    void getrangeOfNothing() {
        assertEquals(EMPTY, h.call("GETRANGE", "missing", "0", "-1"));
        h.call("SET", "e", "");
        assertEquals(EMPTY, h.call("GETRANGE", "e", "0", "-1"));
        assertEquals(EMPTY, h.call("GETRANGE", "e", "-1", "0"));
        h.call("SET", "i", "12345");
        assertEquals(bulk("234"), h.call("GETRANGE", "i", "1", "-2"));
        assertEquals(NOT_INTEGER, h.call("GETRANGE", "i", "0", "x"));
        assertEquals(NOT_INTEGER, h.call("GETRANGE", "i", "1.0", "2"));
        assertEquals(NOT_INTEGER, h.call("GETRANGE", "missing", "a", "2"));
        assertEquals(arity("getrange"), h.call("GETRANGE", "i", "0"));
    }

    // ---- SETRANGE ----------------------------------------------------------------------------

    @Test
    void setrangeOverwritesAndPadsWithZeroBytes() {
        h.call("SET", "k", "Hello World");
        assertEquals(integer(11), h.call("SETRANGE", "k", "6", "Redis"));
        assertEquals(bulk("Hello Redis"), h.call("GET", "k"));
        assertEquals(integer(13), h.call("SETRANGE", "k", "10", "sss"));
        assertEquals(bulk("Hello Redisss"), h.call("GET", "k"));
        assertEquals(integer(6), h.call("SETRANGE", "p", "5", "x"));
        assertEquals(bulk("\u0000\u0000\u0000\u0000\u0000x"), h.call("GET", "p"));
        assertEquals(integer(9), h.call("SETRANGE", "p", "8", "y"));
        assertEquals(bulk("\u0000\u0000\u0000\u0000\u0000x\u0000\u0000y"), h.call("GET", "p"));
        assertEquals(Record.NO_EXPIRY, expireAt("p"));
    }

    @Test
    void setrangeKeepsTheTtl() {
        h.call("SET", "k", "abc", "PX", "1000");
        long at = expireAt("k");
        assertEquals(integer(3), h.call("SETRANGE", "k", "0", "x"));
        assertEquals(at, expireAt("k"));
        assertEquals(bulk("xbc"), h.call("GET", "k"));
    }

    @Test
    void setrangeWithNothingToWrite() {
        assertEquals(ZERO, h.call("SETRANGE", "missing", "0", ""));
        assertEquals(ZERO, h.call("SETRANGE", "missing", "99999999999", ""));
        assertNull(record("missing"));
        assertEquals(0, h.context.keyspace().size());
        h.call("SET", "k", "abc");
        assertEquals(integer(3), h.call("SETRANGE", "k", "100", ""));
        assertEquals(integer(3), h.call("SETRANGE", "k", LLONG_MAX, ""));
        assertEquals(bulk("abc"), h.call("GET", "k"));
    }

    @Test
    void setrangeOffsetErrors() {
        assertEquals(OFFSET, h.call("SETRANGE", "k", "-1", "x"));
        assertEquals(OFFSET, h.call("SETRANGE", "k", "-1", ""));
        assertEquals(OFFSET, h.call("SETRANGE", "k", LLONG_MIN, "x"));
        assertEquals(NOT_INTEGER, h.call("SETRANGE", "k", "abc", "x"));
        assertEquals(NOT_INTEGER, h.call("SETRANGE", "k", "9223372036854775808", "x"));
        assertEquals(NOT_INTEGER, h.call("SETRANGE", "k", "1.5", ""));
        // Offsets whose end overflows a long are too long, not a crash.
        assertEquals(TOO_LONG, h.call("SETRANGE", "k", LLONG_MAX, "x"));
        assertEquals(TOO_LONG, h.call("SETRANGE", "k", "9223372036854775806", "xyz"));
        assertEquals(TOO_LONG, h.call("SETRANGE", "k", Long.toString(512L * MB), "x"));
        h.call("SET", "k", "v");
        assertEquals(TOO_LONG, h.call("SETRANGE", "k", LLONG_MAX, "x"));
        assertEquals(bulk("v"), h.call("GET", "k"));
        assertEquals(arity("setrange"), h.call("SETRANGE", "k", "0"));
    }

    @Test
    void setrangeIsLimitedByProtoMaxBulkLen() {
        ServerHarness small = new ServerHarness(Map.of("proto-max-bulk-len", "1mb"));
        assertEquals(TOO_LONG, small.call("SETRANGE", "k", Integer.toString(MB), "x"));
        assertEquals(TOO_LONG, small.call("SETRANGE", "k", Integer.toString(MB - 1), "xy"));
        assertNull(small.context.keyspace().get(bytes("k")));
        assertEquals(integer(MB), small.call("SETRANGE", "k", Integer.toString(MB - 1), "x"));
        assertEquals(TOO_LONG, small.call("SETRANGE", "k", Integer.toString(MB), "x"));
        assertEquals(integer(MB), small.call("SETRANGE", "k", "0", "y"));
        assertEquals(integer(MB), small.call("SETRANGE", "k", Integer.toString(10 * MB), ""));
        assertEquals(bulk("y\u0000"), small.call("GETRANGE", "k", "0", "1"));
        assertEquals(bulk("\u0000x"), small.call("GETRANGE", "k", "-2", "-1"));
    }

    // ---- INCR, DECR, INCRBY, DECRBY ----------------------------------------------------------

    @Test
    void counters() {
        assertEquals(ONE, h.call("INCR", "n"));
        assertEquals(integer(2), h.call("INCR", "n"));
        assertEquals(ONE, h.call("DECR", "n"));
        assertEquals(integer(11), h.call("INCRBY", "n", "10"));
        assertEquals(integer(-4), h.call("DECRBY", "n", "15"));
        assertEquals(integer(-4), h.call("INCRBY", "n", "0"));
        assertEquals(integer(6), h.call("DECRBY", "n", "-10"));
        assertEquals(bulk("6"), h.call("GET", "n"));
        assertEquals(integer(-1), h.call("DECR", "m"));
        assertEquals(integer(-5), h.call("DECRBY", "d", "5"));
        assertEquals(integer(7), h.call("INCRBY", "i", "7"));
        assertEquals(bulk("-5"), h.call("GET", "d"));
        assertEquals(arity("incr"), h.call("INCR"));
        assertEquals(arity("incrby"), h.call("INCRBY", "n"));
        assertEquals(arity("decr"), h.call("DECR", "n", "1"));
    }

    @Test
    void countersRefuseValuesThatAreNotStrictIntegers() {
        for (String value : new String[] {" 1", "1 ", "01", "1.0", "+1", "-0", "-", "", "00", "0x10", "1e3",
            "12345678901234567890", "123456789012345678901", "9223372036854775808", "-9223372036854775809", "abc",
            "1\u0000"}) {
            h.call("SET", "k", value);
            assertEquals(NOT_INTEGER, h.call("INCR", "k"), "[" + value + "]");
            assertEquals(NOT_INTEGER, h.call("DECRBY", "k", "1"), "[" + value + "]");
            assertEquals(bulk(value), h.call("GET", "k"));
        }
        h.call("SET", "k", "5");
        for (String increment : new String[] {" 1", "1 ", "01", "1.0", "+1", "-0", "", "9223372036854775808"}) {
            assertEquals(NOT_INTEGER, h.call("INCRBY", "k", increment), "[" + increment + "]");
            assertEquals(NOT_INTEGER, h.call("DECRBY", "k", increment), "[" + increment + "]");
        }
        assertEquals(bulk("5"), h.call("GET", "k"));
    }

    @Test
    void countersAtTheLimits() {
        h.call("SET", "k", LLONG_MIN);
        assertEquals(integer(Long.MIN_VALUE + 1), h.call("INCR", "k"));
        assertEquals(integer(Long.MIN_VALUE), h.call("DECR", "k"));
        assertEquals(OVERFLOW, h.call("DECR", "k"));
        assertEquals(OVERFLOW, h.call("INCRBY", "k", "-1"));
        assertEquals(bulk(LLONG_MIN), h.call("GET", "k"));
        h.call("SET", "k", LLONG_MAX);
        assertEquals(OVERFLOW, h.call("INCR", "k"));
        assertEquals(OVERFLOW, h.call("DECRBY", "k", "-1"));
        assertEquals(integer(-1), h.call("INCRBY", "k", LLONG_MIN));
        h.call("SET", "k", "5");
        assertEquals(OVERFLOW, h.call("DECRBY", "k", "-9223372036854775807"));
        assertEquals(OVERFLOW, h.call("INCRBY", "k", LLONG_MAX));
        assertEquals(integer(Long.MIN_VALUE + 5), h.call("INCRBY", "k", LLONG_MIN));
        h.call("SET", "k", "0");
        // DECRBY LLONG_MIN is refused before the key is read: negating it overflows.
        assertEquals(error("ERR decrement would overflow"), h.call("DECRBY", "k", LLONG_MIN));
        assertEquals(error("ERR decrement would overflow"), h.call("DECRBY", "missing", LLONG_MIN));
        assertEquals(integer(Long.MAX_VALUE), h.call("DECRBY", "k", "-9223372036854775807"));
        assertNull(record("missing"));
    }

    @Test
    void countersKeepTheTtl() {
        h.call("SET", "k", "10", "EX", "100");
        long at = expireAt("k");
        assertEquals(integer(11), h.call("INCR", "k"));
        assertEquals(integer(9), h.call("DECRBY", "k", "2"));
        assertEquals(at, expireAt("k"));
        h.clock.advance(100_000);
        assertEquals(integer(10), h.call("INCR", "k"));
        h.clock.advance(1);
        assertEquals(ONE, h.call("INCR", "k"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
    }

    // ---- INCRBYFLOAT -------------------------------------------------------------------------

    @Test
    void incrbyfloatTheDocumentedExamples() {
        h.call("SET", "k", "10.50");
        assertEquals(bulk("10.6"), h.call("INCRBYFLOAT", "k", "0.1"));
        assertEquals(bulk("5.6"), h.call("INCRBYFLOAT", "k", "-5"));
        h.call("SET", "k", "5.0e3");
        assertEquals(bulk("5200"), h.call("INCRBYFLOAT", "k", "2.0e2"));
        assertEquals(bulk("5200"), h.call("GET", "k"));
    }

    @Test
    void incrbyfloatComputesInLongDouble() {
        // In double these would print 0.30000000000000004 and 3.3000000000000003.
        h.call("SET", "k", "0.1");
        assertEquals(bulk("0.3"), h.call("INCRBYFLOAT", "k", "0.2"));
        h.call("SET", "k", "1.1");
        assertEquals(bulk("3.3"), h.call("INCRBYFLOAT", "k", "2.2"));
        // "%.17Lf" prints the exact extended value to 17 decimals, then strips zeros.
        assertEquals(bulk("-99999999999999996.703125"), h.call("INCRBYFLOAT", "k", "-1e17"));
        assertEquals(bulk("-99999999999999873.25"), h.call("INCRBYFLOAT", "k", "12345.6789e-2"));
        h.call("SET", "k", LLONG_MAX);
        assertEquals(bulk("9223372036854775808"), h.call("INCRBYFLOAT", "k", "1"));
        h.call("SET", "k", "18446744073709551617"); // 2^64 + 1 needs 65 bits
        assertEquals(bulk("18446744073709551616"), h.call("INCRBYFLOAT", "k", "0"));
        h.call("SET", "k", "1e20");
        assertEquals(bulk("100000000000000000000"), h.call("INCRBYFLOAT", "k", "0.1"));
        // Beyond double's range but within long double's.
        h.call("SET", "k", "1e400");
        String big = h.call("INCRBYFLOAT", "k", "-1e399");
        assertEquals("$400\r\n9", big.substring(0, 7));
        h.call("SET", "k", "0x1p16383");
        assertEquals("$4932\r\n59486574767861588254", h.call("INCRBYFLOAT", "k", "0").substring(0, 27));
    }

    @Test
    void incrbyfloatRoundsToSeventeenDecimalsHalfEven() {
        assertEquals(bulk("0.00000381469726562"), h.call("INCRBYFLOAT", "a", "0.000003814697265625"));
        assertEquals(bulk("-0.00000381469726562"), h.call("INCRBYFLOAT", "b", "-0.000003814697265625"));
        assertEquals(bulk("0"), h.call("INCRBYFLOAT", "c", "1e-20"));
        assertEquals(bulk("0"), h.call("INCRBYFLOAT", "c", "-1e-20")); // never "-0"
        assertEquals(bulk("0.00000000000000002"), h.call("INCRBYFLOAT", "d", "0.000000000000000015"));
        assertEquals(bulk("0"), h.call("INCRBYFLOAT", "e", "0.000000000000000005"));
        h.call("SET", "k", "3");
        assertEquals(bulk("0"), h.call("INCRBYFLOAT", "k", "-3"));
        assertEquals(bulk("0"), h.call("INCRBYFLOAT", "k", "-0.0"));
        h.call("SET", "k", "-1.5");
        assertEquals(bulk("-0.5"), h.call("INCRBYFLOAT", "k", "1"));
        assertEquals(bulk("-0.37654321098765432"), h.call("INCRBYFLOAT", "k", "0.123456789012345678901"));
        assertEquals(bulk("-0.37654321098765432"), h.call("INCRBYFLOAT", "k", "1e-18"));
    }

    @Test
    void incrbyfloatAcceptsWhatStrtoldAccepts() {
        String[][] cases = {
            {"1.", "2"},
            {".5", "1.5"},
            {"-.5", "0.5"},
            {"+.5e1", "6"},
            {"1e+2", "101"},
            {"1.5E3", "1501"},
            {"0x10", "17"},
            {"0x1.8p1", "4"},
            {"0X1P-2", "1.25"},
            {"0X.8P+1", "2"},
            {"1e-4940", "1"},  // subnormal in long double, not zero: accepted
            {"0e99999999999", "1"},
        };
        for (String[] c : cases) {
            h.call("SET", "k", "1");
            assertEquals(bulk(c[1]), h.call("INCRBYFLOAT", "k", c[0]), c[0]);
        }
    }

    @Test
    void incrbyfloatRefusesWhatIsNotAValidFloat() {
        for (String bad : new String[] {".", "1e", "1e+", "0x", "0xg", "0xp1", "0x1p", "nan", "NaN", "-nan", "nan(1)",
            "1_0", " 1", "1 ", "\t1", "1\u0000", "\u0000", "", "abc", "1,5", "--1", "+-1", "infinite", "1e5000",
            "1e-5000", "-1e5000", "0x1p16384", "0x1p-16446", "1.0f", "1d"}) {
            h.call("SET", "k", "1");
            assertEquals(NOT_FLOAT, h.call("INCRBYFLOAT", "k", bad), "increment [" + bad + "]");
            h.call("SET", "k", bad);
            assertEquals(NOT_FLOAT, h.call("INCRBYFLOAT", "k", "1"), "value [" + bad + "]");
            assertEquals(bulk(bad), h.call("GET", "k"));
        }
        assertEquals(NOT_FLOAT, h.call("INCRBYFLOAT", "missing", "x"));
        assertNull(record("missing"));
    }

    @Test
    void incrbyfloatRefusesNaNAndInfinity() {
        for (String inf : new String[] {"inf", "-inf", "+INF", "Infinity", "-infinity"}) {
            h.call("SET", "k", "1");
            assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "k", inf), inf);
            h.call("SET", "k", inf);
            assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "k", "1"), inf);
        }
        h.call("SET", "k", "inf");
        assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "k", "-inf"));
        assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "missing", "inf"));
        assertNull(record("missing"));
        // An overflowing sum is infinite.
        h.call("SET", "k", "1.18e4932");
        assertEquals(NAN_OR_INF, h.call("INCRBYFLOAT", "k", "1.18e4932"));
        assertEquals(bulk("0"), h.call("INCRBYFLOAT", "k", "-1.18e4932"));
        assertEquals(arity("incrbyfloat"), h.call("INCRBYFLOAT", "k"));
    }

    @Test
    void incrbyfloatKeepsTheTtl() {
        h.call("SET", "k", "1.5", "PX", "500");
        long at = expireAt("k");
        assertEquals(bulk("2"), h.call("INCRBYFLOAT", "k", "0.5"));
        assertEquals(at, expireAt("k"));
        assertEquals(integer(3), h.call("INCR", "k"));
        h.clock.advance(501);
        assertEquals(bulk("0.5"), h.call("INCRBYFLOAT", "k", "0.5"));
        assertEquals(Record.NO_EXPIRY, expireAt("k"));
        assertFalse(record("k").hasExpiry());
    }
}
