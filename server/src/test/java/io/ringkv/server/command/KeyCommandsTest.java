package io.ringkv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.server.ServerHarness;
import io.ringkv.server.keyspace.Glob;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The generic key commands, byte for byte as Redis 7 answers them. Keys are written straight into
 * the keyspace (under their lock), so these tests do not depend on the string commands.
 */
class KeyCommandsTest {

    private static final String OK = "+OK\r\n";
    private static final String ZERO = ":0\r\n";
    private static final String ONE = ":1\r\n";
    private static final String NIL = "$-1\r\n";
    private static final String SYNTAX = "-ERR syntax error\r\n";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";

    private final ServerHarness h = new ServerHarness();

    private void set(String key, String value) {
        Keyspace keyspace = h.context.keyspace();
        byte[] k = bytes(key);
        keyspace.locked(k, () -> {
            keyspace.put(k, Record.persistent(bytes(value)));
            return null;
        });
    }

    private String value(String key) {
        Record record = h.context.keyspace().get(bytes(key));
        return record == null ? null : new String(record.value(), StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String integer(long n) {
        return ":" + n + "\r\n";
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String error(String text) {
        return "-" + text + "\r\n";
    }

    private long now() {
        return h.clock.millis();
    }

    // ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ---------------------------------------------------

    @Test
    void delCountsEachKeyOnce() {
        set("a", "1");
        set("b", "2");
        assertEquals(integer(2), h.call("DEL", "a", "b", "a", "missing"));
        assertEquals(ZERO, h.call("DEL", "a"));
        set("a", "1");
        assertEquals(ONE, h.call("del", "a"));
        assertNull(value("a"));
        assertEquals(error("ERR wrong number of arguments for 'del' command"), h.call("DEL"));
    }

    @Test
    void unlinkIsDel() {
        set("a", "1");
        set("b", "2");
        set("c", "3");
        assertEquals(integer(2), h.call("UNLINK", "a", "b", "x"));
        assertEquals(ONE, h.call("UNLINK", "c"));
        assertEquals(ZERO, h.call("DBSIZE"));
        assertEquals(error("ERR wrong number of arguments for 'unlink' command"), h.call("UNLINK"));
    }

    @Test
    void delDoesNotCountAnExpiredKey() {
        set("a", "1");
        h.call("PEXPIRE", "a", "100");
        h.clock.advance(101);
        assertEquals(ZERO, h.call("DEL", "a"));
        assertEquals(ZERO, h.call("DBSIZE"));
    }

    @Test
    void existsCountsRepeats() {
        set("a", "1");
        set("b", "2");
        assertEquals(integer(3), h.call("EXISTS", "a", "a", "b", "c"));
        assertEquals(ZERO, h.call("EXISTS", "c"));
        assertEquals(ONE, h.call("exists", "a"));
        assertEquals(error("ERR wrong number of arguments for 'exists' command"), h.call("EXISTS"));
    }

    @Test
    void touchCountsExistingKeys() {
        set("a", "1");
        assertEquals(integer(2), h.call("TOUCH", "a", "a", "b"));
        assertEquals(ZERO, h.call("TOUCH", "b"));
        assertEquals(error("ERR wrong number of arguments for 'touch' command"), h.call("TOUCH"));
    }

    @Test
    void typeIsStringOrNone() {
        set("a", "1");
        assertEquals("+string\r\n", h.call("TYPE", "a"));
        assertEquals("+none\r\n", h.call("TYPE", "b"));
        assertEquals(error("ERR wrong number of arguments for 'type' command"), h.call("TYPE"));
        assertEquals(error("ERR wrong number of arguments for 'type' command"), h.call("TYPE", "a", "b"));
    }

    @Test
    void expiredKeysAreGoneForReaders() {
        set("a", "1");
        assertEquals(ONE, h.call("PEXPIRE", "a", "1000"));
        h.clock.advance(999);
        assertEquals(ONE, h.call("EXISTS", "a"));
        assertEquals("+string\r\n", h.call("TYPE", "a"));
        assertEquals(integer(1), h.call("PTTL", "a"));
        h.clock.advance(2);
        assertEquals(ZERO, h.call("EXISTS", "a"));
        assertEquals("+none\r\n", h.call("TYPE", "a"));
        assertEquals(integer(-2), h.call("TTL", "a"));
        assertEquals(ZERO, h.call("DBSIZE"), "a read deletes the expired key");
    }

    // ---- EXPIRE family -------------------------------------------------------------------------

    @Test
    void expireSetsARelativeTtl() {
        set("a", "1");
        assertEquals(ONE, h.call("EXPIRE", "a", "100"));
        assertEquals(integer(100), h.call("TTL", "a"));
        assertEquals(integer(100_000), h.call("PTTL", "a"));
        assertEquals(integer(now() + 100_000), h.call("PEXPIRETIME", "a"));
        assertEquals(ZERO, h.call("EXPIRE", "missing", "100"));
        assertEquals(ZERO, h.call("EXISTS", "missing"));
    }

    @Test
    void pexpireSetsMilliseconds() {
        set("a", "1");
        assertEquals(ONE, h.call("PEXPIRE", "a", "1500"));
        assertEquals(integer(1500), h.call("PTTL", "a"));
        assertEquals(integer(2), h.call("TTL", "a"), "1.5s rounds up");
        assertEquals(ZERO, h.call("PEXPIRE", "missing", "1500"));
    }

    @Test
    void expireatAndPexpireatSetAbsoluteTimes() {
        set("a", "1");
        long at = now() / 1000 + 50;
        assertEquals(ONE, h.call("EXPIREAT", "a", Long.toString(at)));
        assertEquals(integer(at), h.call("EXPIRETIME", "a"));
        assertEquals(integer(at * 1000), h.call("PEXPIRETIME", "a"));
        long pat = now() + 12_345;
        assertEquals(ONE, h.call("PEXPIREAT", "a", Long.toString(pat)));
        assertEquals(integer(pat), h.call("PEXPIRETIME", "a"));
        assertEquals(integer(12_345), h.call("PTTL", "a"));
        assertEquals(integer(12), h.call("TTL", "a"));
        assertEquals(ZERO, h.call("EXPIREAT", "missing", Long.toString(at)));
        assertEquals(ZERO, h.call("PEXPIREAT", "missing", Long.toString(pat)));
    }

    @Test
    void pastOrNegativeTimesDeleteTheKeyAndAnswerOne() {
        for (String[] command : new String[][] {
            {"EXPIRE", "-1"}, {"EXPIRE", "0"}, {"PEXPIRE", "-5"}, {"PEXPIRE", "0"},
            {"EXPIREAT", "1"}, {"EXPIREAT", "-100"}, {"PEXPIREAT", "0"},
            {"PEXPIREAT", Long.toString(now())}, {"EXPIREAT", Long.toString(now() / 1000)}}) {
            set("a", "1");
            assertEquals(ONE, h.call(command[0], "a", command[1]), String.join(" ", command));
            assertEquals(ZERO, h.call("EXISTS", "a"), String.join(" ", command));
            assertEquals(ZERO, h.call("DBSIZE"), String.join(" ", command));
        }
        assertEquals(ZERO, h.call("EXPIRE", "missing", "-1"));
    }

    @Test
    void expireReplacesAnExistingTtl() {
        set("a", "1");
        h.call("EXPIRE", "a", "100");
        assertEquals(ONE, h.call("EXPIRE", "a", "20"));
        assertEquals(integer(20), h.call("TTL", "a"));
        assertEquals(ONE, h.call("EXPIRE", "a", "200"));
        assertEquals(integer(200), h.call("TTL", "a"));
    }

    @Test
    void expireNxOnlyWithoutTtl() {
        set("a", "1");
        assertEquals(ONE, h.call("EXPIRE", "a", "100", "NX"));
        assertEquals(ZERO, h.call("EXPIRE", "a", "200", "nx"));
        assertEquals(integer(100), h.call("TTL", "a"));
        assertEquals(ZERO, h.call("EXPIRE", "missing", "200", "NX"));
    }

    @Test
    void expireXxOnlyWithTtl() {
        set("a", "1");
        assertEquals(ZERO, h.call("EXPIRE", "a", "100", "XX"));
        assertEquals(integer(-1), h.call("TTL", "a"));
        h.call("EXPIRE", "a", "100");
        assertEquals(ONE, h.call("EXPIRE", "a", "200", "xx"));
        assertEquals(integer(200), h.call("TTL", "a"));
    }

    @Test
    void expireGtTreatsNoTtlAsInfinite() {
        set("a", "1");
        assertEquals(ZERO, h.call("EXPIRE", "a", "100", "GT"));
        assertEquals(integer(-1), h.call("TTL", "a"));
        h.call("EXPIRE", "a", "100");
        assertEquals(ZERO, h.call("EXPIRE", "a", "50", "GT"));
        assertEquals(ZERO, h.call("EXPIRE", "a", "100", "GT"), "equal is not greater");
        assertEquals(ONE, h.call("EXPIRE", "a", "150", "gt"));
        assertEquals(integer(150), h.call("TTL", "a"));
    }

    @Test
    void expireLtAppliesToKeysWithoutTtl() {
        set("a", "1");
        assertEquals(ONE, h.call("EXPIRE", "a", "100", "LT"));
        assertEquals(integer(100), h.call("TTL", "a"));
        assertEquals(ZERO, h.call("EXPIRE", "a", "150", "LT"));
        assertEquals(ZERO, h.call("EXPIRE", "a", "100", "LT"), "equal is not less");
        assertEquals(ONE, h.call("EXPIRE", "a", "50", "lt"));
        assertEquals(integer(50), h.call("TTL", "a"));
        assertEquals(ONE, h.call("EXPIRE", "a", "-1", "LT"), "a past time is less and deletes");
        assertEquals(ZERO, h.call("EXISTS", "a"));
    }

    @Test
    void expireXxCombinesWithGtAndLt() {
        set("a", "1");
        assertEquals(ZERO, h.call("EXPIRE", "a", "100", "XX", "LT"), "XX fails without a TTL");
        h.call("EXPIRE", "a", "100");
        assertEquals(ONE, h.call("EXPIRE", "a", "200", "XX", "GT"));
        assertEquals(ONE, h.call("EXPIRE", "a", "50", "LT", "XX"));
        assertEquals(integer(50), h.call("TTL", "a"));
        assertEquals(ONE, h.call("EXPIRE", "a", "60", "GT", "GT"), "a repeated option is fine");
    }

    @Test
    void expireOptionErrors() {
        set("a", "1");
        String nxError = error("ERR NX and XX, GT or LT options at the same time are not compatible");
        String gtLtError = error("ERR GT and LT options at the same time are not compatible");
        for (String cmd : new String[] {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
            assertEquals(nxError, h.call(cmd, "a", "100", "NX", "XX"));
            assertEquals(nxError, h.call(cmd, "a", "100", "GT", "NX"));
            assertEquals(nxError, h.call(cmd, "a", "100", "NX", "LT"));
            assertEquals(nxError, h.call(cmd, "a", "100", "NX", "GT", "LT"), "NX is checked first");
            assertEquals(gtLtError, h.call(cmd, "a", "100", "GT", "LT"));
            assertEquals(gtLtError, h.call(cmd, "a", "100", "XX", "LT", "GT"));
            assertEquals(error("ERR Unsupported option Foo"), h.call(cmd, "a", "100", "Foo"));
            assertEquals(error("ERR Unsupported option bar"), h.call(cmd, "a", "100", "NX", "bar"));
            assertEquals(error("ERR Unsupported option bar"), h.call(cmd, "missing", "1", "XX", "bar", "NX", "baz"),
                "the first unknown option is named");
            assertEquals(NOT_INTEGER, h.call(cmd, "a", "abc"));
            assertEquals(NOT_INTEGER, h.call(cmd, "a", "1.5"));
            assertEquals(NOT_INTEGER, h.call(cmd, "a", " 1"));
            assertEquals(error("ERR Unsupported option FOO"), h.call(cmd, "a", "abc", "FOO"),
                "options are parsed before the time");
            assertEquals(nxError, h.call(cmd, "a", "abc", "NX", "XX"));
            assertEquals(error("ERR wrong number of arguments for '" + cmd.toLowerCase() + "' command"),
                h.call(cmd, "a"));
        }
        assertEquals(integer(-1), h.call("TTL", "a"), "no error changed the key");
    }

    @Test
    void expireOverflowIsAnInvalidExpireTime() {
        set("a", "1");
        String max = Long.toString(Long.MAX_VALUE);
        String min = Long.toString(Long.MIN_VALUE);
        assertEquals(error("ERR invalid expire time in 'expire' command"), h.call("EXPIRE", "a", max));
        assertEquals(error("ERR invalid expire time in 'expire' command"), h.call("EXPIRE", "a", min));
        assertEquals(error("ERR invalid expire time in 'expire' command"),
            h.call("EXPIRE", "a", Long.toString(Long.MAX_VALUE / 1000 + 1)));
        assertEquals(error("ERR invalid expire time in 'expire' command"),
            h.call("EXPIRE", "a", Long.toString(Long.MAX_VALUE / 1000)), "fits in ms but not once now is added");
        assertEquals(error("ERR invalid expire time in 'pexpire' command"), h.call("PEXPIRE", "a", max));
        assertEquals(error("ERR invalid expire time in 'expireat' command"), h.call("EXPIREAT", "a", max));
        assertEquals(error("ERR invalid expire time in 'expireat' command"), h.call("EXPIREAT", "a", min));
        assertEquals(error("ERR invalid expire time in 'expire' command"), h.call("EXPIRE", "missing", max),
            "overflow is checked before the key");
        assertEquals(error("ERR invalid expire time in 'expire' command"), h.call("expire", "a", max),
            "the name is the command's, lower case");
        assertEquals(integer(-1), h.call("TTL", "a"));
        assertEquals(NOT_INTEGER, h.call("EXPIRE", "a", "9223372036854775808"));

        // The largest times that do fit.
        assertEquals(ONE, h.call("PEXPIREAT", "a", max));
        assertEquals(integer(Long.MAX_VALUE), h.call("PEXPIRETIME", "a"));
        assertEquals(integer(Long.MAX_VALUE - now()), h.call("PTTL", "a"));
        assertEquals(ONE, h.call("EXPIREAT", "a", Long.toString(Long.MAX_VALUE / 1000)));
        assertEquals(integer(Long.MAX_VALUE / 1000), h.call("EXPIRETIME", "a"));
        assertEquals(ONE, h.call("PEXPIRE", "a", Long.toString(Long.MAX_VALUE - now())));
        assertEquals(error("ERR invalid expire time in 'pexpire' command"),
            h.call("PEXPIRE", "a", Long.toString(Long.MAX_VALUE - now() + 1)));
        assertEquals(ONE, h.call("EXPIRE", "a", Long.toString((Long.MAX_VALUE - now()) / 1000)));
        // The most negative times that are accepted delete the key.
        assertEquals(ONE, h.call("EXPIRE", "a", Long.toString(Long.MIN_VALUE / 1000)));
        assertEquals(ZERO, h.call("EXISTS", "a"));
        set("a", "1");
        assertEquals(ONE, h.call("PEXPIRE", "a", min));
        assertEquals(ZERO, h.call("EXISTS", "a"));
    }

    @Test
    void expireKeepsTheValue() {
        set("a", "hello");
        h.call("EXPIRE", "a", "10");
        assertEquals("hello", value("a"));
    }

    // ---- TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST ---------------------------------------

    @Test
    void ttlOfMissingAndPersistentKeys() {
        for (String cmd : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
            assertEquals(integer(-2), h.call(cmd, "missing"), cmd);
            set("a", "1");
            assertEquals(integer(-1), h.call(cmd, "a"), cmd);
            assertEquals(error("ERR wrong number of arguments for '" + cmd.toLowerCase() + "' command"),
                h.call(cmd));
            assertEquals(error("ERR wrong number of arguments for '" + cmd.toLowerCase() + "' command"),
                h.call(cmd, "a", "b"));
        }
    }

    @Test
    void ttlRoundsToTheNearestSecond() {
        set("a", "1");
        h.call("PEXPIRE", "a", "1499");
        assertEquals(integer(1), h.call("TTL", "a"));
        h.call("PEXPIRE", "a", "1500");
        assertEquals(integer(2), h.call("TTL", "a"));
        h.call("PEXPIRE", "a", "499");
        assertEquals(ZERO, h.call("TTL", "a"));
        assertEquals(integer(499), h.call("PTTL", "a"));
        h.call("EXPIRE", "a", "10");
        h.clock.advance(400);
        assertEquals(integer(10), h.call("TTL", "a"));
        assertEquals(integer(9600), h.call("PTTL", "a"));
        h.clock.advance(200);
        assertEquals(integer(9), h.call("TTL", "a"));
        h.clock.advance(9399);
        assertEquals(ZERO, h.call("TTL", "a"));
        assertEquals(ONE, h.call("PTTL", "a"));
        h.clock.advance(2);
        assertEquals(integer(-2), h.call("TTL", "a"));
    }

    @Test
    void expiretimeRoundsToTheNearestSecond() {
        set("a", "1");
        h.call("PEXPIREAT", "a", "4000000000499");
        assertEquals(integer(4_000_000_000L), h.call("EXPIRETIME", "a"));
        assertEquals(integer(4_000_000_000_499L), h.call("PEXPIRETIME", "a"));
        h.call("PEXPIREAT", "a", "4000000000500");
        assertEquals(integer(4_000_000_001L), h.call("EXPIRETIME", "a"));
    }

    @Test
    void persistRemovesTheTtl() {
        set("a", "1");
        assertEquals(ZERO, h.call("PERSIST", "a"), "no TTL to remove");
        assertEquals(ZERO, h.call("PERSIST", "missing"));
        h.call("EXPIRE", "a", "10");
        assertEquals(ONE, h.call("PERSIST", "a"));
        assertEquals(integer(-1), h.call("TTL", "a"));
        h.clock.advance(20_000);
        assertEquals(ONE, h.call("EXISTS", "a"));
        assertEquals(ZERO, h.call("PERSIST", "a"));
        h.call("PEXPIRE", "a", "10");
        h.clock.advance(11);
        assertEquals(ZERO, h.call("PERSIST", "a"), "an expired key is missing");
        assertEquals(error("ERR wrong number of arguments for 'persist' command"), h.call("PERSIST"));
    }

    // ---- KEYS, SCAN, RANDOMKEY ---------------------------------------------------------------

    /** The bulk strings of a flat or nested RESP2 array reply, in order. */
    private static List<String> bulks(String resp) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < resp.length()) {
            int eol = resp.indexOf("\r\n", i);
            char type = resp.charAt(i);
            if (type == '$') {
                int len = Integer.parseInt(resp.substring(i + 1, eol));
                out.add(resp.substring(eol + 2, eol + 2 + len));
                i = eol + 2 + len + 2;
            } else if (type == '*') {
                i = eol + 2;
            } else {
                throw new AssertionError("unexpected reply: " + resp);
            }
        }
        return out;
    }

    private static List<String> sorted(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        Collections.sort(copy);
        return copy;
    }

    @Test
    void keysMatchesGlobPatterns() {
        assertEquals("*0\r\n", h.call("KEYS", "*"));
        for (String k : new String[] {"hello", "hallo", "hxllo", "hllo", "heeeello", "world"}) {
            set(k, "1");
        }
        assertEquals(List.of("hallo", "heeeello", "hello", "hllo", "hxllo", "world"),
            sorted(bulks(h.call("KEYS", "*"))));
        assertEquals(List.of("hallo", "hello", "hxllo"), sorted(bulks(h.call("KEYS", "h?llo"))));
        assertEquals(List.of("hallo", "heeeello", "hello", "hllo", "hxllo"), sorted(bulks(h.call("KEYS", "h*llo"))));
        assertEquals(List.of("hallo", "hello"), sorted(bulks(h.call("KEYS", "h[ae]llo"))));
        assertEquals(List.of("hxllo"), sorted(bulks(h.call("KEYS", "h[^ae]llo"))));
        assertEquals(List.of("hallo", "hello"), sorted(bulks(h.call("KEYS", "h[a-e]llo"))));
        assertEquals("*1\r\n" + bulk("world") + "", h.call("KEYS", "world"));
        assertEquals("*0\r\n", h.call("KEYS", "WORLD"), "KEYS is case-sensitive");
        assertEquals("*0\r\n", h.call("KEYS", "nomatch*"));
        assertEquals(error("ERR wrong number of arguments for 'keys' command"), h.call("KEYS"));
    }

    @Test
    void keysEscapesAndSkipsExpiredKeys() {
        set("a*b", "1");
        set("axb", "1");
        assertEquals("*1\r\n" + bulk("a*b"), h.call("KEYS", "a\\*b"));
        h.call("PEXPIRE", "axb", "5");
        h.clock.advance(6);
        assertEquals("*1\r\n" + bulk("a*b"), h.call("KEYS", "*"));
    }

    @Test
    void keysWithAPathologicalPatternFinishesQuickly() {
        set("a".repeat(60), "1");
        long start = System.nanoTime();
        assertEquals("*0\r\n", h.call("KEYS", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "Redis's skipLongerMatches pruning");
    }

    @Test
    void emptyKeyNameMatchesOnlyTheMatchAllPattern() {
        set("", "1");
        assertEquals("*1\r\n$0\r\n\r\n", h.call("KEYS", "*"));
        assertEquals("*0\r\n", h.call("KEYS", "**"), "Redis's matcher never matches an empty string");
        assertEquals("*2\r\n$1\r\n0\r\n*1\r\n$0\r\n\r\n", h.call("SCAN", "0", "MATCH", "*", "COUNT", "100000"));
        assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "0", "MATCH", "**", "COUNT", "100000"));
    }

    @Test
    void globFollowsRedisStringmatchlen() {
        assertTrue(Glob.matches(bytes("H*LLO"), bytes("hello"), true));
        assertTrue(Glob.matches(bytes("a*"), bytes("a"), false));
        assertTrue(Glob.matches(bytes(""), bytes(""), false));
        assertFalse(Glob.matches(bytes("*"), bytes(""), false), "Redis never matches an empty string to '*'");
        assertFalse(Glob.matches(new byte[] {(byte) 0xC0}, new byte[] {(byte) 0xE0}, true),
            "C's tolower folds ASCII only");
        // Redis compares range bounds as signed chars: [a-\xff] is the range -1..'a'.
        byte[] range = {'[', 'a', '-', (byte) 0xFF, ']'};
        assertFalse(Glob.matches(range, bytes("b"), false));
        assertTrue(Glob.matches(range, bytes("Z"), false));
        assertTrue(Glob.matches(bytes("a[\\]]b"), bytes("a]b"), false));
        assertTrue(Glob.matches(bytes("[abc"), bytes("c"), false), "an unclosed class still matches");
    }

    @Test
    void scanOfAnEmptyKeyspace() {
        assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "0"));
    }

    /** Runs a full SCAN iteration; returns every key returned (duplicates kept). */
    private List<String> scanAll(String... options) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            String[] args = new String[2 + options.length];
            args[0] = "SCAN";
            args[1] = cursor;
            System.arraycopy(options, 0, args, 2, options.length);
            String reply = h.call(args);
            assertTrue(reply.startsWith("*2\r\n$"), reply);
            List<String> parts = bulks(reply);
            cursor = parts.get(0);
            keys.addAll(parts.subList(1, parts.size()));
            assertTrue(++calls <= 20_000, "SCAN must terminate");
        } while (!cursor.equals("0"));
        return keys;
    }

    @Test
    void scanReturnsEveryKeyExactlyOnce() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            set("key:" + i, "v");
            expected.add("key:" + i);
        }
        List<String> all = scanAll();
        assertEquals(500, all.size());
        assertEquals(expected, new HashSet<>(all));
        List<String> counted = scanAll("COUNT", "1");
        assertEquals(500, counted.size());
        assertEquals(expected, new HashSet<>(counted));
        List<String> big = scanAll("count", "1000");
        assertEquals(expected, new HashSet<>(big));
    }

    @Test
    void scanPagesRespectCountAsAHint() {
        for (int i = 0; i < 100; i++) {
            set("key:" + i, "v");
        }
        List<String> first = bulks(h.call("SCAN", "0", "COUNT", "5"));
        assertTrue(first.size() - 1 >= 5 && first.size() - 1 < 100, first.toString());
        assertFalse(first.get(0).equals("0"));
    }

    @Test
    void scanMatchAndType() {
        for (int i = 0; i < 50; i++) {
            set("user:" + i, "v");
            set("item:" + i, "v");
        }
        List<String> users = scanAll("MATCH", "user:*");
        assertEquals(50, users.size());
        assertTrue(users.stream().allMatch(k -> k.startsWith("user:")));
        assertEquals(List.of("user:7"), scanAll("MATCH", "user:7", "COUNT", "100"));
        assertEquals(100, scanAll("TYPE", "string").size());
        assertEquals(100, scanAll("TYPE", "STRING").size());
        assertEquals(0, scanAll("TYPE", "hash").size());
        assertEquals(0, scanAll("TYPE", "nosuchtype").size(), "Redis 7.0: an unknown type matches nothing");
        assertEquals(50, scanAll("MATCH", "item:*", "TYPE", "string", "COUNT", "7").size());
        assertEquals(50, scanAll("MATCH", "nomatch", "MATCH", "item:*").size(), "the last option wins");
    }

    @Test
    void scanSkipsExpiredKeys() {
        set("a", "1");
        set("b", "1");
        h.call("PEXPIRE", "a", "10");
        h.clock.advance(11);
        assertEquals(List.of("b"), scanAll());
    }

    @Test
    void scanErrors() {
        String invalidCursor = error("ERR invalid cursor");
        assertEquals(invalidCursor, h.call("SCAN", "abc"));
        assertEquals(invalidCursor, h.call("SCAN", "-1"));
        assertEquals(invalidCursor, h.call("SCAN", "1.5"));
        assertEquals(invalidCursor, h.call("SCAN", ""));
        assertEquals(invalidCursor, h.call("SCAN", "18446744073709551616"), "past 2^64-1");
        assertEquals(invalidCursor, h.call("SCAN", "abc", "FOO"), "the cursor is checked first");
        assertEquals(invalidCursor, h.call("SCAN", "abc", "COUNT", "0"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "COUNT", "0"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "COUNT", "-1"));
        assertEquals(NOT_INTEGER, h.call("SCAN", "0", "COUNT", "abc"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "COUNT"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "MATCH"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "TYPE"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "FOO", "bar"));
        assertEquals(SYNTAX, h.call("SCAN", "0", "MATCH", "*", "COUNT", "10", "extra"));
        assertEquals(error("ERR wrong number of arguments for 'scan' command"), h.call("SCAN"));
    }

    @Test
    void scanAcceptsWhatRedisStrtoullAccepts() {
        set("a", "1");
        String done = "*2\r\n$1\r\n0\r\n*1\r\n" + bulk("a");
        assertEquals(done, h.call("SCAN", "0", "COUNT", "100000"));
        assertEquals(done, h.call("SCAN", "00", "COUNT", "100000"), "leading zeros pass strtoull");
        assertEquals(done, h.call("SCAN", "+0", "COUNT", "100000"));
        assertEquals(done, h.call("SCAN", "-0", "COUNT", "100000"));
        assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "18446744073709551615"),
            "a cursor past the last slot ends the iteration");
        assertEquals("*2\r\n$1\r\n0\r\n*0\r\n", h.call("SCAN", "9223372036854775807"));
    }

    @Test
    void randomKey() {
        assertEquals(NIL, h.call("RANDOMKEY"));
        set("only", "1");
        assertEquals(bulk("only"), h.call("RANDOMKEY"));
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            set("k" + i, "1");
        }
        for (int i = 0; i < 200; i++) {
            List<String> key = bulks(h.call("RANDOMKEY"));
            assertEquals(1, key.size());
            assertNotNull(value(key.get(0)));
            seen.add(key.get(0));
        }
        assertTrue(seen.size() > 1, "keys are picked at random: " + seen);
        assertEquals(error("ERR wrong number of arguments for 'randomkey' command"), h.call("RANDOMKEY", "x"));
    }

    @Test
    void randomKeyIgnoresExpiredKeys() {
        set("gone", "1");
        h.call("PEXPIRE", "gone", "5");
        h.clock.advance(6);
        assertEquals(NIL, h.call("RANDOMKEY"));
    }

    // ---- RENAME, RENAMENX, COPY -------------------------------------------------------------

    @Test
    void renameMovesValueAndTtl() {
        set("a", "hello");
        h.call("EXPIRE", "a", "100");
        assertEquals(OK, h.call("RENAME", "a", "b"));
        assertNull(value("a"));
        assertEquals("hello", value("b"));
        assertEquals(integer(100), h.call("TTL", "b"));
        assertEquals(integer(1), h.call("DBSIZE"));
    }

    @Test
    void renameOverwritesTheDestinationAndItsTtl() {
        set("a", "1");
        set("b", "2");
        h.call("EXPIRE", "b", "100");
        assertEquals(OK, h.call("RENAME", "a", "b"));
        assertEquals("1", value("b"));
        assertEquals(integer(-1), h.call("TTL", "b"));
        assertEquals(integer(1), h.call("DBSIZE"));
        h.clock.advance(200_000);
        assertEquals(ONE, h.call("EXISTS", "b"));
    }

    @Test
    void renameErrors() {
        assertEquals(error("ERR no such key"), h.call("RENAME", "missing", "b"));
        assertEquals(error("ERR no such key"), h.call("RENAME", "missing", "missing"));
        set("a", "1");
        assertEquals(OK, h.call("RENAME", "a", "a"), "renaming a key onto itself is fine");
        assertEquals("1", value("a"));
        h.call("PEXPIRE", "a", "5");
        h.clock.advance(6);
        assertEquals(error("ERR no such key"), h.call("RENAME", "a", "b"), "an expired key is missing");
        assertEquals(error("ERR wrong number of arguments for 'rename' command"), h.call("RENAME", "a"));
        assertEquals(error("ERR wrong number of arguments for 'rename' command"), h.call("RENAME", "a", "b", "c"));
    }

    @Test
    void renamenx() {
        set("a", "1");
        set("b", "2");
        assertEquals(ZERO, h.call("RENAMENX", "a", "b"));
        assertEquals("1", value("a"));
        assertEquals("2", value("b"));
        h.call("EXPIRE", "a", "50");
        assertEquals(ONE, h.call("RENAMENX", "a", "c"));
        assertNull(value("a"));
        assertEquals("1", value("c"));
        assertEquals(integer(50), h.call("TTL", "c"));
        assertEquals(ZERO, h.call("RENAMENX", "c", "c"), "onto itself answers 0");
        assertEquals(error("ERR no such key"), h.call("RENAMENX", "missing", "d"));
        assertEquals(error("ERR no such key"), h.call("RENAMENX", "missing", "missing"));
        h.call("PEXPIRE", "b", "5");
        h.clock.advance(6);
        assertEquals(ONE, h.call("RENAMENX", "c", "b"), "an expired destination does not exist");
        assertEquals(error("ERR wrong number of arguments for 'renamenx' command"), h.call("RENAMENX", "a"));
    }

    @Test
    void copyCopiesValueAndTtl() {
        set("a", "hello");
        h.call("EXPIRE", "a", "100");
        assertEquals(ONE, h.call("COPY", "a", "b"));
        assertEquals("hello", value("a"));
        assertEquals("hello", value("b"));
        assertEquals(integer(100), h.call("TTL", "b"));
        assertEquals(integer(2), h.call("DBSIZE"));
        assertArrayEquals(bytes("hello"), h.context.keyspace().get(bytes("b")).value());
    }

    @Test
    void copyReplace() {
        set("a", "1");
        set("b", "2");
        h.call("EXPIRE", "b", "100");
        assertEquals(ZERO, h.call("COPY", "a", "b"));
        assertEquals("2", value("b"));
        assertEquals(ONE, h.call("COPY", "a", "b", "REPLACE"));
        assertEquals("1", value("b"));
        assertEquals(integer(-1), h.call("TTL", "b"), "the destination takes the source's (absent) TTL");
        assertEquals(ONE, h.call("COPY", "a", "b", "replace", "DB", "0"));
        assertEquals(ONE, h.call("COPY", "a", "c", "db", "0"));
        assertEquals(ONE, h.call("COPY", "a", "c", "DB", "0", "REPLACE", "REPLACE"));
    }

    @Test
    void copyMissingOrExpiredSource() {
        assertEquals(ZERO, h.call("COPY", "missing", "b"));
        assertEquals(ZERO, h.call("EXISTS", "b"));
        set("a", "1");
        h.call("PEXPIRE", "a", "5");
        h.clock.advance(6);
        assertEquals(ZERO, h.call("COPY", "a", "b"));
    }

    @Test
    void copyErrors() {
        set("a", "1");
        String same = error("ERR source and destination objects are the same");
        assertEquals(same, h.call("COPY", "a", "a"));
        assertEquals(same, h.call("COPY", "missing", "missing"), "checked before the source is looked up");
        assertEquals(same, h.call("COPY", "a", "a", "DB", "0", "REPLACE"));
        assertEquals(error("ERR DB index is out of range"), h.call("COPY", "a", "b", "DB", "1"));
        assertEquals(error("ERR DB index is out of range"), h.call("COPY", "a", "b", "DB", "-1"));
        assertEquals(error("ERR DB index is out of range"), h.call("COPY", "a", "a", "DB", "1"),
            "options are parsed before the same-key check");
        assertEquals(NOT_INTEGER, h.call("COPY", "a", "b", "DB", "abc"));
        assertEquals(error("ERR value is out of range, value must between -2147483648 and 2147483647"),
            h.call("COPY", "a", "b", "DB", "2147483648"));
        assertEquals(SYNTAX, h.call("COPY", "a", "b", "DB"));
        assertEquals(SYNTAX, h.call("COPY", "a", "b", "FOO"));
        assertEquals(SYNTAX, h.call("COPY", "a", "b", "FOO", "DB", "1"), "the first bad option decides");
        assertEquals(error("ERR DB index is out of range"), h.call("COPY", "a", "b", "DB", "5", "FOO"));
        assertEquals(error("ERR wrong number of arguments for 'copy' command"), h.call("COPY", "a"));
        assertEquals(ZERO, h.call("EXISTS", "b"));
    }

    // ---- DBSIZE, FLUSHDB, FLUSHALL ------------------------------------------------------------

    @Test
    void dbsizeCountsKeys() {
        assertEquals(ZERO, h.call("DBSIZE"));
        set("a", "1");
        set("b", "1");
        assertEquals(integer(2), h.call("DBSIZE"));
        assertEquals(error("ERR wrong number of arguments for 'dbsize' command"), h.call("DBSIZE", "x"));
    }

    @Test
    void flushdbAndFlushall() {
        for (String cmd : new String[] {"FLUSHDB", "FLUSHALL"}) {
            for (String[] mode : new String[][] {{}, {"ASYNC"}, {"SYNC"}, {"async"}, {"sync"}}) {
                set("a", "1");
                set("b", "1");
                h.call("EXPIRE", "b", "10");
                String[] args = new String[1 + mode.length];
                args[0] = cmd;
                System.arraycopy(mode, 0, args, 1, mode.length);
                assertEquals(OK, h.call(args));
                assertEquals(ZERO, h.call("DBSIZE"));
                assertEquals(0, h.context.keyspace().volatileCount());
            }
            set("a", "1");
            assertEquals(SYNTAX, h.call(cmd, "FOO"));
            assertEquals(SYNTAX, h.call(cmd, "ASYNC", "SYNC"));
            assertEquals(SYNTAX, h.call(cmd, "SYNC", "SYNC"));
            assertEquals(ONE, h.call("DBSIZE"), "a refused flush deletes nothing");
        }
    }

    // ---- Active expiry ------------------------------------------------------------------------

    @Test
    void activeExpiryReclaimsKeysNobodyReads() {
        for (int i = 0; i < 1000; i++) {
            set("k" + i, "v");
            assertEquals(ONE, h.call("EXPIRE", "k" + i, "1"));
        }
        set("persistent", "v");
        assertEquals(integer(1001), h.call("DBSIZE"));
        h.clock.advance(1001);
        assertEquals(integer(1001), h.call("DBSIZE"), "DBSIZE counts expired keys not yet reclaimed");
        Keyspace keyspace = h.context.keyspace();
        for (int round = 0; round < 1000 && keyspace.size() > 1; round++) {
            keyspace.activeExpireCycle(1000);
        }
        assertEquals(ONE, h.call("DBSIZE"));
        assertEquals(0, keyspace.volatileCount());
        assertEquals(1000, keyspace.expiredKeys());
        assertEquals("*1\r\n" + bulk("persistent"), h.call("KEYS", "*"));
    }

    @Test
    void activeExpiryLeavesLiveKeys() {
        for (int i = 0; i < 100; i++) {
            set("k" + i, "v");
            h.call("EXPIRE", "k" + i, i < 50 ? "1" : "100");
        }
        h.clock.advance(1001);
        Keyspace keyspace = h.context.keyspace();
        for (int round = 0; round < 1000 && keyspace.size() > 50; round++) {
            keyspace.activeExpireCycle(1000);
        }
        assertEquals(integer(50), h.call("DBSIZE"));
        assertEquals(50, keyspace.volatileCount());
        h.clock.advance(100_000);
        for (int round = 0; round < 1000 && keyspace.size() > 0; round++) {
            keyspace.activeExpireCycle(1000);
        }
        assertEquals(ZERO, h.call("DBSIZE"));
    }

    // ---- Declarations ------------------------------------------------------------------------

    @Test
    void declarationsMatchRedis() {
        CommandTable table = h.context.commands();
        assertSpec(table, "del", -2, List.of("write"), 1, -1, 1, List.of("@keyspace", "@write", "@slow"));
        assertSpec(table, "unlink", -2, List.of("write", "fast"), 1, -1, 1, List.of("@keyspace", "@write", "@fast"));
        assertSpec(table, "exists", -2, List.of("readonly", "fast"), 1, -1, 1, List.of("@keyspace", "@read", "@fast"));
        assertSpec(table, "touch", -2, List.of("readonly", "fast"), 1, -1, 1, List.of("@keyspace", "@read", "@fast"));
        assertSpec(table, "type", 2, List.of("readonly", "fast"), 1, 1, 1, List.of("@keyspace", "@read", "@fast"));
        for (String name : new String[] {"expire", "pexpire", "expireat", "pexpireat", "persist"}) {
            assertSpec(table, name, name.equals("persist") ? 2 : -3, List.of("write", "fast"), 1, 1, 1,
                List.of("@keyspace", "@write", "@fast"));
        }
        for (String name : new String[] {"ttl", "pttl", "expiretime", "pexpiretime"}) {
            assertSpec(table, name, 2, List.of("readonly", "fast"), 1, 1, 1, List.of("@keyspace", "@read", "@fast"));
        }
        assertSpec(table, "keys", 2, List.of("readonly"), 0, 0, 0,
            List.of("@keyspace", "@read", "@slow", "@dangerous"));
        assertSpec(table, "scan", -2, List.of("readonly"), 0, 0, 0, List.of("@keyspace", "@read", "@slow"));
        assertSpec(table, "randomkey", 1, List.of("readonly"), 0, 0, 0, List.of("@keyspace", "@read", "@slow"));
        assertSpec(table, "rename", 3, List.of("write"), 1, 2, 1, List.of("@keyspace", "@write", "@slow"));
        assertSpec(table, "renamenx", 3, List.of("write", "fast"), 1, 2, 1, List.of("@keyspace", "@write", "@fast"));
        assertSpec(table, "copy", -3, List.of("write", "denyoom"), 1, 2, 1, List.of("@keyspace", "@write", "@slow"));
        assertSpec(table, "dbsize", 1, List.of("readonly", "fast"), 0, 0, 0, List.of("@keyspace", "@read", "@fast"));
        assertSpec(table, "flushdb", -1, List.of("write"), 0, 0, 0,
            List.of("@keyspace", "@write", "@slow", "@dangerous"));
        assertSpec(table, "flushall", -1, List.of("write"), 0, 0, 0,
            List.of("@keyspace", "@write", "@slow", "@dangerous"));

        assertEquals("generic", table.lookup("del").group());
        assertEquals("server", table.lookup("dbsize").group());
        assertEquals("server", table.lookup("flushall").group());
        assertEquals("7.0.0", table.lookup("expiretime").since());
        assertEquals("6.2.0", table.lookup("copy").since());
        assertEquals("Set a key's time to live in seconds", table.lookup("expire").summary());
        for (String name : new String[] {"del", "unlink", "exists", "touch", "type", "expire", "pexpire", "expireat",
            "pexpireat", "expiretime", "pexpiretime", "ttl", "pttl", "persist", "keys", "scan", "randomkey",
            "rename", "renamenx", "copy", "dbsize", "flushdb", "flushall"}) {
            CommandSpec spec = table.lookup(name);
            assertFalse(spec.summary().isEmpty(), name);
            assertFalse(spec.complexity().isEmpty(), name);
            assertNotNull(spec.handler(), name);
        }
    }

    private static void assertSpec(CommandTable table, String name, int arity, List<String> flags, int first,
        int last, int step, List<String> acl) {
        CommandSpec spec = table.lookup(name);
        assertNotNull(spec, name);
        assertEquals(arity, spec.arity(), name);
        assertEquals(flags, spec.flags(), name);
        assertEquals(first, spec.firstKey(), name);
        assertEquals(last, spec.lastKey(), name);
        assertEquals(step, spec.keyStep(), name);
        assertEquals(acl, spec.aclCategories(), name);
    }
}
