package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real redis-cli against the server under test ({@link CompatServer}): one-shot commands
 * with their raw and formatted output, commands read from standard input, {@code -x}, {@code -r},
 * {@code -a}, mass insertion with {@code --pipe}, {@code --scan} and {@code --bigkeys}. Every expected output below is what
 * redis-cli prints against redis-server 7.
 *
 * <p>redis-cli without a terminal prints raw replies: strings as they are, integers as digits,
 * nil as an empty line, and errors followed by an extra empty line.
 */
@Timeout(120)
class RedisCliTest {

    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
    private static final int MASS_KEYS = 100_000;

    @RegisterExtension
    static final ToolTestServer server = new ToolTestServer("redis-cli");

    @TempDir
    Path tmp;

    @Test
    void oneShotCommandsPrintRawReplies() throws Exception {
        assertEquals("PONG\n", cli("PING"));
        assertEquals("OK\n", cli("SET", "k", "v"));
        assertEquals("v\n", cli("GET", "k"));
        assertEquals("\n", cli("GET", "missing"));
        assertEquals("1\n", cli("INCR", "counter"));
        assertEquals("2\n", cli("INCR", "counter"));
        assertEquals("12\n", cli("INCRBY", "counter", "10"));
        assertEquals("OK\n", cli("MSET", "a", "1", "b", "2"));
        assertEquals("1\n2\n\n", cli("MGET", "a", "b", "nope"));
        assertEquals("2\n", cli("DEL", "a", "b", "nope"));
        assertEquals("1\n", cli("EXISTS", "k"));
        assertEquals("string\n", cli("TYPE", "k"));
        assertEquals("none\n", cli("TYPE", "nope"));
        assertEquals("6\n", cli("APPEND", "k", "-more"));
        assertEquals("v-more\n", cli("GET", "k"));
        assertEquals("1\n", cli("EXPIRE", "k", "100"));
        String ttl = cli("TTL", "k");
        assertTrue(ttl.equals("100\n") || ttl.equals("99\n"), "TTL after EXPIRE 100: " + ttl);
        assertEquals("-1\n", cli("TTL", "counter"));
        assertEquals("-2\n", cli("TTL", "nope"));
        assertEquals("OK\n", cli("SET", "hello world", "with spaces\tand tab"));
        assertEquals("with spaces\tand tab\n", cli("GET", "hello world"));
        assertEquals("3\n", cli("DBSIZE"));
        assertEquals("hello\n", cli("ECHO", "hello"));
    }

    @Test
    void errorsArePrintedOnStandardOutput() throws Exception {
        assertEquals("ERR unknown command 'FOO', with args beginning with: 'a' 'b' \n\n", cli("FOO", "a", "b"));
        assertEquals("ERR wrong number of arguments for 'get' command\n\n", cli("GET"));
        assertEquals("OK\n", cli("SET", "s", "text"));
        assertEquals("ERR value is not an integer or out of range\n\n", cli("INCR", "s"));
        assertEquals("ERR syntax error\n\n", cli("SET", "k", "v", "BOGUS"));
    }

    @Test
    void noRawFormatsRepliesLikeTheInteractiveShell() throws Exception {
        assertEquals("OK\n", cli("SET", "k", "v"));
        assertEquals("\"v\"\n", cli("--no-raw", "GET", "k"));
        assertEquals("(nil)\n", cli("--no-raw", "GET", "missing"));
        assertEquals("(integer) 1\n", cli("--no-raw", "INCR", "n"));
        assertEquals("1) \"v\"\n2) (nil)\n", cli("--no-raw", "MGET", "k", "missing"));
        assertEquals("(error) ERR unknown command 'FOO', with args beginning with: \n", cli("--no-raw", "FOO"));
    }

    @Test
    void commandsFromStandardInput() throws Exception {
        assertEquals("OK\n", cli("SET", "k", "v"));
        Path script = Files.writeString(tmp.resolve("script.txt"),
            "SET x 1\nINCR x\nGET x\nBOGUS\nGET k\nGET nope\nSET \"a b\" \"c d\"\nGET \"a b\"\n");
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, script, cliCommand());
        assertEquals("OK\n2\n2\nERR unknown command 'BOGUS', with args beginning with: \n\nv\n\nOK\nc d\n",
            r.stdout(), r.toString());
    }

    @Test
    void lastArgumentFromStandardInputWithX() throws Exception {
        Path value = Files.write(tmp.resolve("value.bin"), "hello\nworld \"quoted\"".getBytes(StandardCharsets.UTF_8));
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, value, cliCommand("-x", "SET", "doc"));
        assertEquals("OK\n", r.stdout(), r.toString());
        try (RawConnection c = RawConnection.open(server.port())) {
            assertEquals("hello\nworld \"quoted\"", c.call("GET", "doc"));
        }
    }

    @Test
    void repeatedCommand() throws Exception {
        assertEquals("1\n2\n3\n4\n5\n", cli("-r", "5", "INCR", "repeated"));
    }

    @Test
    void infoHasTheServerSection() throws Exception {
        String info = cli("INFO", "server");
        assertTrue(info.startsWith("# Server\r\n"), info);
        assertTrue(info.contains("\r\nredis_version:"), info);
        assertTrue(info.contains("\r\ntcp_port:" + server.port() + "\r\n"), info);
    }

    @Test
    void passwordWithDashA() throws Exception {
        try (CompatServer secured = CompatServer.start("--requirepass", "secret")) {
            String port = Integer.toString(secured.port());
            ExternalCommand.Result noAuth = ExternalCommand.run(TOOL_TIMEOUT, "redis-cli", "-p", port, "GET", "k");
            assertEquals("NOAUTH Authentication required.\n\n", noAuth.stdout(), noAuth.toString());
            ExternalCommand.Result authed = ExternalCommand.run(TOOL_TIMEOUT,
                "redis-cli", "-p", port, "-a", "secret", "--no-auth-warning", "PING");
            assertEquals("PONG\n", authed.stdout(), authed.toString());
            ExternalCommand.Result wrong = ExternalCommand.run(TOOL_TIMEOUT,
                "redis-cli", "-p", port, "-a", "wrong", "--no-auth-warning", "PING");
            assertEquals("AUTH failed: WRONGPASS invalid username-password pair or user is disabled.\n",
                wrong.stderr(), wrong.toString());
        }
    }

    /**
     * Mass insertion as the Redis documentation describes it: a file of RESP commands piped through
     * {@code redis-cli --pipe}, which appends an ECHO with a random marker and reads until it comes
     * back, then prints how many replies were errors.
     */
    @Test
    void pipeMassInsertion() throws Exception {
        Path resp = tmp.resolve("mass.resp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(resp), 1 << 16)) {
            for (int i = 0; i < MASS_KEYS; i++) {
                out.write(RawConnection.encode("SET", "key:" + i, "value:" + i));
            }
        }
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, resp, cliCommand("--pipe"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().endsWith("errors: 0, replies: " + MASS_KEYS + "\n"), r.toString());
        assertTrue(r.stdout().contains("All data transferred. Waiting for the last reply...\n"
            + "Last reply received from server.\n"), r.toString());
        try (RawConnection c = RawConnection.open(server.port())) {
            assertEquals((long) MASS_KEYS, c.call("DBSIZE"));
            assertEquals("value:0", c.call("GET", "key:0"));
            assertEquals("value:4242", c.call("GET", "key:4242"));
            assertEquals("value:" + (MASS_KEYS - 1), c.call("GET", "key:" + (MASS_KEYS - 1)));
        }
    }

    /** {@code --scan} visits every key exactly once, and {@code --pattern} filters with Redis's glob. */
    @Test
    void scanReturnsExactlyTheKeys() throws Exception {
        int keys = 20_000;
        Path resp = tmp.resolve("keys.resp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(resp), 1 << 16)) {
            for (int i = 0; i < keys; i++) {
                out.write(RawConnection.encode("SET", "key:" + i, "v"));
            }
            out.write(RawConnection.encode("SET", "other", "v"));
        }
        ExternalCommand.Result load = ExternalCommand.run(TOOL_TIMEOUT, resp, cliCommand("--pipe"));
        assertTrue(load.stdout().endsWith("errors: 0, replies: " + (keys + 1) + "\n"), load.toString());

        Set<String> expected = IntStream.range(0, keys).mapToObj(i -> "key:" + i).collect(Collectors.toSet());
        expected.add("other");
        assertExactKeys(expected, cliLines("--scan"));

        Set<String> ones = expected.stream().filter(k -> k.startsWith("key:1")).collect(Collectors.toSet());
        assertExactKeys(ones, cliLines("--scan", "--pattern", "key:1*"));
        Set<String> sevens = expected.stream().filter(k -> k.startsWith("key:7")).collect(Collectors.toSet());
        assertExactKeys(sevens, cliLines("--scan", "--quoted-pattern", "\"key:7*\""));
        assertExactKeys(Set.of("key:12", "key:13"), cliLines("--scan", "--pattern", "key:1[23]"));
        assertExactKeys(Set.of("key:10", "key:11", "key:12", "key:13", "key:14", "key:15", "key:16",
            "key:17", "key:18", "key:19"), cliLines("--scan", "--pattern", "key:1?"));
        assertExactKeys(Set.of(), cliLines("--scan", "--pattern", "nomatch*"));
    }

    /** {@code --bigkeys}: SCAN, then TYPE and STRLEN for every key, and a summary. */
    @Test
    void bigKeys() throws Exception {
        try (RawConnection c = RawConnection.open(server.port())) {
            for (int i = 0; i < 50; i++) {
                assertEquals("OK", c.call("SET", "small:" + i, "x".repeat(i % 10)));
            }
            assertEquals("OK", c.call("SET", "the-biggest", "y".repeat(5000)));
        }
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, null, cliCommand("--bigkeys"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("Sampled 51 keys in the keyspace!"), r.toString());
        assertTrue(r.stdout().contains("Biggest string found '\"the-biggest\"' has 5000 bytes"), r.toString());
        assertTrue(r.stdout().contains("51 strings with "), r.toString());
        assertEquals("", r.stderr(), r.toString());
    }

    // ---- helpers ----

    private static List<String> cliCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
            Integer.toString(server.port())));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** Runs redis-cli with {@code args}; returns its standard output (it must exit 0). */
    private static String cli(String... args) throws IOException, InterruptedException {
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, null, cliCommand(args));
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout();
    }

    private static List<String> cliLines(String... args) throws IOException, InterruptedException {
        String out = cli(args);
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    /** The keys printed are exactly {@code expected}, each once. */
    private static void assertExactKeys(Set<String> expected, List<String> printed) {
        Set<String> unique = new HashSet<>(printed);
        assertEquals(printed.size(), unique.size(), "a key was printed twice");
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(unique);
        Set<String> extra = new HashSet<>(unique);
        extra.removeAll(expected);
        assertTrue(missing.isEmpty() && extra.isEmpty(),
            "missing " + sample(missing) + " (" + missing.size() + "), extra " + sample(extra) + " (" + extra.size() + ")");
    }

    private static String sample(Set<String> keys) {
        return keys.stream().sorted().limit(10).toList().toString();
    }
}
