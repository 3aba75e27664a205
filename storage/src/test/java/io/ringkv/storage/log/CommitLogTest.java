package io.ringkv.storage.log;

import io.ringkv.storage.MutableClock;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Entry;
import io.ringkv.storage.Record;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitLogTest {

    private static final long SEGMENT = 1 << 20;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private record Rec(byte[] key, Entry entry) {
    }

    private static Rec rec(long seq) {
        byte[] key = StorageKey.encode((int) (seq % 16384), ("key:" + seq).getBytes(StandardCharsets.UTF_8));
        Entry entry = seq % 5 == 0
                ? Entry.tombstone(seq, 1000 + seq)
                : Entry.value(seq, 1000 + seq, new Record(("value-" + seq).getBytes(StandardCharsets.UTF_8),
                        seq % 3 == 0 ? 5000 + seq : Record.NO_EXPIRY));
        return new Rec(key, entry);
    }

    private CommitLog open(Path in, FsyncPolicy policy) throws IOException {
        return CommitLog.open(in, policy, SEGMENT, clock, warnings::add);
    }

    private CommitLog openReplayed(FsyncPolicy policy) throws IOException {
        CommitLog log = open(dir, policy);
        log.replay((k, e) -> { });
        return log;
    }

    private List<Rec> replayAll(Path in) throws IOException {
        List<Rec> out = new ArrayList<>();
        try (CommitLog log = open(in, FsyncPolicy.NO)) {
            log.replay((k, e) -> out.add(new Rec(k, e)));
        }
        return out;
    }

    private static void assertSame(Rec expected, Rec actual) {
        assertArrayEquals(expected.key(), actual.key());
        Entry a = expected.entry();
        Entry b = actual.entry();
        assertEquals(a.tombstone(), b.tombstone());
        assertEquals(a.sequence(), b.sequence());
        assertEquals(a.writeTimeMillis(), b.writeTimeMillis());
        assertEquals(a.expireAtMillis(), b.expireAtMillis());
        assertArrayEquals(a.value(), b.value());
    }

    private List<Path> segments(Path in) throws IOException {
        try (Stream<Path> files = Files.list(in)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".rkl")).sorted().toList();
        }
    }

    private static int recordLength(Rec r) {
        return LogFormat.encodeRecord(r.key(), r.entry()).length;
    }

    @Test
    void roundTripKeepsEveryFieldInOrder() throws IOException {
        List<Rec> written = new ArrayList<>();
        try (CommitLog log = openReplayed(FsyncPolicy.EVERYSEC)) {
            for (long seq = 1; seq <= 200; seq++) {
                written.add(rec(seq));
            }
            // A key past 127 bytes takes a two-byte varint; an empty value; a large value.
            written.add(new Rec(StorageKey.encode(7, new byte[300]), Entry.value(201, 1, Record.persistent(new byte[0]))));
            written.add(new Rec(StorageKey.encode(8, new byte[] {1}), Entry.value(202, 1,
                    Record.persistent(new byte[100_000]))));
            for (Rec r : written) {
                log.append(r.key(), r.entry());
            }
            assertEquals(LogFormat.SEGMENT_HEADER_BYTES + written.stream().mapToLong(CommitLogTest::recordLength).sum(),
                    log.sizeBytes());
        }
        List<Rec> read = new ArrayList<>();
        ReplayStats stats;
        try (CommitLog log = open(dir, FsyncPolicy.NO)) {
            stats = log.replay((k, e) -> read.add(new Rec(k, e)));
        }
        assertEquals(new ReplayStats(written.size(), 202, 0), stats);
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            assertSame(written.get(i), read.get(i));
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void emptyDirectoryReplaysNothing() throws IOException {
        try (CommitLog log = open(dir.resolve("new/sub"), FsyncPolicy.ALWAYS)) {
            assertEquals(new ReplayStats(0, 0, 0), log.replay((k, e) -> { }));
            assertEquals(0, log.sizeBytes());
        }
    }

    @Test
    void appendAndRollBeforeReplayAndReplayTwiceAreRefused() throws IOException {
        try (CommitLog log = open(dir, FsyncPolicy.ALWAYS)) {
            Rec r = rec(1);
            assertThrows(IllegalStateException.class, () -> log.append(r.key(), r.entry()));
            assertThrows(IllegalStateException.class, log::roll);
            log.replay((k, e) -> { });
            assertThrows(IllegalStateException.class, () -> log.replay((k, e) -> { }));
            log.append(r.key(), r.entry());
        }
        CommitLog closed = openReplayed(FsyncPolicy.NO);
        closed.close();
        Rec r = rec(2);
        assertThrows(IOException.class, () -> closed.append(r.key(), r.entry()));
    }

    /**
     * Every append that returned under ALWAYS survives a crash that drops whatever was not
     * fsynced, and the writers shared fsyncs.
     */
    @Test
    void alwaysManyThreadsEveryAcknowledgedAppendSurvivesACrash() throws Exception {
        CrashingDisk disk = new CrashingDisk();
        CommitLog log = CommitLog.open(dir, FsyncPolicy.ALWAYS, 16 << 10, clock, warnings::add, disk.opener());
        log.replay((k, e) -> { });
        int threads = 8;
        int perThread = 150;
        Set<Long> acknowledged = Collections.synchronizedSet(new HashSet<>());
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = 1; i <= perThread; i++) {
                    Rec r = rec(base + i);
                    try {
                        log.append(r.key(), r.entry());
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    acknowledged.add(r.entry().sequence());
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        long fsyncs = log.fsyncCount();
        // Abandon the log without close(): close would fsync and hide a missing one.
        disk.crash();
        Set<Long> recovered = new HashSet<>();
        for (Rec r : replayAll(dir)) {
            assertSame(rec(r.entry().sequence()), r);
            assertTrue(recovered.add(r.entry().sequence()), "duplicate " + r.entry().sequence());
        }
        assertEquals(acknowledged, recovered);
        assertEquals(threads * perThread, recovered.size());
        assertTrue(segments(dir).size() > 1, "small segments roll by themselves");
        assertTrue(fsyncs < threads * perThread, "group commit: " + fsyncs + " fsyncs");
        log.close();
    }

    /** The crash double really drops unsynced bytes: with NO, records written but not synced go. */
    @Test
    void crashWithoutFsyncLosesUnsyncedRecords() throws IOException {
        CrashingDisk disk = new CrashingDisk();
        CommitLog log = CommitLog.open(dir, FsyncPolicy.NO, SEGMENT, clock, warnings::add, disk.opener());
        log.replay((k, e) -> { });
        for (long seq = 1; seq <= 10; seq++) {
            log.append(rec(seq).key(), rec(seq).entry());
        }
        log.policy(FsyncPolicy.ALWAYS);
        log.append(rec(11).key(), rec(11).entry()); // its fsync also covers 1..10
        log.policy(FsyncPolicy.NO);
        log.append(rec(12).key(), rec(12).entry());
        disk.crash();
        List<Rec> recovered = replayAll(dir);
        assertEquals(11, recovered.size());
        assertEquals(11, recovered.get(10).entry().sequence());
        log.close();
    }

    @Test
    void everysecThreadFsyncsOnceASecondHasPassed() throws IOException {
        CrashingDisk disk = new CrashingDisk();
        CommitLog log = CommitLog.open(dir, FsyncPolicy.EVERYSEC, SEGMENT, clock, warnings::add, disk.opener());
        log.replay((k, e) -> { });
        Rec r = rec(1);
        log.append(r.key(), r.entry());
        // The clock does not move, so the sync thread (ticking in real time) has nothing to do.
        assertEquals(0, log.fsyncCount());
        clock.advance(CommitLog.EVERYSEC_INTERVAL_MILLIS);
        await().atMost(Duration.ofSeconds(5)).until(() -> log.fsyncCount() == 1);
        // Nothing new written: later ticks do not fsync again, even after another second.
        Rec r2 = rec(2);
        log.append(r2.key(), r2.entry());
        clock.advance(CommitLog.EVERYSEC_INTERVAL_MILLIS);
        await().atMost(Duration.ofSeconds(5)).until(() -> log.fsyncCount() == 2);
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ringkv-logsync")));
        disk.crash();
        assertEquals(2, replayAll(dir).size());
        log.close();
    }

    @Test
    void syncThreadStopsOnClose() throws Exception {
        CommitLog log = openReplayed(FsyncPolicy.EVERYSEC);
        log.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals(CommitLog.THREAD_NAME) && t.isAlive()));
    }

    /** Writes n records in one segment, closes, and returns the offset where the last one starts. */
    private long writeRecords(Path in, int n) throws IOException {
        try (CommitLog log = open(in, FsyncPolicy.NO)) {
            log.replay((k, e) -> { });
            for (long seq = 1; seq <= n; seq++) {
                log.append(rec(seq).key(), rec(seq).entry());
            }
        }
        return Files.size(segments(in).get(0)) - recordLength(rec(n));
    }

    @Test
    void tornTailAtEveryOffsetOfTheLastRecordIsCut() throws IOException {
        Path original = dir.resolve("original");
        long lastStart = writeRecords(original, 5);
        Path segment = segments(original).get(0);
        long fullSize = Files.size(segment);
        for (long cut = lastStart; cut < fullSize; cut++) {
            Path copy = dir.resolve("cut-" + cut);
            Files.createDirectories(copy);
            Path file = copy.resolve(segment.getFileName());
            Files.copy(segment, file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            warnings.clear();
            List<Rec> read = new ArrayList<>();
            try (CommitLog log = open(copy, FsyncPolicy.ALWAYS)) {
                ReplayStats stats = log.replay((k, e) -> read.add(new Rec(k, e)));
                assertEquals(new ReplayStats(4, 4, cut - lastStart), stats, "cut at " + cut);
                assertEquals(lastStart, Files.size(file), "file cut at the last good record");
                if (cut > lastStart) {
                    assertEquals(1, warnings.size());
                    assertTrue(warnings.get(0).contains(file.toString()) && warnings.get(0).contains("offset "
                            + lastStart), warnings.get(0));
                } else {
                    assertTrue(warnings.isEmpty());
                }
                log.append(rec(5).key(), rec(5).entry());
            }
            List<Rec> again = replayAll(copy);
            assertEquals(5, again.size(), "appends after the cut replay too");
            assertSame(rec(5), again.get(4));
        }
    }

    @Test
    void bitFlipInTheLastRecordIsCut() throws IOException {
        Path original = dir.resolve("original");
        long lastStart = writeRecords(original, 5);
        Path segment = segments(original).get(0);
        byte[] bytes = Files.readAllBytes(segment);
        for (int at = (int) lastStart; at < bytes.length; at++) {
            Path copy = dir.resolve("flip-" + at);
            Files.createDirectories(copy);
            Path file = copy.resolve(segment.getFileName());
            byte[] damaged = bytes.clone();
            damaged[at] ^= (byte) (1 << (at % 8));
            Files.write(file, damaged);
            warnings.clear();
            try (CommitLog log = open(copy, FsyncPolicy.NO)) {
                ReplayStats stats = log.replay((k, e) -> { });
                assertEquals(new ReplayStats(4, 4, bytes.length - lastStart), stats, "flip at " + at);
            }
            assertEquals(lastStart, Files.size(file));
            assertEquals(1, warnings.size());
        }
    }

    @Test
    void bitFlipInAnOlderSegmentIsCorruption() throws IOException {
        long secondStart;
        try (CommitLog log = openReplayed(FsyncPolicy.NO)) {
            for (long seq = 1; seq <= 3; seq++) {
                log.append(rec(seq).key(), rec(seq).entry());
            }
            log.roll();
            log.append(rec(4).key(), rec(4).entry());
        }
        secondStart = LogFormat.SEGMENT_HEADER_BYTES + recordLength(rec(1));
        Path older = segments(dir).get(0);
        byte[] bytes = Files.readAllBytes(older);
        bytes[(int) secondStart + 12] ^= 0x10;
        Files.write(older, bytes);
        List<Rec> seen = new ArrayList<>();
        try (CommitLog log = open(dir, FsyncPolicy.NO)) {
            CorruptionException e = assertThrows(CorruptionException.class,
                    () -> log.replay((k, en) -> seen.add(new Rec(k, en))));
            assertEquals(older, e.file());
            assertEquals(secondStart, e.offset());
            assertEquals("record checksum mismatch in " + older + " at offset " + secondStart, e.getMessage());
        }
        assertEquals(1, seen.size(), "records before the damage were visited, none after");
        assertEquals(bytes.length, Files.size(older), "an older segment is never cut");
    }

    @Test
    void truncatedOlderSegmentAndBadHeaderAreCorruption() throws IOException {
        try (CommitLog log = openReplayed(FsyncPolicy.NO)) {
            log.append(rec(1).key(), rec(1).entry());
            log.roll();
            log.append(rec(2).key(), rec(2).entry());
        }
        Path older = segments(dir).get(0);
        try (FileChannel ch = FileChannel.open(older, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1);
        }
        try (CommitLog log = open(dir, FsyncPolicy.NO)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> log.replay((k, en) -> { }));
            assertEquals(LogFormat.SEGMENT_HEADER_BYTES, e.offset());
        }
        byte[] bytes = Files.readAllBytes(older);
        bytes[0] = 'X';
        Files.write(older, bytes);
        try (CommitLog log = open(dir, FsyncPolicy.NO)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> log.replay((k, en) -> { }));
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().startsWith("bad commit log segment header in "), e.getMessage());
        }
    }

    @Test
    void lastSegmentWithATornHeaderIsDropped() throws IOException {
        try (CommitLog log = openReplayed(FsyncPolicy.NO)) {
            log.append(rec(1).key(), rec(1).entry());
        }
        Path torn = CommitLog.segmentFile(dir, 2);
        Files.write(torn, new byte[] {'R', 'K'});
        try (CommitLog log = open(dir, FsyncPolicy.NO)) {
            assertEquals(new ReplayStats(1, 1, 2), log.replay((k, e) -> { }));
        }
        assertTrue(Files.notExists(torn));
        assertEquals(1, warnings.size());
    }

    @Test
    void rollAndDeleteSegmentsBefore() throws IOException {
        long second;
        long third;
        try (CommitLog log = openReplayed(FsyncPolicy.ALWAYS)) {
            log.append(rec(1).key(), rec(1).entry());
            log.append(rec(2).key(), rec(2).entry());
            second = log.roll();
            log.append(rec(3).key(), rec(3).entry());
            third = log.roll();
            log.append(rec(4).key(), rec(4).entry());
            assertEquals(2, second);
            assertEquals(3, third);
            assertEquals(3, segments(dir).size());
            long before = log.sizeBytes();
            log.deleteSegmentsBefore(second);
            assertEquals(before - LogFormat.SEGMENT_HEADER_BYTES - recordLength(rec(1)) - recordLength(rec(2)),
                    log.sizeBytes());
            assertEquals(List.of(CommitLog.segmentFile(dir, 2), CommitLog.segmentFile(dir, 3)), segments(dir));
            assertThrows(IllegalArgumentException.class, () -> log.deleteSegmentsBefore(third + 1));
        }
        List<Rec> read = replayAll(dir);
        assertEquals(List.of(3L, 4L), read.stream().map(r -> r.entry().sequence()).toList());
        // A reopened log appends to a new segment, after the ones it replayed.
        try (CommitLog log = openReplayed(FsyncPolicy.ALWAYS)) {
            assertEquals(4, log.roll());
            log.deleteSegmentsBefore(4);
        }
        assertEquals(List.of(CommitLog.segmentFile(dir, 4)), segments(dir));
        assertEquals(0, replayAll(dir).size());
    }

    @Test
    void segmentsRollBySize() throws IOException {
        long segmentBytes = 4096;
        try (CommitLog log = CommitLog.open(dir, FsyncPolicy.NO, segmentBytes, clock, warnings::add)) {
            log.replay((k, e) -> { });
            for (long seq = 1; seq <= 500; seq++) {
                log.append(rec(seq).key(), rec(seq).entry());
            }
            long total = 0;
            for (Path p : segments(dir)) {
                assertTrue(Files.size(p) <= segmentBytes, p + " " + Files.size(p));
                total += Files.size(p);
            }
            assertEquals(total, log.sizeBytes());
            assertTrue(segments(dir).size() > 5);
        }
        List<Rec> read = replayAll(dir);
        assertEquals(500, read.size());
        for (int i = 0; i < 500; i++) {
            assertSame(rec(i + 1), read.get(i));
        }
    }
}
