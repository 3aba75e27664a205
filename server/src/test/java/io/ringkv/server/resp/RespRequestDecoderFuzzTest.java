package io.ringkv.server.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ringkv.server.ServerHarness;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The request decoder against hostile and fragmented input, through the real pipeline
 * ({@link ServerHarness}, one EmbeddedChannel per run):
 *
 * <ul>
 * <li>seeded random mutations of valid pipelines (bit flips, truncations, inserted bytes, huge or
 * negative length headers, lines without CR, lone CRs, quoted inline lines), each fed in several
 * writes split at random points;
 * <li>every valid command split at every byte boundary.
 * </ul>
 *
 * <p>For every run: no exception escapes the channel (neither to the EmbeddedChannel nor to the
 * dispatcher's exceptionCaught, which logs it); everything answered is a sequence of complete,
 * well-formed RESP replies; a protocol error is the last reply and the connection is closed right
 * after it; and the replies do not depend on where the input was split. The decoder's decisions
 * depend only on complete lines (inputs here stay far below the 64 KB header and query buffer
 * limits, the only checks that look at how much is buffered), so the last property holds for
 * garbage as much as for valid pipelines. Every run starts from an empty keyspace (FLUSHALL on a
 * separate connection), so replies are deterministic.
 *
 * <p>A failure names the seed and the case; rerun with {@code -Dringkv.fuzz.seed=N} to replay.
 */
@Timeout(60)
class RespRequestDecoderFuzzTest {

    private static final long SEED = Long.getLong("ringkv.fuzz.seed", 20261125L);
    private static final int MUTATION_CASES = 3000;
    private static final String PROTOCOL_ERROR = "-ERR Protocol error: ";

    /** Valid requests, as the bytes a client sends (ISO-8859-1: one char per byte). */
    private static final List<String> VALID = List.of(
        ServerHarness.encode("PING"),
        ServerHarness.encode("ECHO", "hello world"),
        ServerHarness.encode("ECHO", ""),
        ServerHarness.encode("SET", "k", "v"),
        ServerHarness.encode("GET", "k"),
        ServerHarness.encode("GET", "missing"),
        ServerHarness.encode("SET", "n", "10"),
        ServerHarness.encode("INCR", "n"),
        ServerHarness.encode("INCRBY", "n", "-7"),
        ServerHarness.encode("APPEND", "k", "\r\n\0\u00ff*$"),
        ServerHarness.encode("STRLEN", "k"),
        ServerHarness.encode("MSET", "a", "1", "b", "2"),
        ServerHarness.encode("MGET", "a", "b", "c"),
        ServerHarness.encode("EXISTS", "a", "k", "zz"),
        ServerHarness.encode("DEL", "a", "b"),
        ServerHarness.encode("SET", "big", "x".repeat(3000)),
        ServerHarness.encode("GET", "big"),
        ServerHarness.encode("NOSUCH", "x", "y"),
        ServerHarness.encode("GET"),
        ServerHarness.encode("SET", "k", "v", "BOGUS"),
        ServerHarness.encode("INCR", "k"),
        "*0\r\n",
        "*-1\r\n",
        "PING\r\n",
        "ECHO inline\n",
        "SET \"a b\" 'c d'\r\n",
        "GET \"a b\"\r\n",
        "ECHO \"\\x41\\n\\t\" 'it\\'s'\r\n",
        "  MGET   a\tk \r\n",
        "\r\n",
        "\n");

    /** Fragments a mutation inserts: the headers and line endings a decoder gets wrong. */
    private static final List<String> HOSTILE = List.of(
        "*2147483647\r\n", "*2147483648\r\n", "$536870912\r\n", "$536870913\r\n", "$-5\r\n", "*-1\r\n",
        "$-1\r\n", "*0\r\n", "$0\r\n\r\n", "$99999999999999999999\r\n", "*99999999999999999999\r\n",
        "*-9223372036854775808\r\n", "*-9223372036854775809\r\n", "$9223372036854775807\r\n",
        "*+1\r\n", "$ 3\r\n", "*01\r\n", "$-0\r\n", "*\r\n", "$\r\n",
        "\r", "\n", "\r\r\n", "PING\n", "*1\n$4\nPING\n", "*1\r\n", "$3\r\n", "*", "$",
        "*1\r\n$4\r\nPING", "SET \"unbalanced\r\n", "ECHO 'unbalanced\n", "ECHO \"a\"b\r\n",
        "ECHO \"\\x4\"\r\n", "ECHO \"\\\r\n", "\0", "\u00ff", "\u00c3\u00a9", " ", "\"", "'");

    /** Bytes a mutation writes over another: separators, type bytes, signs, digits, quotes. */
    private static final String SPECIAL_BYTES = "\r\n*$-0123456789 \"'\\x\0";

    private final ServerHarness h = new ServerHarness();

    /** The outcome of one run: every reply, in order, and whether the server closed the connection. */
    private record Outcome(List<String> replies, boolean closed) {
    }

    @Test
    void mutatedPipelinesSplitAnywhere() {
        Random master = new Random(SEED);
        int closed = 0;
        for (int i = 0; i < MUTATION_CASES; i++) {
            long caseSeed = master.nextLong();
            Random random = new Random(caseSeed);
            byte[] input = mutate(random, pipeline(random));
            int[] cuts = randomCuts(random, input.length);
            if (checkCase("seed " + SEED + " case " + i + " (case seed " + caseSeed + ")", h, input, cuts).closed()) {
                closed++;
            }
        }
        // Both kinds of run must stay common, or the mutations have stopped exploring one side.
        assertTrue(closed > MUTATION_CASES / 10 && closed < MUTATION_CASES * 9 / 10,
            closed + " of " + MUTATION_CASES + " runs ended in a protocol error");
    }

    /**
     * The unauthenticated limits (10 arguments, 16 KB bulks) apply until AUTH has run, and AUTH
     * runs before the next command is decoded: a pipelined "AUTH pw" followed by an 11-argument
     * MSET is accepted in one write as it is in two.
     */
    @Test
    void mutatedPipelinesBeforeAndAfterAuth() {
        ServerHarness secured = new ServerHarness(Map.of("requirepass", "pw"));
        assertEquals("+OK\r\n", secured.call("AUTH", "pw")); // the connection that runs FLUSHALL
        List<String> commands = List.of(
            ServerHarness.encode("AUTH", "pw"),
            ServerHarness.encode("AUTH", "wrong"),
            "AUTH pw\r\n",
            ServerHarness.encode("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"),
            ServerHarness.encode("SET", "big", "y".repeat(16385)),
            ServerHarness.encode("GET", "a"),
            ServerHarness.encode("PING"));
        Random master = new Random(SEED ^ 0xA5A5L);
        for (int i = 0; i < MUTATION_CASES / 10; i++) {
            long caseSeed = master.nextLong();
            Random random = new Random(caseSeed);
            StringBuilder b = new StringBuilder();
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                b.append(commands.get(random.nextInt(commands.size())));
            }
            byte[] input = latin1(b.toString());
            if (random.nextBoolean()) {
                input = mutate(random, input);
            }
            checkCase("auth seed " + SEED + " case " + i + " (case seed " + caseSeed + ")", secured, input,
                randomCuts(random, input.length));
        }
        byte[] authThenBig = latin1(commands.get(0) + commands.get(3) + commands.get(4) + commands.get(5));
        Outcome whole = run(secured, authThenBig, new int[0]);
        assertEquals(List.of("+OK\r\n", "+OK\r\n", "+OK\r\n", "$1\r\n1\r\n"), whole.replies());
        assertFalse(whole.closed());
    }

    @Test
    void everyValidCommandSplitAtEveryByte() {
        for (String command : VALID) {
            byte[] bytes = latin1(command);
            for (int cut = 1; cut < bytes.length; cut++) {
                checkCase("command " + printable(bytes) + " cut at " + cut, h, bytes, new int[] {cut});
            }
        }
        byte[] all = latin1(String.join("", VALID));
        int[] everyByte = new int[all.length - 1];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        Outcome oneByteAtATime = checkCase("whole corpus one byte per write", h, all, everyByte);
        assertFalse(oneByteAtATime.closed());
        assertEquals(VALID.size() - 4, oneByteAtATime.replies().size(),
            "one reply per command (not for *0, *-1 and the two empty lines)");
        for (int cut = 1; cut < all.length; cut++) {
            checkCase("whole corpus cut at " + cut, h, all, new int[] {cut});
        }
    }

    /**
     * Lengths announced but not sent allocate nothing: fifty connections that each announce
     * 2^31-1 arguments or a 512 MB bulk (and send a little of it) leave the heap within a few MB of
     * where it was, and each connection is still waiting, open and silent.
     */
    @Test
    void hugeHeadersAllocateNothing() {
        List<String> headers = List.of(
            "*2147483647\r\n" + ServerHarness.encode("x").substring(4).repeat(1000),
            "*1\r\n$536870912\r\n" + "z".repeat(10_000),
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870912\r\n" + "z".repeat(10_000),
            "*2147483647\r\n$536870912\r\n");
        long before = usedHeap();
        List<EmbeddedChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                EmbeddedChannel c = h.newConnection();
                open.add(c);
                assertEquals("", write(c, latin1(headers.get(i % headers.size()))));
                assertTrue(c.isOpen(), "a pending request is not an error");
            }
            long grown = usedHeap() - before;
            assertTrue(grown < 8L << 20, "heap grew by " + (grown >> 20) + " MB for 50 pending requests");
            // The decoder is still in the middle of those requests, not failed or reset: one
            // more bulk is one more argument, or more of the announced bulk's data.
            for (EmbeddedChannel c : open) {
                assertEquals("", write(c, latin1("$4\r\nPING\r\n")));
                assertTrue(c.isOpen());
            }
        } finally {
            open.forEach(EmbeddedChannel::finishAndReleaseAll);
        }
        // The refused ones are refused from the header alone.
        assertEquals(List.of("-ERR Protocol error: invalid multibulk length\r\n"),
            run(h, latin1("*2147483648\r\n"), new int[0]).replies());
        assertEquals(List.of("-ERR Protocol error: invalid bulk length\r\n"),
            run(h, latin1("*1\r\n$536870913\r\n"), new int[0]).replies());
        assertEquals(List.of("-ERR Protocol error: invalid bulk length\r\n"),
            run(h, latin1("*1\r\n$99999999999999999999\r\n"), new int[0]).replies());
        assertEquals(List.of("-ERR Protocol error: invalid bulk length\r\n"),
            run(h, latin1("*1\r\n$-5\r\n"), new int[0]).replies());
        assertEquals(List.of("-ERR Protocol error: invalid multibulk length\r\n"),
            run(h, latin1("*99999999999999999999\r\n"), new int[0]).replies());
    }

    /** Cases where Redis 7.0 (checked against redis-server) waits, ignores or names the error. */
    @Test
    void headersAreJudgedOnlyOnceTheirLineIsComplete() {
        // A bulk header is looked at only once its line has arrived.
        Outcome pending = run(h, latin1("*1\r\nX"), new int[0]);
        assertEquals(List.of(), pending.replies());
        assertFalse(pending.closed());
        assertEquals(List.of("-ERR Protocol error: expected '$', got 'X'\r\n"),
            run(h, latin1("*1\r\nX\r\n"), new int[] {5}).replies());
        assertEquals(List.of("-ERR Protocol error: too big bulk count string\r\n"),
            run(h, latin1("*1\r\n" + "x".repeat(70_000)), new int[0]).replies());
        // A count line whose CR has come is not "too big", however long: it waits for the LF.
        assertEquals(List.of(), run(h, latin1("*" + "1".repeat(70_000) + "\r"), new int[0]).replies());
        assertEquals(List.of("-ERR Protocol error: invalid multibulk length\r\n"),
            run(h, latin1("*" + "1".repeat(70_000) + "\r\n"), new int[0]).replies());
        assertEquals(List.of(), run(h, latin1("*1\r\n$" + "1".repeat(70_000) + "\r"), new int[0]).replies());
        // LLONG_MIN is a number to string2ll, so as a count it is ignored like any negative one.
        assertEquals(List.of("+PONG\r\n"),
            run(h, latin1("*-9223372036854775808\r\nPING\r\n"), new int[0]).replies());
        assertEquals(List.of("-ERR Protocol error: invalid multibulk length\r\n"),
            run(h, latin1("*-9223372036854775809\r\nPING\r\n"), new int[0]).replies());
    }

    // ---- running a case ----

    /** Runs {@code input} unsplit and split at {@code cuts}; both must agree. */
    private static Outcome checkCase(String name, ServerHarness server, byte[] input, int[] cuts) {
        try {
            Outcome whole = run(server, input, new int[0]);
            Outcome split = run(server, input, cuts);
            assertEquals(whole, split, "the replies must not depend on how the input was split");
            return whole;
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(name + ": input " + printable(input) + " split at " + Arrays.toString(cuts)
                + ": " + e.getMessage(), e);
        }
    }

    /**
     * Feeds {@code input} to a new connection in the writes {@code cuts} delimits, checking after
     * every write that no exception escaped and that the output so far is whole RESP replies.
     */
    private static Outcome run(ServerHarness server, byte[] input, int[] cuts) {
        assertEquals("+OK\r\n", server.call("FLUSHALL"));
        int errorsLogged = countErrorsLogged(server);
        EmbeddedChannel c = server.newConnection();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            int from = 0;
            for (int i = 0; i <= cuts.length && c.isOpen(); i++) {
                int to = i < cuts.length ? cuts[i] : input.length;
                out.writeBytes(latin1(write(c, Arrays.copyOfRange(input, from, to))));
                parseReplies(out.toByteArray()); // whole replies only, after every write
                from = to;
            }
            List<String> replies = parseReplies(out.toByteArray());
            boolean closed = !c.isOpen();
            assertEquals(errorsLogged, countErrorsLogged(server), "an exception reached the pipeline's end");
            for (int i = 0; i < replies.size(); i++) {
                if (replies.get(i).startsWith(PROTOCOL_ERROR)) {
                    assertEquals(replies.size() - 1, i, "nothing is answered after a protocol error: " + replies);
                    assertTrue(closed, "the connection is closed after a protocol error");
                }
            }
            if (closed) {
                boolean protocolError = !replies.isEmpty() && replies.get(replies.size() - 1).startsWith(PROTOCOL_ERROR);
                assertTrue(protocolError, "closed without a protocol error: " + replies);
            }
            return new Outcome(replies, closed);
        } finally {
            c.finishAndReleaseAll();
        }
    }

    /** Writes one chunk and returns what was answered; rethrows anything the channel recorded. */
    private static String write(EmbeddedChannel c, byte[] chunk) {
        c.writeInbound(Unpooled.wrappedBuffer(chunk));
        c.checkException();
        StringBuilder answered = new StringBuilder();
        for (Object msg = c.readOutbound(); msg != null; msg = c.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            answered.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        for (Object msg = c.readInbound(); msg != null; msg = c.readInbound()) {
            throw new AssertionError("a message passed the dispatcher unhandled: " + msg);
        }
        return answered.toString();
    }

    private static int countErrorsLogged(ServerHarness server) {
        String log = server.log();
        int count = 0;
        for (int i = log.indexOf("after an error"); i >= 0; i = log.indexOf("after an error", i + 1)) {
            count++;
        }
        return count;
    }

    // ---- a tiny RESP2 reply parser: the whole output must be complete, well-formed replies ----

    /** Splits {@code bytes} into top-level replies (each as ISO-8859-1 text); fails on anything else. */
    static List<String> parseReplies(byte[] bytes) {
        List<String> replies = new ArrayList<>();
        int pos = 0;
        while (pos < bytes.length) {
            int end = parseReply(bytes, pos);
            replies.add(new String(bytes, pos, end - pos, StandardCharsets.ISO_8859_1));
            pos = end;
        }
        return replies;
    }

    /** The end of the reply starting at {@code pos}. */
    private static int parseReply(byte[] b, int pos) {
        int lineEnd = lineEnd(b, pos + 1);
        String line = new String(b, pos + 1, lineEnd - pos - 1, StandardCharsets.ISO_8859_1);
        int next = lineEnd + 2;
        switch (b[pos]) {
            case '+', '-' -> {
                return next;
            }
            case ':' -> {
                parseInteger(line);
                return next;
            }
            case '$' -> {
                long length = parseInteger(line);
                if (length == -1) {
                    return next;
                }
                assertTrue(length >= 0, "bulk length " + length);
                int dataEnd = next + (int) length;
                assertTrue(dataEnd + 2 <= b.length, "a bulk of " + length + " bytes cut short");
                assertTrue(b[dataEnd] == '\r' && b[dataEnd + 1] == '\n', "a bulk not followed by CRLF");
                return dataEnd + 2;
            }
            case '*' -> {
                long count = parseInteger(line);
                assertTrue(count >= -1, "array length " + count);
                for (long i = 0; i < count; i++) {
                    assertTrue(next < b.length, "an array of " + count + " cut short");
                    next = parseReply(b, next);
                }
                return next;
            }
            default -> throw new AssertionError("not a RESP2 type byte: " + (b[pos] & 0xFF) + " at " + pos);
        }
    }

    /** The CR of the CRLF that ends the line starting at {@code from}; no lone CR or LF before it. */
    private static int lineEnd(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                throw new AssertionError("a LF inside a reply line at " + i);
            }
            if (b[i] == '\r') {
                assertTrue(i + 1 < b.length && b[i + 1] == '\n', "a CR not followed by LF at " + i);
                return i;
            }
        }
        throw new AssertionError("a reply line without CRLF at the end of the output");
    }

    private static long parseInteger(String line) {
        assertTrue(line.matches("-?[0-9]+"), "not an integer: " + line);
        return Long.parseLong(line);
    }

    @Test
    void theReplyParserRefusesBrokenReplies() {
        assertEquals(List.of("+OK\r\n", "$3\r\na\r\n\r\n", "*2\r\n:1\r\n$-1\r\n", "*-1\r\n"),
            parseReplies(latin1("+OK\r\n$3\r\na\r\n\r\n*2\r\n:1\r\n$-1\r\n*-1\r\n")));
        for (String broken : List.of("+OK", "+O\rK\r\n", "-E\nR\r\n", ":x\r\n", "$3\r\nab\r\n", "$3\r\nabcd\r\n",
            "*2\r\n:1\r\n", "!\r\n", "$-2\r\n")) {
            boolean refused;
            try {
                parseReplies(latin1(broken));
                refused = false;
            } catch (AssertionError expected) {
                refused = true;
            }
            assertTrue(refused, "accepted " + printable(latin1(broken)));
        }
    }

    // ---- generating cases ----

    /** One to eight valid requests, RESP or inline. */
    private static byte[] pipeline(Random random) {
        StringBuilder b = new StringBuilder();
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
            b.append(VALID.get(random.nextInt(VALID.size())));
        }
        return latin1(b.toString());
    }

    /** One to four random damages. */
    private static byte[] mutate(Random random, byte[] input) {
        byte[] bytes = input;
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            bytes = switch (random.nextInt(8)) {
                case 0 -> flipBit(bytes, at, random.nextInt(8));
                case 1 -> setByte(bytes, at, (byte) SPECIAL_BYTES.charAt(random.nextInt(SPECIAL_BYTES.length())));
                case 2 -> setByte(bytes, at, (byte) random.nextInt(256));
                case 3 -> Arrays.copyOf(bytes, at);
                case 4 -> insert(bytes, at, latin1(HOSTILE.get(random.nextInt(HOSTILE.size()))));
                case 5 -> {
                    byte[] noise = new byte[1 + random.nextInt(8)];
                    random.nextBytes(noise);
                    yield insert(bytes, at, noise);
                }
                case 6 -> delete(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(16)));
                default -> insert(bytes, at, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(32))));
            };
        }
        return bytes;
    }

    private static byte[] flipBit(byte[] bytes, int at, int bit) {
        return bytes.length == 0 ? bytes : setByte(bytes, at, (byte) (bytes[at] ^ (1 << bit)));
    }

    private static byte[] setByte(byte[] bytes, int at, byte value) {
        if (bytes.length == 0) {
            return new byte[] {value};
        }
        byte[] copy = bytes.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
        byte[] result = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, result, 0, at);
        System.arraycopy(inserted, 0, result, at, inserted.length);
        System.arraycopy(bytes, at, result, at + inserted.length, bytes.length - at);
        return result;
    }

    private static byte[] delete(byte[] bytes, int from, int to) {
        byte[] result = new byte[bytes.length - (to - from)];
        System.arraycopy(bytes, 0, result, 0, from);
        System.arraycopy(bytes, to, result, from, bytes.length - to);
        return result;
    }

    /** Up to seven distinct, increasing cut points strictly inside {@code [0, length)}. */
    private static int[] randomCuts(Random random, int length) {
        if (length < 2) {
            return new int[0];
        }
        return random.ints(1 + random.nextInt(7), 1, length).distinct().sorted().toArray();
    }

    // ---- small utilities ----

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Bytes as a Java string literal would show them, for failure messages. */
    private static String printable(byte[] bytes) {
        StringBuilder b = new StringBuilder("\"");
        int shown = Math.min(bytes.length, 400);
        for (int i = 0; i < shown; i++) {
            int c = bytes[i] & 0xFF;
            switch (c) {
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> b.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
        }
        return b.append(bytes.length > shown ? "\"... (" + bytes.length + " bytes)" : "\"").toString();
    }
}
