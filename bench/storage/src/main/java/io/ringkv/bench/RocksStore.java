package io.ringkv.bench;

import io.ringkv.storage.StorageKey;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * RocksDB configured to match ringkv's engine where it matters for the comparison:
 * <ul>
 * <li>Durability. everysec: the WAL on, every write() to the OS but not synced
 * ({@code WriteOptions.setSync(false)}), and a "rocksdb-walsync" thread calling
 * {@code flushWal(true)} once a second, as ringkv's "ringkv-logsync" thread fsyncs its commit
 * log. always: {@code setSync(true)}, where RocksDB's write-group leader syncs for the whole group
 * (its group commit, against ringkv's).</li>
 * <li>Memory. A 256 MiB LRU block cache, 64 MiB write buffers, up to three of them (ringkv: the
 * active memtable plus two frozen ones before writers stall).</li>
 * <li>Tables. 4 KiB blocks, a full bloom filter of 10 bits per key, LZ4 on every level.</li>
 * </ul>
 * Everything else is RocksDB's default, notably leveled compaction with two background jobs and
 * no rate limiter (ringkv: size-tiered, one flush and one compaction thread, compaction throttled
 * to 64 MiB/s). Keys are prefixed with the slot as two big-endian bytes, like ringkv's storage key.
 */
final class RocksStore implements BenchStore {

    private final Options options;
    private final LRUCache cache;
    private final BloomFilter bloom;
    private final WriteOptions writeOptions;
    private final ReadOptions readOptions;
    private final RocksDB db;
    private final ScheduledExecutorService walSync;
    private final AtomicLong walSyncs = new AtomicLong();

    RocksStore(Path dir, boolean syncEveryWrite, BenchConfig config, Consumer<String> log) throws RocksDBException {
        RocksDB.loadLibrary();
        cache = new LRUCache(config.blockCacheBytes());
        bloom = new BloomFilter(config.bloomBitsPerKey(), false);
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setBlockSize(4096);
        options = new Options()
                .setCreateIfMissing(true)
                .setWriteBufferSize(config.memtableBytes())
                .setMaxWriteBufferNumber(3)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setTableFormatConfig(table);
        writeOptions = new WriteOptions().setSync(syncEveryWrite);
        readOptions = new ReadOptions();
        db = RocksDB.open(options, dir.toString());
        if (syncEveryWrite) {
            walSync = null;
        } else {
            walSync = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "rocksdb-walsync");
                t.setDaemon(true);
                return t;
            });
            walSync.scheduleAtFixedRate(() -> {
                try {
                    db.flushWal(true);
                    walSyncs.incrementAndGet();
                } catch (RocksDBException e) {
                    log.accept("rocksdb: flushWal failed: " + e);
                }
            }, 1, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public String name() {
        return "rocksdb";
    }

    @Override
    public void put(int slot, byte[] key, byte[] value) throws RocksDBException {
        db.put(writeOptions, StorageKey.encode(slot, key), value);
    }

    @Override
    public int get(int slot, byte[] key) throws RocksDBException {
        byte[] v = db.get(readOptions, StorageKey.encode(slot, key));
        return v == null ? -1 : v.length;
    }

    @Override
    public long fullScan(ScanVisitor visitor) throws RocksDBException {
        long seen = 0;
        try (RocksIterator it = db.newIterator(readOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                visitor.visit(it.key(), it.value().length);
                seen++;
            }
            it.status();
        }
        return seen;
    }

    @Override
    public int shortScan(int fromSlot, int limit, ScanVisitor visitor) throws RocksDBException {
        // A fresh iterator per scan, as a SCAN command would get (ringkv's forEachInSlot also
        // builds its merged iterator per call).
        int seen = 0;
        try (RocksIterator it = db.newIterator(readOptions)) {
            for (it.seek(StorageKey.slotStart(fromSlot)); it.isValid() && seen < limit; it.next()) {
                visitor.visit(it.key(), it.value().length);
                seen++;
            }
            it.status();
        }
        return seen;
    }

    @Override
    public boolean awaitIdle(long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        int quietPolls = 0;
        while (System.nanoTime() < deadline) {
            boolean quiet = db.getLongProperty("rocksdb.num-running-compactions") == 0
                    && db.getLongProperty("rocksdb.num-running-flushes") == 0
                    && db.getLongProperty("rocksdb.compaction-pending") == 0
                    && db.getLongProperty("rocksdb.mem-table-flush-pending") == 0;
            quietPolls = quiet ? quietPolls + 1 : 0;
            if (quietPolls >= 5) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void flush() throws RocksDBException {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush);
        }
    }

    @Override
    public String describe() throws RocksDBException {
        StringBuilder levels = new StringBuilder();
        for (int level = 0; level < 7; level++) {
            String files = db.getProperty("rocksdb.num-files-at-level" + level).trim();
            if (!files.equals("0")) {
                levels.append(" L").append(level).append('=').append(files);
            }
        }
        return String.format("files:%s memtableBytes=%d blockCacheUsage=%d walSyncs=%d", levels,
                db.getLongProperty("rocksdb.cur-size-all-mem-tables"),
                db.getLongProperty("rocksdb.block-cache-usage"), walSyncs.get());
    }

    @Override
    public void close() throws InterruptedException {
        if (walSync != null) {
            walSync.shutdown();
            walSync.awaitTermination(10, TimeUnit.SECONDS);
        }
        db.close();
        readOptions.close();
        writeOptions.close();
        options.close();
        bloom.close();
        cache.close();
    }
}
