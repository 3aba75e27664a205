package io.ringkv.bench;

import io.ringkv.storage.Engine;
import io.ringkv.storage.Record;
import io.ringkv.storage.log.FsyncPolicy;
import io.ringkv.storage.lsm.LsmEngine;
import io.ringkv.storage.lsm.LsmOptions;
import io.ringkv.storage.lsm.LsmStats;
import io.ringkv.storage.sstable.Compression;
import io.ringkv.storage.sstable.SSTableOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * ringkv's LsmEngine through the Engine interface, exactly as the server drives it: put returns
 * the previous record (the engine does the point read that keeps its per-slot counts exact), and
 * scans go slot by slot with nextNonEmptySlot + forEachInSlot, which is how SCAN and KEYS walk it.
 */
final class RingkvStore implements BenchStore {

    private static final long MIB = 1024L * 1024;
    private static final long TOMBSTONE_GRACE_MILLIS = 10L * 24 * 3600 * 1000;

    private final LsmEngine engine;

    RingkvStore(Path dir, FsyncPolicy fsync, BenchConfig config, Consumer<String> log) throws Exception {
        // The spec's defaults, spelled out so that the report states what was compared:
        // 64 MiB memtable, 256 MiB block cache, 4 KiB blocks, 10 bloom bits per key, LZ4,
        // compaction throttled to 64 MiB/s, 64 MiB log segments.
        LsmOptions options = new LsmOptions(dir, fsync, config.memtableBytes(), config.blockCacheBytes(),
                new SSTableOptions(4096, config.bloomBitsPerKey(), Compression.LZ4), TOMBSTONE_GRACE_MILLIS,
                64 * MIB, 64 * MIB);
        this.engine = LsmEngine.open(options, Clock.systemUTC(), log);
    }

    @Override
    public String name() {
        return "ringkv";
    }

    @Override
    public void put(int slot, byte[] key, byte[] value) {
        engine.put(slot, key, Record.persistent(value));
    }

    @Override
    public int get(int slot, byte[] key) {
        Record r = engine.get(slot, key);
        return r == null ? -1 : r.value().length;
    }

    @Override
    public long fullScan(ScanVisitor visitor) {
        long seen = 0;
        int slot = engine.nextNonEmptySlot(0);
        while (slot >= 0) {
            long[] n = {0};
            engine.forEachInSlot(slot, (key, record) -> {
                visitor.visit(key, record.value().length);
                n[0]++;
            });
            seen += n[0];
            slot = slot + 1 < Engine.SLOTS ? engine.nextNonEmptySlot(slot + 1) : -1;
        }
        return seen;
    }

    @Override
    public int shortScan(int fromSlot, int limit, ScanVisitor visitor) {
        // forEachInSlot has no early exit: a slot is visited whole (about N/16384 keys; 61 at a
        // million), and keys past the limit are skipped rather than reported. SCAN does the same.
        int[] n = {0};
        int slot = engine.nextNonEmptySlot(fromSlot);
        while (slot >= 0 && n[0] < limit) {
            engine.forEachInSlot(slot, (key, record) -> {
                if (n[0] < limit) {
                    visitor.visit(key, record.value().length);
                    n[0]++;
                }
            });
            slot = slot + 1 < Engine.SLOTS ? engine.nextNonEmptySlot(slot + 1) : -1;
        }
        return n[0];
    }

    @Override
    public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        long lastCompactions = -1;
        long lastFlushes = -1;
        int quietPolls = 0;
        // Idle = nothing frozen waiting for the flusher, no run the compaction picker would merge,
        // and no flush or compaction finished for a second (one may be running with pending = 0
        // once its input is picked, so the counters must stop moving too).
        while (System.nanoTime() < deadline) {
            LsmStats s = engine.stats();
            boolean quiet = s.frozenMemtables() == 0 && s.pendingCompactionBytes() == 0
                    && s.compactions() == lastCompactions && s.flushes() == lastFlushes;
            quietPolls = quiet ? quietPolls + 1 : 0;
            if (quietPolls >= 5) {
                return true;
            }
            lastCompactions = s.compactions();
            lastFlushes = s.flushes();
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void flush() throws java.io.IOException {
        engine.flush();
    }

    @Override
    public String describe() {
        LsmStats s = engine.stats();
        return String.format("tables=%d tableBytes=%d memtableBytes=%d logBytes=%d flushes=%d compactions=%d"
                + " compactedBytes=%d cacheHits=%d cacheMisses=%d", s.tables(), s.tableBytes(), s.memtableBytes(),
                s.logBytes(), s.flushes(), s.compactions(), s.compactedBytes(), s.cacheHits(), s.cacheMisses());
    }

    @Override
    public void close() {
        engine.close();
    }
}
