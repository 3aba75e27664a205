package io.ringkv.compat.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hand-made histories, one per rule of {@link HistoryChecker}, with times in abstract ticks;
 * plus generated linearizable histories of 200k operations, which must pass, and fast.
 */
class HistoryCheckerTest {

    private long now;
    private final History history = new History(() -> now);

    // ---- valid histories -------------------------------------------------------------------

    @Test
    void sequentialHistoryIsValid() {
        read("k", null, 0, 1);
        write("k", "a", 2, 3);
        read("k", "a", 4, 5);
        write("k", "b", 6, 7);
        read("k", "b", 8, 9);
        HistoryReport report = check(Map.of("k", "b"));
        assertTrue(report.valid(), report::toString);
        assertEquals(5, report.operations());
        assertEquals(2, report.acknowledgedWrites());
        assertEquals(3, report.okReads());
    }

    @Test
    void overlappingWritesMayBeReadInEitherOrder() {
        // a and b overlap: a store may order them either way, and reads during and after them
        // may show that order, as long as they agree with it over time.
        write("k", "a", 0, 10);
        write("k", "b", 2, 12);
        read("k", "a", 3, 4);
        read("k", "b", 5, 6);
        read("k", "b", 13, 14);
        assertTrue(check(Map.of("k", "b")).valid());

        History other = new History(() -> now);
        record(other, "k", "b", 0, 10);
        record(other, "k", "a", 2, 12);
        recordRead(other, "k", "b", 11, 13); // b, then a (applied by 12), then these reads
        recordRead(other, "k", "a", 14, 15);
        HistoryReport report = HistoryChecker.check(other, Map.of("k", "a"));
        assertTrue(report.valid(), report::toString);
    }

    @Test
    void readConcurrentWithTheFirstWriteMayMissIt() {
        write("k", "a", 0, 10);
        read("k", null, 1, 2);
        read("k", null, 5, 11); // overlaps the write's end: still concurrent
        assertTrue(check(Map.of("k", "a")).valid());
    }

    @Test
    void equalClockReadingsAreConcurrentNotOrdered() {
        write("k", "a", 0, 5);
        write("k", "b", 5, 6);  // invoked at the tick a completed
        read("k", "a", 7, 8);   // so a is not strictly before b
        assertTrue(check(Map.of("k", "a")).valid());
    }

    @Test
    void keysAreIndependentRegisters() {
        write("k1", "a", 0, 1);
        write("k2", "b", 2, 3);
        read("k1", "a", 4, 5);
        read("k2", "b", 4, 5);
        read("k3", null, 4, 5);
        assertTrue(check(Map.of("k1", "a", "k2", "b")).valid());
    }

    // ---- stale reads -----------------------------------------------------------------------

    @Test
    void readOfAValueOverwrittenBeforeTheReadBeganIsStale() {
        long a = write("k", "a", 0, 1);
        long b = write("k", "b", 2, 3);
        long r = read("k", "a", 4, 5);
        HistoryReport report = check(Map.of("k", "b"));
        assertFalse(report.valid());
        assertEquals(1, report.staleReads().size(), report::toString);
        HistoryReport.StaleRead stale = report.staleReads().getFirst();
        assertEquals(r, stale.read().id());
        assertEquals(a, stale.valueWrite().id());
        assertEquals(b, stale.witness().id());
        assertTrue(report.toString().contains("stale #" + r), report::toString);
    }

    @Test
    void missingKeyAfterAnAcknowledgedWriteIsStale() {
        write("k", "a", 0, 1);
        long r = read("k", null, 2, 3);
        HistoryReport report = check(Map.of("k", "a"));
        assertEquals(1, report.staleReads().size(), report::toString);
        assertNull(report.staleReads().getFirst().valueWrite());
        assertEquals(r, report.staleReads().getFirst().read().id());
    }

    @Test
    void staleWitnessIsTheNewestWriteCompletedBeforeTheRead() {
        // a, then b and c overlapping, both done before the reads: a is stale, b is not (it may
        // have been ordered after c).
        write("k", "a", 0, 1);
        write("k", "b", 2, 6);
        long c = write("k", "c", 3, 5);
        read("k", "b", 7, 8);
        long stale = read("k", "a", 7, 8);
        HistoryReport report = check(Map.of("k", "b"));
        assertEquals(1, report.staleReads().size(), report::toString);
        assertEquals(stale, report.staleReads().getFirst().read().id());
        // c was invoked last among the writes completed before the read
        assertEquals(c, report.staleReads().getFirst().witness().id());
    }

    @Test
    void readsNeverGoBackInTime() {
        write("k", "a", 0, 1);
        long b = write("k", "b", 2, 100); // still in flight during both reads
        long r1 = read("k", "b", 3, 4);
        long r2 = read("k", "a", 5, 6);
        HistoryReport report = check(Map.of("k", "b"));
        assertEquals(1, report.staleReads().size(), report::toString);
        HistoryReport.StaleRead stale = report.staleReads().getFirst();
        assertEquals(r2, stale.read().id());
        assertEquals(r1, stale.witness().id());
        assertFalse(stale.witness().isWrite());
        assertTrue(b > 0);
    }

    @Test
    void concurrentReadsMaySeeOldAndNew() {
        write("k", "a", 0, 1);
        write("k", "b", 2, 100);
        read("k", "b", 3, 6);
        read("k", "a", 5, 7); // overlaps the read of b: may be linearized before it
        assertTrue(check(Map.of("k", "b")).valid());
    }

    @Test
    void missingAfterAReadSawAValueIsStale() {
        write("k", "a", 0, 100);
        read("k", "a", 1, 2);
        long r = read("k", null, 3, 4);
        HistoryReport report = check(Map.of("k", "a"));
        assertEquals(1, report.staleReads().size(), report::toString);
        assertEquals(r, report.staleReads().getFirst().read().id());
    }

    // ---- indeterminate writes ---------------------------------------------------------------

    @Test
    void indeterminateWriteMayAppearAnyTimeAfterItsInvocation() {
        write("k", "a", 0, 1);
        writeIndeterminate("k", "b", 2, 3);
        write("k", "c", 10, 11);
        read("k", "a", 4, 5);  // b may not have happened yet
        read("k", "b", 12, 13); // b took effect after c: allowed
        HistoryReport report = check(Map.of("k", "b"));
        assertTrue(report.valid(), report::toString);
        assertEquals(2, report.acknowledgedWrites());
        assertEquals(1, report.indeterminateWrites());
    }

    @Test
    void indeterminateWriteOnceSeenCannotBeUnseen() {
        write("k", "a", 0, 1);
        writeIndeterminate("k", "b", 2, 3);
        read("k", "b", 4, 5);
        long stale = read("k", "a", 6, 7);
        HistoryReport report = check(Map.of("k", "b"));
        assertEquals(1, report.staleReads().size(), report::toString);
        assertEquals(stale, report.staleReads().getFirst().read().id());
    }

    @Test
    void pendingOperationsCountAsIndeterminate() {
        write("k", "a", 0, 1);
        now = 2;
        history.invokeWrite("c", "k", "b"); // never completes
        now = 3;
        history.invokeRead("c", "k");
        read("k", "b", 4, 5);
        HistoryReport report = check(Map.of("k", "b"));
        assertTrue(report.valid(), report::toString);
        assertEquals(1, report.indeterminateWrites());
        assertEquals(1, report.unsuccessfulReads());
    }

    // ---- lost writes -------------------------------------------------------------------------

    @Test
    void finalValueOlderThanAnAcknowledgedWriteLosesIt() {
        write("k", "a", 0, 1);
        long b = write("k", "b", 2, 3);
        HistoryReport report = check(Map.of("k", "a"));
        assertEquals(1, report.lostWrites().size(), report::toString);
        assertEquals(b, report.lostWrites().getFirst().write().id());
        assertEquals("a", report.lostWrites().getFirst().finalValue());
        assertTrue(check(Map.of("k", "b")).valid());
    }

    @Test
    void missingFinalValueLosesEveryAcknowledgedWrite() {
        write("k", "a", 0, 1);
        write("k", "b", 2, 3);
        writeIndeterminate("k", "c", 4, 5);   // unseen: may never have happened
        writeFailed("k", "d", 6, 7);
        assertEquals(2, check(Map.of()).lostWrites().size());
    }

    @Test
    void finalValueOfAConcurrentWriteLosesNothing() {
        write("k", "a", 0, 10);
        write("k", "b", 2, 12);
        assertTrue(check(Map.of("k", "a")).valid());
        assertTrue(check(Map.of("k", "b")).valid());
    }

    @Test
    void finalValueOfAnIndeterminateWriteLosesNothing() {
        writeIndeterminate("k", "a", 0, 1);
        write("k", "b", 2, 3);
        assertTrue(check(Map.of("k", "a")).valid());
    }

    @Test
    void observedIndeterminateWriteCanBeLost() {
        write("k", "a", 0, 1);
        long b = writeIndeterminate("k", "b", 2, 3);
        read("k", "b", 4, 5);
        HistoryReport report = check(Map.of("k", "a"));
        assertEquals(1, report.lostWrites().size(), report::toString);
        assertEquals(b, report.lostWrites().getFirst().write().id());
    }

    // ---- impossible values -------------------------------------------------------------------

    @Test
    void valueNeverWrittenIsReportedSeparately() {
        write("k", "a", 0, 1);
        long r = read("k", "zzz", 2, 3);
        read("other", "a", 2, 3); // written on another key only
        HistoryReport report = check(Map.of("k", "a", "other", "a"));
        assertFalse(report.valid());
        // the read on "other" and the final value of "other"
        assertEquals(3, report.unknownValueReads().size(), report::toString);
        assertEquals(r, report.unknownValueReads().getFirst().id());
        assertTrue(report.staleReads().isEmpty());
    }

    @Test
    void failedWriteMustNeverBeSeen() {
        write("k", "a", 0, 1);
        long f = writeFailed("k", "b", 2, 3);
        HistoryReport clean = check(Map.of("k", "a"));
        assertTrue(clean.valid(), clean::toString);
        assertEquals(1, clean.failedWrites());

        long r = read("k", "b", 4, 5);
        HistoryReport report = check(Map.of("k", "b"));
        assertEquals(2, report.failedWriteReads().size(), report::toString); // the read and the final value
        assertEquals(r, report.failedWriteReads().getFirst().read().id());
        assertEquals(f, report.failedWriteReads().getFirst().write().id());
        assertEquals(-1, report.failedWriteReads().get(1).read().id());
        assertTrue(report.unknownValueReads().isEmpty());
    }

    @Test
    void readOfAWriteInvokedAfterTheReadCompletedIsFromTheFuture() {
        long r = read("k", "a", 0, 1);
        write("k", "a", 2, 3);
        HistoryReport report = check(Map.of("k", "a"));
        assertEquals(1, report.futureReads().size(), report::toString);
        assertEquals(r, report.futureReads().getFirst().read().id());
    }

    // ---- documented limits and misuse -------------------------------------------------------

    @Test
    void flipFlopBetweenOverlappingWritesIsNotDetected() {
        // Not linearizable (reading b then a orders b after a and a after b), but neither write
        // is strictly before the other: this is the documented incompleteness.
        write("k", "a", 0, 10);
        write("k", "b", 0, 10);
        read("k", "b", 11, 12);
        read("k", "a", 13, 14);
        assertTrue(check(Map.of("k", "a")).valid());
    }

    @Test
    void duplicateValuesOnAKeyAreRejected() {
        write("k", "a", 0, 1);
        write("k", "a", 2, 3);
        assertThrows(IllegalArgumentException.class, () -> check(Map.of()));
    }

    @Test
    void recorderRejectsMisuse() {
        now = 0;
        long w = history.invokeWrite("c", "k", "a");
        long r = history.invokeRead("c", "k");
        assertThrows(IllegalStateException.class, () -> history.okRead(w, "a"));
        assertThrows(IllegalStateException.class, () -> history.ok(r));
        history.ok(w);
        assertThrows(IllegalStateException.class, () -> history.indeterminate(w));
        assertThrows(IllegalArgumentException.class, () -> history.fail(99));
        assertThrows(NullPointerException.class, () -> history.invokeWrite("c", "k", null));
        List<Operation> ops = history.operations();
        assertSame(Operation.Outcome.OK, ops.get(0).outcome());
        assertSame(Operation.Outcome.PENDING, ops.get(1).outcome());
    }

    @Test
    void recorderIsThreadSafe() throws Exception {
        History shared = new History();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int t = 0; t < 4; t++) {
                String client = "c" + t;
                pool.execute(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        shared.ok(shared.invokeWrite(client, "k" + (i % 3), client + "-" + i));
                        shared.okRead(shared.invokeRead(client, "k" + (i % 3)), null);
                    }
                });
            }
        } finally {
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        List<Operation> ops = shared.operations();
        assertEquals(16_000, ops.size());
        for (int i = 0; i < ops.size(); i++) {
            assertEquals(i, ops.get(i).id());
            assertSame(Operation.Outcome.OK, ops.get(i).outcome());
        }
    }

    // ---- generated histories -----------------------------------------------------------------

    @Test
    void generatedLinearizableHistoriesOf200kOperationsPass() {
        for (long s = 1; s <= 3; s++) {
            long seed = s;
            Generated generated = generate(seed, 200_000, 8);
            HistoryReport report = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> HistoryChecker.check(generated.history(), generated.finals()));
            assertTrue(report.valid(), () -> "seed " + seed + ": " + report);
            assertEquals(200_000, report.operations());
            assertTrue(report.indeterminateWrites() > 0 && report.failedWrites() > 0, report::toString);
        }
    }

    @Test
    void generatedHistoryWithAnOldFinalValueLosesWrites() {
        Generated generated = generate(7, 20_000, 4);
        Map<String, String> finals = new HashMap<>(generated.finals());
        finals.put("k0", generated.firstAcknowledged().get("k0"));
        HistoryReport report = HistoryChecker.check(generated.history(), finals);
        assertFalse(report.lostWrites().isEmpty(), report::toString);
        assertTrue(report.lostWrites().stream().allMatch(l -> l.write().key().equals("k0")));
    }

    private record Generated(History history, Map<String, String> finals, Map<String, String> firstAcknowledged) {
    }

    /**
     * A linearizable history: each operation takes effect at a point between its invocation and
     * its end, reads return the register's value at that point; some writes fail (no effect),
     * some are indeterminate (effect or not, end never known).
     */
    private static Generated generate(long seed, int count, int keys) {
        Random random = new Random(seed);
        record Planned(int index, String key, boolean write, long invoke, long point, long end, int fate) {
        }
        List<Planned> plan = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long invoke = random.nextLong(count * 10L);
            long point = invoke + random.nextInt(200);
            long end = point + random.nextInt(200);
            // fate for writes: 0..89 ok, 90..94 failed, 95..97 indeterminate applied, 98..99 not applied
            plan.add(new Planned(i, "k" + random.nextInt(keys), random.nextBoolean(), invoke, point, end,
                random.nextInt(100)));
        }
        List<Planned> byPoint = new ArrayList<>(plan);
        byPoint.sort(Comparator.comparingLong(Planned::point));
        Map<String, String> register = new HashMap<>();
        Map<String, String> firstAcknowledged = new HashMap<>();
        String[] readValue = new String[count];
        for (Planned p : byPoint) {
            if (!p.write()) {
                readValue[p.index()] = register.get(p.key());
            } else if (p.fate() < 90 || (p.fate() >= 95 && p.fate() < 98)) {
                register.put(p.key(), "v" + p.index());
                if (p.fate() < 90) {
                    firstAcknowledged.putIfAbsent(p.key(), "v" + p.index());
                }
            }
        }
        // Replay invocations and outcomes in time order through the recorder.
        long[] clock = new long[1];
        History history = new History(() -> clock[0]);
        long[] ids = new long[count];
        List<long[]> events = new ArrayList<>(2 * count); // {time, index, 0 = invoke / 1 = end}
        for (Planned p : plan) {
            events.add(new long[] {p.invoke(), p.index(), 0});
            events.add(new long[] {p.end(), p.index(), 1});
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[2]));
        for (long[] e : events) {
            clock[0] = e[0];
            Planned p = plan.get((int) e[1]);
            String client = "c" + (p.index() % 50);
            if (e[2] == 0) {
                ids[p.index()] = p.write()
                    ? history.invokeWrite(client, p.key(), "v" + p.index())
                    : history.invokeRead(client, p.key());
            } else if (!p.write()) {
                if (p.fate() < 95) {
                    history.okRead(ids[p.index()], readValue[p.index()]);
                } else {
                    history.indeterminate(ids[p.index()]);
                }
            } else if (p.fate() < 90) {
                history.ok(ids[p.index()]);
            } else if (p.fate() < 95) {
                history.fail(ids[p.index()]);
            } else {
                history.indeterminate(ids[p.index()]);
            }
        }
        return new Generated(history, Map.copyOf(register), firstAcknowledged);
    }

    // ---- helpers: one operation with given invocation and end ticks --------------------------

    private HistoryReport check(Map<String, String> finals) {
        return HistoryChecker.check(history, finals);
    }

    private long write(String key, String value, long invoke, long end) {
        return record(history, key, value, invoke, end);
    }

    private long record(History target, String key, String value, long invoke, long end) {
        now = invoke;
        long id = target.invokeWrite("c", key, value);
        now = end;
        target.ok(id);
        return id;
    }

    private long writeIndeterminate(String key, String value, long invoke, long end) {
        now = invoke;
        long id = history.invokeWrite("c", key, value);
        now = end;
        history.indeterminate(id);
        return id;
    }

    private long writeFailed(String key, String value, long invoke, long end) {
        now = invoke;
        long id = history.invokeWrite("c", key, value);
        now = end;
        history.fail(id);
        return id;
    }

    private long read(String key, String value, long invoke, long end) {
        return recordRead(history, key, value, invoke, end);
    }

    private long recordRead(History target, String key, String value, long invoke, long end) {
        now = invoke;
        long id = target.invokeRead("c", key);
        now = end;
        target.okRead(id, value);
        return id;
    }
}
