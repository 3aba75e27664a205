package io.ringkv.storage.lsm;

import io.ringkv.storage.MutableClock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Engine;
import io.ringkv.storage.Record;
import io.ringkv.storage.sstable.SSTableInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LsmEngineTest {

    private static final long GRACE = 10L * 24 * 3600 * 1000;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<String> logLines = new CopyOnWriteArrayList<>();
    private LsmEngine engine;

    private LsmEngine open(long memtableBytes) throws IOException {
        engine = LsmEngine.open(LsmTesting.options(dir, memtableBytes), clock, logLines::add);
        return engine;
    }

    private LsmEngine reopen(long memtableBytes) throws IOException {
        engine.close();
        return open(memtableBytes);
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(Record r) {
        return r == null ? null : new String(r.value(), StandardCharsets.UTF_8);
    }

    private static int slotOf(String key) {
        return Math.floorMod(key.hashCode(), Engine.SLOTS);
    }

    @Test
    void dataSurvivesReopenFromTables() throws IOException {
        open(1 << 20);
        for (int i = 0; i < 500; i++) {
            engine.put(slotOf("k" + i), b("k" + i), new Record(b("v" + i), i));
        }
        engine.remove(slotOf("k7"), b("k7"));
        engine.flush();
        assertEquals(1, engine.stats().tables());
        reopen(1 << 20);
        assertEquals(499, engine.size());
        assertNull(engine.get(slotOf("k7"), b("k7")));
        Record r = engine.get(slotOf("k8"), b("k8"));
        assertEquals("v8", s(r));
        assertEquals(8, r.expireAtMillis());
        assertEquals(1, engine.sizeOfSlot(slotOf("k9")) >= 1 ? 1 : 0);
    }

    @Test
    void dataSurvivesReopenWithoutFlushByLogReplay() throws IOException {
        open(1 << 20);
        for (int i = 0; i < 300; i++) {
            engine.put(slotOf("k" + i), b("k" + i), Record.persistent(b("v" + i)));
        }
        engine.put(slotOf("k1"), b("k1"), Record.persistent(b("newer")));
        engine.remove(slotOf("k2"), b("k2"));
        assertEquals(0, engine.stats().tables());
        reopen(1 << 20);
        assertEquals(0, engine.stats().tables());
        assertEquals(299, engine.size());
        assertEquals("newer", s(engine.get(slotOf("k1"), b("k1"))));
        assertNull(engine.get(slotOf("k2"), b("k2")));
        assertEquals("v3", s(engine.get(slotOf("k3"), b("k3"))));
        // Sequences continue after the replayed ones: a new write must win over the replayed value.
        engine.put(slotOf("k3"), b("k3"), Record.persistent(b("after")));
        engine.flush();
        reopen(1 << 20);
        assertEquals("after", s(engine.get(slotOf("k3"), b("k3"))));
    }

    @Test
    void flushedLogSegmentsAreDeletedAndNotReplayedTwice() throws IOException {
        open(1 << 20);
        for (int i = 0; i < 100; i++) {
            engine.put(1, b("k" + i), Record.persistent(new byte[100]));
        }
        long before = engine.stats().logBytes();
        engine.flush();
        assertTrue(engine.stats().logBytes() < before, "flushed segments are deleted");
        reopen(1 << 20);
        assertEquals(100, engine.size());
        assertEquals(0, engine.stats().memtableBytes());
    }

    /**
     * Thousands of seeded random puts, overwrites and deletes over a small key space with a 64 KB
     * memtable, so that many flushes and compactions happen, checked against a HashMap model,
     * including across reopens.
     */
    @Test
    void randomOperationsMatchAModelAcrossFlushesCompactionsAndReopens() throws IOException {
        long seed = 42;
        Random random = new Random(seed);
        Map<String, String> model = new HashMap<>();
        open(64 * 1024);
        for (int round = 0; round < 4; round++) {
            for (int op = 0; op < 3000; op++) {
                String key = "key-" + random.nextInt(800);
                int slot = slotOf(key);
                int dice = random.nextInt(10);
                if (dice < 7) {
                    String value = "v" + op + "-" + "x".repeat(random.nextInt(200));
                    Record previous = engine.put(slot, b(key), Record.persistent(b(value)));
                    assertEquals(model.put(key, value), s(previous), "seed " + seed + " put " + key);
                } else if (dice < 9) {
                    assertEquals(model.remove(key), s(engine.remove(slot, b(key))), "seed " + seed + " remove " + key);
                } else {
                    assertEquals(model.get(key), s(engine.get(slot, b(key))), "seed " + seed + " get " + key);
                }
            }
            engine.awaitBackgroundWork();
            checkAgainst(model);
            reopen(64 * 1024);
            checkAgainst(model);
        }
        LsmStats stats = engine.stats();
        assertTrue(engine.stats().tables() > 0);
        engine.flush();
        engine.awaitBackgroundWork();
        checkAgainst(model);
        assertTrue(stats.tables() < 20, "compaction bounds the table count: " + stats);
    }

    @Test
    void compactionHappensAndKeepsNewestVersions() throws IOException {
        open(16 * 1024);
        Random random = new Random(7);
        Map<String, String> model = new HashMap<>();
        for (int op = 0; op < 6000; op++) {
            String key = "k" + random.nextInt(300);
            String value = "value-" + op + "-" + "y".repeat(50);
            engine.put(slotOf(key), b(key), Record.persistent(b(value)));
            model.put(key, value);
        }
        engine.flush();
        engine.awaitBackgroundWork();
        LsmStats stats = engine.stats();
        assertTrue(stats.flushes() >= 8, stats.toString());
        assertTrue(stats.compactions() >= 1, stats.toString());
        checkAgainst(model);
        // Merged inputs leave the disk at once, not at the next start: the directory holds
        // exactly the live tables.
        try (var files = java.nio.file.Files.list(dir)) {
            long onDisk = files.filter(p -> p.getFileName().toString().endsWith(".sst")).count();
            assertEquals(stats.tables(), onDisk, "table files on disk vs live tables: " + stats);
        }
    }

    private void checkAgainst(Map<String, String> model) {
        assertEquals(model.size(), engine.size());
        int[] perSlot = new int[Engine.SLOTS];
        for (var e : model.entrySet()) {
            assertEquals(e.getValue(), s(engine.get(slotOf(e.getKey()), b(e.getKey()))), e.getKey());
            perSlot[slotOf(e.getKey())]++;
        }
        Map<String, String> scanned = new HashMap<>();
        int slots = 0;
        for (int slot = engine.nextNonEmptySlot(0); slot >= 0; slot = engine.nextNonEmptySlot(slot + 1)) {
            assertEquals(perSlot[slot], engine.sizeOfSlot(slot), "slot " + slot);
            engine.forEachInSlot(slot, (k, r) -> scanned.put(new String(k, StandardCharsets.UTF_8), s(r)));
            slots++;
        }
        assertEquals(model, scanned);
        assertTrue(slots <= model.size());
    }

    @Test
    void tombstonesAreKeptWithinGraceAndDroppedAfter() throws IOException {
        open(1 << 20);
        for (int i = 0; i < 100; i++) {
            engine.put(1, b("k" + i), Record.persistent(b("v")));
        }
        engine.flush();
        for (int i = 0; i < 100; i++) {
            engine.remove(1, b("k" + i));
        }
        engine.flush();
        clock.advance(GRACE - 1);
        engine.compact(0, -1);
        assertEquals(List.of(100L), tombstoneCounts(), "within grace every tombstone stays");
        clock.advance(1);
        engine.compact(0, -1);
        assertEquals(List.of(), tombstoneCounts(), "past grace, with no older table, they go (and the table with them)");
        assertEquals(0, engine.size());
        assertNull(engine.get(1, b("k5")));
    }

    @Test
    void oldTombstoneIsKeptWhileAnOlderTableMayHoldTheKey() throws IOException {
        open(1 << 20);
        engine.put(1, b("dead"), Record.persistent(b("old value")));
        engine.flush();                            // oldest table: the value
        engine.remove(1, b("dead"));
        engine.flush();                            // the tombstone
        engine.put(1, b("other"), Record.persistent(b("x")));
        engine.flush();                            // newest table
        clock.advance(GRACE + 1);
        engine.compact(0, 2);                      // the two newest only: the value's table stays out
        assertEquals(2, engine.stats().tables());
        assertEquals(List.of(1L, 0L), tombstoneCounts());
        assertNull(engine.get(1, b("dead")));
        reopen(1 << 20);
        assertNull(engine.get(1, b("dead")));
        assertEquals(1, engine.size());
    }

    @Test
    void expiredValuesBecomeTombstonesAndLeaveTheCounts() throws IOException {
        open(1 << 20);
        long now = clock.millis();
        engine.put(1, b("short"), new Record(b("v"), now + 1000));
        engine.put(1, b("long"), new Record(b("v"), now + 1_000_000));
        engine.put(2, b("forever"), Record.persistent(b("v")));
        engine.put(2, b("overwritten"), new Record(b("v"), now + 1000));
        engine.flush();
        engine.put(2, b("overwritten"), Record.persistent(b("fresh")));  // in the memtable: shadows the expired one
        clock.advance(2000);
        assertEquals("v", s(engine.get(1, b("short"))), "the engine does not filter by time in get");
        engine.compact(0, -1);
        assertNull(engine.get(1, b("short")));
        assertEquals("v", s(engine.get(1, b("long"))));
        assertEquals("fresh", s(engine.get(2, b("overwritten"))));
        assertEquals(3, engine.size());
        assertEquals(1, engine.sizeOfSlot(1));
        assertEquals(2, engine.sizeOfSlot(2));
        reopen(1 << 20);
        assertEquals(3, engine.size());
        assertEquals(1, engine.sizeOfSlot(1));
    }

    private List<Long> tombstoneCounts() {
        List<Long> counts = new ArrayList<>();
        for (SSTableInfo info : engine.tableInfos()) {
            counts.add(info.tombstones());
        }
        return counts;
    }

    @Test
    void concurrentWritersOfDifferentKeys() throws Exception {
        open(32 * 1024);
        int threads = 4;
        int perThread = 1500;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String key = "t" + id + "-" + i;
                        engine.put(slotOf(key), b(key), Record.persistent(b("v" + i)));
                        if (i % 10 == 0) {
                            engine.remove(slotOf(key), b(key));
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer-" + t);
            w.start();
            workers.add(w);
        }
        // A reader walking gets and slot scans while flushes and compactions swap tables under
        // it: pinned versions must keep every table it may touch open.
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            try {
                start.await();
                Random random = new Random(1);
                while (writing.get()) {
                    String key = "t" + random.nextInt(threads) + "-" + random.nextInt(perThread);
                    engine.get(slotOf(key), b(key));
                    engine.forEachInSlot(slotOf(key), (k, r) -> { });
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "reader");
        reader.start();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        writing.set(false);
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        Map<String, String> model = new HashMap<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                if (i % 10 != 0) {
                    model.put("t" + t + "-" + i, "v" + i);
                }
            }
        }
        engine.awaitBackgroundWork();
        assertTrue(engine.stats().flushes() > 0);
        checkAgainst(model);
        reopen(32 * 1024);
        checkAgainst(model);
    }

    @Test
    void clearIsDurable() throws IOException {
        open(1 << 20);
        for (int i = 0; i < 50; i++) {
            engine.put(1, b("k" + i), Record.persistent(b("v")));
        }
        engine.flush();
        engine.put(1, b("memtable-only"), Record.persistent(b("v")));
        engine.clear();
        engine.put(2, b("after"), Record.persistent(b("v")));
        reopen(1 << 20);
        assertEquals(1, engine.size());
        assertEquals("v", s(engine.get(2, b("after"))));
        assertNull(engine.get(1, b("k1")));
        assertNull(engine.get(1, b("memtable-only")));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith("table-")).count());
        }
    }

    @Test
    void strayTablesAndTempFilesAreDeletedAtOpen() throws IOException {
        open(1 << 20);
        engine.put(1, b("k"), Record.persistent(b("v")));
        engine.flush();
        engine.close();
        engine = null;
        Files.write(Manifest.tableFile(dir, 999), new byte[] {1, 2, 3});
        Files.write(dir.resolve("table-00000000000000001000.sst.tmp"), new byte[] {1});
        open(1 << 20);
        assertEquals("v", s(engine.get(1, b("k"))));
        assertTrue(Files.notExists(Manifest.tableFile(dir, 999)));
        assertTrue(Files.notExists(dir.resolve("table-00000000000000001000.sst.tmp")));
    }

    @Test
    void corruptTableBlockIsReportedNeverReturned() throws IOException {
        open(1 << 20);
        for (int i = 0; i < 200; i++) {
            engine.put(1, b(String.format("k%04d", i)), Record.persistent(b("value-" + i + "-" + "z".repeat(40))));
        }
        engine.flush();
        engine.close();
        engine = null;
        Path table = Manifest.tableFile(dir, 1);
        byte[] bytes = Files.readAllBytes(table);
        bytes[20] ^= 0x10;                          // inside the first data block
        Files.write(table, bytes);
        // The slot counts are rebuilt by a scan at open, which reads the damaged block: the node
        // refuses to start rather than serve (or count) data it cannot trust.
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> LsmEngine.open(LsmTesting.options(dir, 1 << 20), clock, logLines::add));
        assertEquals(table, e.file());
    }

    @Test
    void corruptManifestFailsOpen() throws IOException {
        open(1 << 20);
        engine.put(1, b("k"), Record.persistent(b("v")));
        engine.flush();
        engine.close();
        engine = null;
        Path manifest = dir.resolve(Manifest.FILE);
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[10] ^= 0x04;
        Files.write(manifest, bytes);
        CorruptionException e = assertThrows(CorruptionException.class,
                () -> LsmEngine.open(LsmTesting.options(dir, 1 << 20), clock, logLines::add));
        assertEquals(manifest, e.file());
    }
}
