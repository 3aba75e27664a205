package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Crash recovery of the LSM engine through real server processes (issue 3, "Recovery and bad
 * data"): a server is killed with SIGKILL in the middle of a write load and restarted on the same
 * {@code --dir}, and what it serves afterwards is compared key by key with what the clients were
 * told. Files on disk are damaged between a clean stop and a start to check that a torn commit-log
 * tail is cut and reported and that a damaged SSTable block is never served as data.
 *
 * <p>What SIGKILL can and cannot show: it kills the process, not the machine, so whatever was
 * handed to the kernel with write() survives in the page cache whatever the fsync policy. These
 * tests therefore prove that a write is acknowledged only once its record has left the process
 * (and that replay, flushes, compaction and the manifest agree after a crash at any moment); they
 * cannot prove that the fsync happened. That needs a power cut or a fault-injecting file system
 * (docs/storage.md, "Not done yet"). The everysec bound is asserted as specified and holds
 * trivially for a process crash.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class CrashRecoveryTest {

    private static final String DATA = "ringkv-data";
    private static final int WRITERS = 8;
    private static final Duration LOAD_TIME = Duration.ofSeconds(3);
    /** Stops a load early on a fast disk: enough writes to have crossed many group commits. */
    private static final long LOAD_WRITES = 200_000;
    /** Values of about 100 bytes, derived from the key so that any mix-up shows. */
    private static final String PADDING = "x".repeat(80);

    private final List<RingkvProcess> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(RingkvProcess::close);
    }

    // ---------------------------------------------------------------------------------------
    // 1, 2: kill -9 under a write load
    // ---------------------------------------------------------------------------------------

    @Test
    void alwaysKeepsEveryAcknowledgedWriteAfterKill9() throws Exception {
        Outcome o = crashUnderLoad("always", false);
        o.report("always");
        assertEquals(List.of(), o.missing, "acknowledged writes lost with appendfsync always");
    }

    @Test
    void alwaysKeepsEveryAcknowledgedWriteAcrossFlushesAndCompactions() throws Exception {
        Outcome o = crashUnderLoad("always", true);
        o.report("always, memtable-size 256kb");
        assertTrue(o.flushes >= 2 && o.compactions >= 1,
            "the load should have flushed and compacted before the kill: flushes=" + o.flushes
                + " compactions=" + o.compactions);
        assertEquals(List.of(), o.missing, "acknowledged writes lost with appendfsync always");
    }

    @Test
    void everysecLosesAtMostTheLastSecondsAfterKill9() throws Exception {
        Outcome o = crashUnderLoad("everysec", false);
        o.report("everysec");
        long bound = TimeUnit.MILLISECONDS.toNanos(2500);
        List<String> tooOld = new ArrayList<>();
        for (Missing m : o.missing) {
            if (o.killNanos - m.ackNanos > bound) {
                tooOld.add(m.key + " (acknowledged " + TimeUnit.NANOSECONDS.toMillis(o.killNanos - m.ackNanos)
                    + " ms before the kill)");
            }
        }
        assertEquals(List.of(), tooOld, "everysec lost writes acknowledged more than 2.5 s before the kill");
    }

    /** Missing after the restart although acknowledged, with when the ack arrived. */
    private record Missing(String key, long ackNanos) {
    }

    private static final class Outcome {
        long acknowledged;
        long present;
        long unacknowledgedPresent;
        long killNanos;
        long flushes;
        long compactions;
        Duration load;
        final List<Missing> missing = new ArrayList<>();

        void report(String what) {
            System.out.printf("CrashRecoveryTest [%s]: load %d ms, acknowledged=%d, present after restart=%d"
                    + " (of them unacknowledged=%d), lost=%d, flushes=%d, compactions=%d before the kill%n",
                what, load.toMillis(), acknowledged, present, unacknowledgedPresent, missing.size(), flushes,
                compactions);
        }
    }

    /**
     * Runs {@link #WRITERS} threads, each SETting key:&lt;thread&gt;:&lt;n&gt; for n = 0, 1, 2... one at a
     * time as fast as the server answers, kills the server with SIGKILL after {@link #LOAD_TIME}
     * (with a small memtable: once it has also compacted), restarts it on the same directory and
     * reads every key back. Since each writer has one write in flight, its acknowledged keys are
     * exactly n &lt; acked; key n = acked may or may not have reached the log; key acked + 1 was
     * never sent and must not exist.
     */
    private Outcome crashUnderLoad(String appendfsync, boolean smallMemtable) throws Exception {
        Path dir = newDataDir();
        List<String> options = new ArrayList<>(List.of("--appendfsync", appendfsync));
        if (smallMemtable) {
            options.addAll(List.of("--memtable-size", "256kb"));
        }
        RingkvProcess server = start(dir, options.toArray(String[]::new));
        Outcome outcome = new Outcome();
        WriteLoad load = new WriteLoad(server.port());
        long start = System.nanoTime();
        load.start();
        try (Jedis info = jedis(server.port())) {
            // A compaction needs 4 flushes of 256 KB: ~5,000 writes, a few seconds at the fsync
            // rate of a slow shared disk, hence the generous bound.
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (load.failure() != null) {
                    return true;
                }
                if (System.nanoTime() - start < LOAD_TIME.toNanos() && load.total() < LOAD_WRITES) {
                    return false;
                }
                if (!smallMemtable) {
                    return true;
                }
                Map<String, String> storage = infoFields(info.info("storage"));
                outcome.flushes = Long.parseLong(storage.get("flushes"));
                outcome.compactions = Long.parseLong(storage.get("compactions"));
                return outcome.compactions >= 1;
            });
        }
        load.killing();
        outcome.killNanos = System.nanoTime();
        server.kill9();
        outcome.load = Duration.ofNanos(outcome.killNanos - start);
        load.join();
        if (load.failure() != null) {
            throw new AssertionError("a writer failed before the kill; server log:\n" + server.log(), load.failure());
        }

        RingkvProcess restarted = start(dir, options.toArray(String[]::new));
        try (Jedis jedis = jedis(restarted.port())) {
            for (int t = 0; t < WRITERS; t++) {
                int acked = load.acked(t);
                outcome.acknowledged += acked;
                List<String> keys = new ArrayList<>();
                for (int n = 0; n <= acked + 1; n++) {
                    keys.add(loadKey(t, n));
                }
                List<String> values = mget(jedis, keys);
                for (int n = 0; n < acked; n++) {
                    String value = values.get(n);
                    if (value == null) {
                        outcome.missing.add(new Missing(keys.get(n), load.ackNanos(t, n)));
                    } else {
                        assertEquals(loadValue(keys.get(n)), value, "wrong value for " + keys.get(n));
                        outcome.present++;
                    }
                }
                String inFlight = values.get(acked);
                if (inFlight != null) {
                    assertEquals(loadValue(keys.get(acked)), inFlight, "wrong value for " + keys.get(acked));
                    outcome.present++;
                    outcome.unacknowledgedPresent++;
                }
                assertNull(values.get(acked + 1), keys.get(acked + 1) + " was never written");
            }
            assertEquals(outcome.present, jedis.dbSize(), "DBSIZE after the restart");
        }
        assertTrue(outcome.acknowledged > 0, "no write was acknowledged");
        return outcome;
    }

    /** The writers of {@link #crashUnderLoad}; each records when each of its SETs was answered. */
    private static final class WriteLoad {
        private final int port;
        private final Thread[] threads = new Thread[WRITERS];
        private final long[][] ackNanos = new long[WRITERS][];
        private final int[] acked = new int[WRITERS];
        private final AtomicLong total = new AtomicLong();
        private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private volatile boolean killing;

        WriteLoad(int port) {
            this.port = port;
        }

        void start() {
            for (int t = 0; t < WRITERS; t++) {
                int thread = t;
                threads[t] = new Thread(() -> write(thread), "crash-writer-" + t);
                threads[t].start();
            }
        }

        /*
         * acked[t] and ackNanos[t] are written by writer t only and read after join(), which
         * orders them. A connection error is the expected end of a writer once the kill is under
         * way; before it, it is a failure.
         */
        private void write(int t) {
            long[] acks = new long[1 << 14];
            int n = 0;
            try (Jedis jedis = jedis(port)) {
                while (true) {
                    String key = loadKey(t, n);
                    String reply = jedis.set(key, loadValue(key));
                    long now = System.nanoTime();
                    if (!"OK".equals(reply)) {
                        throw new AssertionError("SET " + key + " answered " + reply);
                    }
                    if (n == acks.length) {
                        acks = Arrays.copyOf(acks, n * 2);
                    }
                    acks[n++] = now;
                    total.incrementAndGet();
                }
            } catch (JedisConnectionException e) {
                if (!killing) {
                    failures.add(e);
                }
            } catch (Throwable e) {
                failures.add(e);
            } finally {
                ackNanos[t] = acks;
                acked[t] = n;
            }
        }

        long total() {
            return total.get();
        }

        Throwable failure() {
            return failures.peek();
        }

        void killing() {
            killing = true;
        }

        void join() throws InterruptedException {
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(15));
                if (thread.isAlive()) {
                    throw new AssertionError(thread.getName() + " still running 15 s after the kill");
                }
            }
        }

        int acked(int t) {
            return acked[t];
        }

        long ackNanos(int t, int n) {
            return ackNanos[t][n];
        }
    }

    private static String loadKey(int thread, int n) {
        return "key:" + thread + ":" + n;
    }

    private static String loadValue(String key) {
        return "value-of-" + key + "-" + PADDING;
    }

    // ---------------------------------------------------------------------------------------
    // 3: overwrites, deletes, counters and TTLs against a model
    // ---------------------------------------------------------------------------------------

    private static final int MODEL_THREADS = 4;
    private static final int MODEL_KEYS = 40;
    private static final Duration MODEL_LOAD_TIME = Duration.ofSeconds(2);

    /** A key's state in the model: a value and, for a volatile key, bounds on its expiry time. */
    private record State(String value, long expireLow, long expireHigh) {
        static final State ABSENT = new State(null, -1, -1);

        static State persistent(String value) {
            return new State(value, -1, -1);
        }

        boolean present() {
            return value != null;
        }

        boolean volatileKey() {
            return expireLow >= 0;
        }

        boolean numeric() {
            if (value == null) {
                return true; // INCR of an absent key starts at 0
            }
            try {
                Long.parseLong(value);
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    /**
     * One writer of the model test: owns MODEL_KEYS keys, so its model is exact. Every reply is
     * checked against the model as it comes. When the kill cuts a command off, that command may or
     * may not have been applied: both states are accepted for its key.
     */
    private static final class ModelWriter implements Runnable {
        final int id;
        final int port;
        final Map<String, State> model = new HashMap<>();
        final SplittableRandom random;
        volatile boolean killing;
        long ops;
        Throwable failure;
        String pendingKey;
        State pendingBefore;
        State pendingAfter;
        /** For an unanswered SETEX or EXPIRE: its TTL (the expiry's upper bound is then kill + TTL). */
        long pendingTtlMillis;

        ModelWriter(int id, int port, long seed) {
            this.id = id;
            this.port = port;
            this.random = new SplittableRandom(seed);
        }

        String key(int i) {
            return "m:" + id + ":" + i;
        }

        State state(String key) {
            return model.getOrDefault(key, State.ABSENT);
        }

        @Override
        public void run() {
            try (Jedis jedis = jedis(port)) {
                while (true) {
                    step(jedis);
                    ops++;
                }
            } catch (JedisConnectionException e) {
                if (!killing) {
                    failure = e;
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        /*
         * pendingAfter is what the model becomes if the command is applied. For SETEX and EXPIRE
         * the expiry's upper bound is only known once the reply comes; until then it is
         * Long.MAX_VALUE, and for a command the kill cut off the checker puts the time of the kill
         * there (the command ran, if at all, before it).
         */
        private void step(Jedis jedis) {
            String key = key(random.nextInt(MODEL_KEYS));
            State before = state(key);
            pendingKey = key;
            pendingBefore = before;
            int op = random.nextInt(100);
            long sent = System.currentTimeMillis();
            if (op < 30) {
                String value = random.nextBoolean() ? Long.toString(random.nextLong(-1000, 1000))
                    : "text-" + random.nextInt(1_000_000);
                pendingAfter = State.persistent(value);
                assertEquals("OK", jedis.set(key, value));
            } else if (op < 40) {
                long seconds = random.nextLong(100, 10_000);
                String value = "ex-" + random.nextInt(1_000_000);
                pendingTtlMillis = seconds * 1000;
                pendingAfter = new State(value, sent + seconds * 1000, Long.MAX_VALUE);
                assertEquals("OK", jedis.setex(key, seconds, value));
                pendingAfter = new State(value, sent + seconds * 1000, System.currentTimeMillis() + seconds * 1000);
            } else if (op < 55) {
                pendingAfter = State.ABSENT;
                assertEquals(before.present() ? 1L : 0L, jedis.del(key), "DEL " + key);
            } else if (op < 80) {
                if (before.numeric()) {
                    long next = (before.present() ? Long.parseLong(before.value()) : 0) + 1;
                    pendingAfter = new State(Long.toString(next), before.expireLow(), before.expireHigh());
                    assertEquals(next, jedis.incr(key), "INCR " + key);
                } else {
                    pendingAfter = before;
                    try {
                        jedis.incr(key);
                        fail("INCR of " + before.value() + " succeeded");
                    } catch (JedisDataException e) {
                        assertEquals("ERR value is not an integer or out of range", e.getMessage());
                    }
                }
            } else {
                long seconds = random.nextLong(100, 10_000);
                pendingTtlMillis = seconds * 1000;
                pendingAfter = before.present() ? new State(before.value(), sent + seconds * 1000, Long.MAX_VALUE)
                    : before;
                assertEquals(before.present() ? 1L : 0L, jedis.expire(key, seconds), "EXPIRE " + key);
                if (before.present()) {
                    pendingAfter = new State(before.value(), sent + seconds * 1000,
                        System.currentTimeMillis() + seconds * 1000);
                }
            }
            if (pendingAfter.present()) {
                model.put(key, pendingAfter);
            } else {
                model.remove(key);
            }
            pendingKey = null;
        }
    }

    @Test
    void overwritesDeletesCountersAndTtlsSurviveKill9() throws Exception {
        Path dir = newDataDir();
        RingkvProcess server = start(dir, "--appendfsync", "always");
        ModelWriter[] writers = new ModelWriter[MODEL_THREADS];
        Thread[] threads = new Thread[MODEL_THREADS];
        for (int t = 0; t < MODEL_THREADS; t++) {
            writers[t] = new ModelWriter(t, server.port(), 0x5EED_0000L + t);
            threads[t] = new Thread(writers[t], "model-writer-" + t);
            threads[t].start();
        }
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
            System.nanoTime() - start >= MODEL_LOAD_TIME.toNanos()
                || Arrays.stream(threads).anyMatch(thread -> !thread.isAlive()));
        for (ModelWriter w : writers) {
            w.killing = true;
        }
        long killMillis = System.currentTimeMillis();
        server.kill9();
        long ops = 0;
        for (int t = 0; t < MODEL_THREADS; t++) {
            threads[t].join(TimeUnit.SECONDS.toMillis(15));
            assertFalse(threads[t].isAlive(), threads[t].getName() + " still running after the kill");
            if (writers[t].failure != null) {
                throw new AssertionError("model writer " + t + " failed; server log:\n" + server.log(),
                    writers[t].failure);
            }
            ops += writers[t].ops;
        }

        RingkvProcess restarted = start(dir, "--appendfsync", "always");
        int checked = 0;
        int pendingApplied = 0;
        int present = 0;
        int volatileKeys = 0;
        try (Jedis jedis = jedis(restarted.port())) {
            for (ModelWriter w : writers) {
                for (int i = 0; i < MODEL_KEYS; i++) {
                    String key = w.key(i);
                    long before = System.currentTimeMillis();
                    String value = jedis.get(key);
                    long pttl = jedis.pttl(key);
                    long after = System.currentTimeMillis();
                    if (key.equals(w.pendingKey)) {
                        State applied = w.pendingAfter.expireHigh() == Long.MAX_VALUE
                            ? new State(w.pendingAfter.value(), w.pendingAfter.expireLow(),
                                killMillis + w.pendingTtlMillis)
                            : w.pendingAfter;
                        boolean asBefore = matches(w.pendingBefore, value, pttl, before, after);
                        boolean asAfter = matches(applied, value, pttl, before, after);
                        assertTrue(asBefore || asAfter, key + " (cut off by the kill) is " + value + " pttl " + pttl
                            + ", neither " + w.pendingBefore + " nor " + w.pendingAfter);
                        if (!asBefore) {
                            pendingApplied++;
                        }
                    } else {
                        State expected = w.state(key);
                        assertTrue(matches(expected, value, pttl, before, after),
                            key + " is " + value + " pttl " + pttl + ", expected " + expected);
                    }
                    checked++;
                    present += value != null ? 1 : 0;
                    volatileKeys += pttl >= 0 ? 1 : 0;
                }
            }
        }
        System.out.printf("CrashRecoveryTest [model, always]: %d commands before the kill, %d keys checked"
            + " (%d present, %d with a TTL), %d commands cut off by the kill applied%n", ops, checked, present,
            volatileKeys, pendingApplied);
        assertTrue(ops > 100, "too few commands ran before the kill: " + ops);
        assertTrue(present > 0 && volatileKeys > 0 && present < checked,
            "the model should end with present, volatile and absent keys");
    }

    /**
     * Whether a key read as (value, pttl) between wall-clock times [before, after] agrees with a
     * model state. The server sets an expiry as its clock plus the TTL while the command runs, so
     * the expiry lies within the model's [expireLow, expireHigh] and PTTL within
     * [expireLow - after, expireHigh - before].
     */
    private static boolean matches(State expected, String value, long pttl, long before, long after) {
        if (!expected.present()) {
            return value == null && pttl == -2;
        }
        if (!expected.value().equals(value)) {
            return false;
        }
        if (!expected.volatileKey()) {
            return pttl == -1;
        }
        return pttl >= expected.expireLow() - after - 1 && pttl <= expected.expireHigh() - before + 1;
    }

    // ---------------------------------------------------------------------------------------
    // 4a: a damaged commit-log tail
    // ---------------------------------------------------------------------------------------

    /** One record of a commit-log segment (docs/formats.md, "Commit log"). */
    private record LogRecord(long offset, int payloadLength, String userKey) {
        long end() {
            return offset + 8 + payloadLength;
        }
    }

    @Test
    void truncatedLogTailIsCutAtTheLastWholeRecord() throws Exception {
        Path dir = newDataDir();
        int count = writeLogOnly(dir, 500);
        Path segment = lastSegment(dir);
        List<LogRecord> records = readRecords(segment);
        assertEquals(count, records.size(), "one log record per SET in " + segment);
        LogRecord last = records.getLast();
        truncate(segment, last.offset() + 8 + last.payloadLength() / 2);

        RingkvProcess restarted = start(dir);
        assertTrue(restarted.log().contains("commit log: cut torn tail of " + segment.toAbsolutePath()
                + " at offset " + last.offset() + " (short record"),
            "the cut should be logged with file and offset; log:\n" + restarted.log());
        checkLogKeys(restarted, records, records.size() - 1);
    }

    @Test
    void bitFlippedLogTailIsCutBeforeTheDamagedRecord() throws Exception {
        Path dir = newDataDir();
        writeLogOnly(dir, 500);
        Path segment = lastSegment(dir);
        List<LogRecord> records = readRecords(segment);
        // Damage record 450 (a bit of its value) and tear the very last record: replay must stop
        // at the first bad record, so records 450.. are dropped, the intact ones after it too
        // (they are the tail of a log that can no longer be trusted past the damage).
        int damaged = records.size() - 50;
        LogRecord bad = records.get(damaged);
        flipBit(segment, bad.end() - 5, 3);
        LogRecord last = records.getLast();
        truncate(segment, last.offset() + 8 + last.payloadLength() / 2);

        RingkvProcess restarted = start(dir);
        assertTrue(restarted.log().contains("commit log: cut torn tail of " + segment.toAbsolutePath()
                + " at offset " + bad.offset() + " (record checksum mismatch"),
            "the cut should be logged with file and offset; log:\n" + restarted.log());
        checkLogKeys(restarted, records, damaged);
        // The cut is durable and the log usable: a write after it survives another crash.
        try (Jedis jedis = jedis(restarted.port())) {
            assertEquals("OK", jedis.set("after-the-cut", "yes"));
        }
        restarted.kill9();
        RingkvProcess again = start(dir);
        checkLogKeys(again, records, damaged);
        try (Jedis jedis = jedis(again.port())) {
            assertEquals("yes", jedis.get("after-the-cut"));
        }
    }

    /**
     * Writes {@code count} keys one by one to a server whose memtable never fills, then stops it
     * cleanly: every write is then in the commit log only (close does not flush the memtable).
     */
    private int writeLogOnly(Path dir, int count) throws Exception {
        RingkvProcess server = start(dir, "--appendfsync", "always");
        try (Jedis jedis = jedis(server.port())) {
            for (int i = 0; i < count; i++) {
                assertEquals("OK", jedis.set(logKey(i), loadValue(logKey(i))));
            }
        }
        server.close();
        assertFalse(server.process().isAlive());
        try (Stream<Path> files = Files.list(dir.resolve(DATA))) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith("table-")).toList(),
                "no table expected after " + count + " small writes");
        }
        return count;
    }

    private static String logKey(int i) {
        return "log:" + i;
    }

    /** Records [0, good) must be there with their values, records [good, ..) gone. */
    private void checkLogKeys(RingkvProcess server, List<LogRecord> records, int good) {
        try (Jedis jedis = jedis(server.port())) {
            List<String> keys = records.stream().map(LogRecord::userKey).toList();
            List<String> values = mget(jedis, keys);
            for (int i = 0; i < keys.size(); i++) {
                if (i < good) {
                    assertEquals(loadValue(keys.get(i)), values.get(i), keys.get(i) + " was before the damage");
                } else {
                    assertNull(values.get(i), keys.get(i) + " was in the cut tail");
                }
            }
        }
    }

    private static Path lastSegment(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(DATA).resolve("log"))) {
            return files.filter(p -> p.getFileName().toString().matches("log-\\d{20}\\.rkl")).sorted()
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no commit log segment in " + dir));
        }
    }

    /** Parses a segment: 8-byte header, then (length, crc, payload) records; payload = varint key length, key. */
    private static List<LogRecord> readRecords(Path segment) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        assertEquals(0x524B4C47, b.getInt(0), "segment magic");
        List<LogRecord> records = new ArrayList<>();
        int pos = 8;
        while (pos < b.limit()) {
            int length = b.getInt(pos);
            int p = pos + 8;
            int keyLength = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b.get(p++) & 0xFF;
                keyLength |= (x & 0x7F) << shift;
                if (x < 0x80) {
                    break;
                }
            }
            // The storage key is the 2-byte slot followed by the user key.
            String userKey = new String(b.array(), p + 2, keyLength - 2, StandardCharsets.UTF_8);
            records.add(new LogRecord(pos, length, userKey));
            pos += 8 + length;
        }
        assertEquals(b.limit(), pos, "records end at the end of " + segment);
        return records;
    }

    // ---------------------------------------------------------------------------------------
    // 4b: a damaged SSTable block
    // ---------------------------------------------------------------------------------------

    /**
     * Documented behaviour (docs/storage.md, "Recovery", step 5): the open rebuilds the key counts
     * by reading every block, so a block that fails its checksum stops the open with a
     * CorruptionException naming the table and the block's offset, and the server exits with
     * status 1 instead of serving anything. With the byte restored it starts and serves it all.
     */
    @Test
    void bitFlippedSstableBlockIsNeverServed() throws Exception {
        Path dir = newDataDir();
        String[] options = {"--memtable-size", "256kb"};
        RingkvProcess server = start(dir, options);
        int count = 6000;
        try (Jedis jedis = jedis(server.port())) {
            var pipeline = jedis.pipelined();
            for (int i = 0; i < count; i++) {
                pipeline.set(tableKey(i), loadValue(tableKey(i)));
            }
            pipeline.sync();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> storage = infoFields(jedis.info("storage"));
                return Long.parseLong(storage.get("flushes")) >= 1
                    && Long.parseLong(storage.get("memtables_flushing")) == 0;
            });
        }
        server.close();
        assertFalse(server.process().isAlive());

        List<Long> tables = manifestTables(dir.resolve(DATA).resolve("MANIFEST"));
        assertFalse(tables.isEmpty(), "the MANIFEST should list a table");
        Path table = dir.resolve(DATA).resolve(String.format("table-%020d.sst", tables.getFirst()));
        assertTrue(Files.isRegularFile(table), table + " is listed in the MANIFEST");
        // Data block 0 starts at offset 0 and holds at least one ~110-byte entry.
        flipBit(table, 16, 5);

        RingkvProcess broken = launch(dir, options);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> !broken.process().isAlive());
        String log = broken.log();
        assertNotEquals(0, broken.process().exitValue(), "the server must not run on a corrupt table; log:\n" + log);
        assertTrue(log.contains("Can't open the storage in ") && log.contains("SSTable block checksum mismatch in "
            + table.toAbsolutePath() + " at offset 0"), "the log should name the table and the block; log:\n" + log);
        assertFalse(log.contains("Ready to accept connections"), log);

        flipBit(table, 16, 5);
        RingkvProcess repaired = start(dir, options);
        try (Jedis jedis = jedis(repaired.port())) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                keys.add(tableKey(i));
            }
            List<String> values = mget(jedis, keys);
            for (int i = 0; i < count; i++) {
                assertEquals(loadValue(keys.get(i)), values.get(i), keys.get(i));
            }
            assertEquals(count, jedis.dbSize());
        }
    }

    private static String tableKey(int i) {
        return "table:" + i;
    }

    /** The table ids a MANIFEST lists, oldest first (docs/formats.md, "Manifest"). */
    private static List<Long> manifestTables(Path manifest) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(manifest));
        assertEquals(0x524B564D, b.getInt(0), "MANIFEST magic");
        int n = b.getInt(24);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(b.getLong(28 + 40 * i));
        }
        return ids;
    }

    // ---------------------------------------------------------------------------------------
    // helpers
    // ---------------------------------------------------------------------------------------

    private static Path newDataDir() throws IOException {
        Path servers = Files.createDirectories(Path.of("target", "servers"));
        return Files.createTempDirectory(servers, "crash-").toAbsolutePath();
    }

    private RingkvProcess start(Path dir, String... options) throws IOException {
        RingkvProcess server = RingkvProcess.start(withDir(dir, options));
        servers.add(server);
        return server;
    }

    private RingkvProcess launch(Path dir, String... options) throws IOException {
        RingkvProcess server = RingkvProcess.launch(withDir(dir, options));
        servers.add(server);
        return server;
    }

    private static String[] withDir(Path dir, String... options) {
        List<String> all = new ArrayList<>(List.of("--dir", dir.toString()));
        all.addAll(List.of(options));
        return all.toArray(String[]::new);
    }

    private static Jedis jedis(int port) {
        return new Jedis("127.0.0.1", port, 10_000);
    }

    private static List<String> mget(Jedis jedis, List<String> keys) {
        List<String> values = new ArrayList<>(keys.size());
        for (int from = 0; from < keys.size(); from += 1000) {
            values.addAll(jedis.mget(keys.subList(from, Math.min(keys.size(), from + 1000)).toArray(String[]::new)));
        }
        return values;
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

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, ch.read(one, offset));
            one.put(0, (byte) (one.get(0) ^ (1 << bit)));
            one.rewind();
            assertEquals(1, ch.write(one, offset));
        }
    }
}
