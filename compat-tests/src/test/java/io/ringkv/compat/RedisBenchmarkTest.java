package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real redis-benchmark against the server under test ({@link CompatServer}), without and
 * with pipelining: it must run every test to the end with no error (it prints any error reply,
 * and a warning when its start-up CONFIG GET fails), report a requests/sec line per test, and
 * leave the data its commands imply.
 *
 * <p>This checks compatibility, not speed: request counts are small and no rate is asserted.
 */
@org.junit.jupiter.api.Timeout(180)
class RedisBenchmarkTest {

    private static final int REQUESTS = 20_000;
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    /** redis-benchmark -q prints "NAME: 12345.67 requests per second, p50=0.123 msec". */
    private static final Pattern RESULT = Pattern.compile("^(.+): ([0-9]+(?:\\.[0-9]+)?) requests per second");

    @RegisterExtension
    static final ToolTestServer server = new ToolTestServer("redis-benchmark");

    @ParameterizedTest(name = "pipeline {0}")
    @ValueSource(ints = {1, 16})
    void setGetIncrMset(int pipeline) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1",
            "-p", Integer.toString(server.port()), "-t", "set,get,incr,mset",
            "-n", Integer.toString(REQUESTS), "-c", "20", "-q"));
        if (pipeline > 1) {
            command.addAll(List.of("-P", Integer.toString(pipeline)));
        }
        ExternalCommand.Result r = ExternalCommand.run(TOOL_TIMEOUT, null, command);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.stderr(), "no warnings or errors: " + r);
        assertFalse(r.stdout().contains("ERR") || r.stdout().contains("Error") || r.stdout().contains("WARNING"),
            r.toString());

        Map<String, Double> rates = results(r.stdout());
        assertEquals(List.of("SET", "GET", "INCR", "MSET (10 keys)"), List.copyOf(rates.keySet()), r.toString());
        rates.forEach((test, rate) -> assertTrue(rate > 0, test + " reported " + rate + " requests/sec"));

        // Without -r every request uses the same keys: "key:__rand_int__" (SET, GET, MSET) and
        // "counter:__rand_int__" (INCR), so the counter counts exactly the INCRs sent.
        try (RawConnection c = RawConnection.open(server.port())) {
            assertEquals(Integer.toString(REQUESTS), c.call("GET", "counter:__rand_int__"));
            assertEquals(3L, c.call("STRLEN", "key:__rand_int__"), "the default 3-byte payload");
            assertEquals(2L, c.call("DBSIZE"));
        }
    }

    /** The final line of each test (progress lines end in CR and are overwritten on a terminal). */
    private static Map<String, Double> results(String stdout) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String line : stdout.split("[\r\n]+")) {
            Matcher m = RESULT.matcher(line.strip());
            if (m.find()) {
                rates.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return rates;
    }
}
