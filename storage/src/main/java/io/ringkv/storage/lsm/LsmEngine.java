package io.ringkv.storage.lsm;

import io.ringkv.storage.Engine;
import io.ringkv.storage.Entry;
import io.ringkv.storage.Record;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.log.CommitLog;
import io.ringkv.storage.log.FsyncPolicy;
import io.ringkv.storage.sstable.BlockCache;
import io.ringkv.storage.sstable.EntryIterator;
import io.ringkv.storage.sstable.SSTableInfo;
import io.ringkv.storage.sstable.SSTableReader;
import io.ringkv.storage.sstable.SSTableWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * ringkv's log-structured engine: commit log, memtables, SSTables, size-tiered compaction.
 * docs/storage.md tells the design as a story; this comment gives the invariants.
 *
 * <p><b>Locks.</b> Two, always taken in this order:
 * <ul>
 * <li>{@code writeGate} (read-write). Every write holds its read side across "look up the old
 * entry, take a sequence, append to the log, insert into the active memtable, adjust the slot
 * count". Freezing the memtable (and FLUSHALL, and a compaction that turns expired values into
 * tombstones) holds the write side. Hence: (1) no write straddles a freeze, so every entry of a
 * memtable was logged before the roll made at its freeze, and the segments before that roll can
 * be deleted once the memtable is in a table; (2) sequences of one memtable are all below those
 * of the next, so tables cover disjoint, contiguous sequence ranges; (3) the per-slot counts
 * move exactly with the keys' liveness.</li>
 * <li>{@code stateLock} (monitor). Guards swapping {@link #current} and writing the manifest, so
 * the manifest on disk always lists the tables of some installed version. Readers take no lock:
 * they pin the current {@link Version} with a reference count.</li>
 * </ul>
 *
 * <p><b>Threads.</b> "ringkv-flush" writes frozen memtables to tables, oldest first, one at a
 * time; "ringkv-compact" merges runs of tables. Writers block (backpressure) when
 * {@link #MAX_FROZEN} memtables already wait for their flush.
 */
public final class LsmEngine implements Engine {

    /** Frozen memtables allowed to wait for the flusher before writers stall. */
    static final int MAX_FROZEN = 2;

    private final LsmOptions options;
    private final Path dir;
    private final Clock clock;
    private final Consumer<String> log;
    private final CommitLog commitLog;
    private final BlockCache cache;

    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong nextTableId = new AtomicLong();
    /**
     * A StampedLock's read-write view rather than a ReentrantReadWriteLock: every write takes the
     * read side, and the reentrant lock's per-thread hold counting costs more than the single
     * CAS this needs. Neither side is ever taken twice by one thread (writes release the read
     * side before maybeFreeze takes the write side), so non-reentrancy is safe.
     */
    private final ReadWriteLock writeGate = new StampedLock().asReadWriteLock();
    private final Object stateLock = new Object();
    private volatile Version current;
    /** Guarded by stateLock: see {@link Manifest#flushedSequence}. */
    private long flushedSequence;

    private final AtomicIntegerArray slotCounts = new AtomicIntegerArray(SLOTS);
    /** A LongAdder, not an AtomicLong: every event loop bumps it, and one shared counter
     * bounces its cache line between cores on each write. */
    private final LongAdder liveKeys = new LongAdder();

    private final ExecutorService flusher;
    private final ExecutorService compactor;
    private final AtomicBoolean compactionQueued = new AtomicBoolean();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong compactedBytes = new AtomicLong();
    private volatile Throwable backgroundError;
    private volatile boolean closed;

    private LsmEngine(LsmOptions options, Clock clock, Consumer<String> log, CommitLog commitLog, BlockCache cache) {
        this.options = options;
        this.dir = options.dir();
        this.clock = clock;
        this.log = log;
        this.commitLog = commitLog;
        this.cache = cache;
        this.flusher = Executors.newSingleThreadExecutor(r -> daemon(r, "ringkv-flush"));
        this.compactor = Executors.newSingleThreadExecutor(r -> daemon(r, "ringkv-compact"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens (or creates) the engine in {@code options.dir()}: reads the manifest, opens its tables,
     * deletes files a crash left behind, replays the commit log into a memtable and rebuilds the
     * per-slot key counts with one merged scan.
     */
    public static LsmEngine open(LsmOptions options, Clock clock, Consumer<String> log) throws IOException {
        Path dir = options.dir();
        Files.createDirectories(dir);
        Manifest manifest = Manifest.read(dir);
        if (manifest == null) {
            manifest = new Manifest(1, 0, List.of());
            manifest.write(dir);
        }
        BlockCache cache = new BlockCache(options.blockCacheBytes());
        List<Table> tables = new ArrayList<>();   // newest first
        CommitLog commitLog = null;
        try {
            Set<Long> live = new HashSet<>();
            long maxSequence = manifest.flushedSequence();
            for (Manifest.TableMeta meta : manifest.tables()) {
                Path file = Manifest.tableFile(dir, meta.id());
                tables.addFirst(new Table(meta.id(), file, SSTableReader.open(file, meta.id(), cache), log));
                live.add(meta.id());
                maxSequence = Math.max(maxSequence, meta.maxSequence());
            }
            deleteStrays(dir, live, log);
            commitLog = CommitLog.open(dir.resolve("log"), options.fsync(), options.logSegmentBytes(), clock, log);
            LsmEngine engine = new LsmEngine(options, clock, log, commitLog, cache);
            Memtable memtable = new Memtable();
            // Records at or below flushedSequence are already in tables: their segment outlived
            // the flush only because a crash came between the manifest write and the delete.
            long flushed = manifest.flushedSequence();
            var replay = commitLog.replay((key, entry) -> {
                if (entry.sequence() > flushed) {
                    memtable.putIfNewer(key, entry);
                }
            });
            maxSequence = Math.max(maxSequence, replay.maxSequence());
            engine.sequence.set(maxSequence);
            engine.nextTableId.set(manifest.nextTableId());
            engine.flushedSequence = flushed;
            engine.current = new Version(memtable, List.of(), tables);
            engine.rebuildCounts();
            log.accept("storage: opened " + dir + ": " + tables.size() + " tables, " + replay.records()
                    + " log records replayed, " + engine.liveKeys.sum() + " keys");
            engine.maybeFreeze();
            engine.scheduleCompaction();
            return engine;
        } catch (IOException | RuntimeException e) {
            for (Table t : tables) {
                t.release();
            }
            if (commitLog != null) {
                commitLog.close();
            }
            throw e;
        }
    }

    /** Tables not in the manifest (a crash before their manifest write, or before their delete) and temp files. */
    private static void deleteStrays(Path dir, Set<Long> live, Consumer<String> log) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                long id = Manifest.tableId(name);
                boolean stray = (id >= 0 && !live.contains(id)) || (name.startsWith("table-") && name.endsWith(".tmp"));
                if (stray) {
                    log.accept("storage: deleting " + p + " (not in the manifest)");
                    Files.delete(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Record get(int slot, byte[] key) {
        Entry e = lookup(StorageKey.encode(slot, key));
        return e == null ? null : e.record();
    }

    /** The newest entry for the key (a tombstone included), or null. */
    private Entry lookup(byte[] storageKey) {
        // Memtables first, without retaining the version: they are plain heap objects, safe to
        // read even after a flush retired them, and a retain/release pair is two atomic updates
        // of one counter shared by every event loop, which showed up as cache-line contention on
        // the hot path. Only tables (open files a compaction may close) need the version held.
        Version unretained = current;
        Entry e = unretained.active.get(storageKey);
        if (e != null) {
            return e;
        }
        for (Memtable m : unretained.frozen) {
            e = m.get(storageKey);
            if (e != null) {
                return e;
            }
        }
        Version v = acquire();
        try {
            if (v != unretained) {
                // A flush or compaction swapped the version meanwhile; read its memtables too,
                // so that an entry moved from a frozen memtable into a new table is not missed.
                e = v.active.get(storageKey);
                if (e != null) {
                    return e;
                }
                for (Memtable m : v.frozen) {
                    e = m.get(storageKey);
                    if (e != null) {
                        return e;
                    }
                }
            }
            for (Table t : v.tables) {
                SSTableInfo info = t.info;
                if (StorageKey.compare(storageKey, info.firstKey()) < 0 || StorageKey.compare(storageKey, info.lastKey()) > 0) {
                    continue;
                }
                e = t.reader.get(storageKey);
                if (e != null) {
                    return e;
                }
            }
            return null;
        } catch (IOException ioe) {
            throw new UncheckedIOException(ioe);
        } finally {
            v.release();
        }
    }

    private Version acquire() {
        while (true) {
            Version v = current;
            if (v.tryRetain()) {
                return v;
            }
            if (closed) {
                throw new IllegalStateException("storage engine is closed");
            }
        }
    }

    @Override
    public long size() {
        return liveKeys.sum();
    }

    @Override
    public long sizeOfSlot(int slot) {
        return slotCounts.get(slot);
    }

    @Override
    public int nextNonEmptySlot(int fromSlot) {
        for (int slot = Math.max(0, fromSlot); slot < SLOTS; slot++) {
            if (slotCounts.get(slot) > 0) {
                return slot;
            }
        }
        return -1;
    }

    @Override
    public void forEachInSlot(int slot, BiConsumer<byte[], Record> visitor) {
        if (slotCounts.get(slot) == 0) {
            return;
        }
        Version v = acquire();
        try (EntryIterator it = scan(v, StorageKey.slotStart(slot), StorageKey.slotStart(slot + 1))) {
            while (it.next()) {
                Entry e = it.entry();
                if (!e.tombstone()) {
                    visitor.accept(StorageKey.userKey(it.key()), e.record());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            v.release();
        }
    }

    /** Newest entry per key in [from, to) over every source of {@code v}; tombstones included. */
    private static EntryIterator scan(Version v, byte[] from, byte[] to) throws IOException {
        List<EntryIterator> sources = new ArrayList<>();
        try {
            sources.add(memtableRange(v.active, from, to));
            for (Memtable m : v.frozen) {
                sources.add(memtableRange(m, from, to));
            }
            for (Table t : v.tables) {
                SSTableInfo info = t.info;
                boolean disjoint = (to != null && StorageKey.compare(info.firstKey(), to) >= 0)
                        || StorageKey.compare(info.lastKey(), from) < 0;
                if (!disjoint) {
                    sources.add(t.reader.iterator(from, to));
                }
            }
        } catch (IOException | RuntimeException e) {
            sources.forEach(EntryIterator::close);
            throw e;
        }
        return new MergingIterator(sources);
    }

    private static EntryIterator memtableRange(Memtable m, byte[] from, byte[] to) {
        return MergingIterator.of(m.range(from, to));
    }

    @Override
    public long approximateBytes() {
        Version v = current;
        return v.tableBytes() + v.memtableBytes();
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Record put(int slot, byte[] key, Record record) {
        byte[] storageKey = StorageKey.encode(slot, key);
        Entry old;
        writeGate.readLock().lock();
        try {
            checkWritable();
            old = lookup(storageKey);
            write(storageKey, Entry.value(sequence.incrementAndGet(), clock.millis(), record));
            if (old == null || old.tombstone()) {
                countUp(slot);
            }
        } finally {
            writeGate.readLock().unlock();
        }
        maybeFreeze();
        return old == null ? null : old.record();
    }

    @Override
    public Record remove(int slot, byte[] key) {
        byte[] storageKey = StorageKey.encode(slot, key);
        Entry old;
        writeGate.readLock().lock();
        try {
            checkWritable();
            old = lookup(storageKey);
            if (old == null || old.tombstone()) {
                // Nothing to delete, so nothing to log: a tombstone here would only cost space.
                return null;
            }
            write(storageKey, Entry.tombstone(sequence.incrementAndGet(), clock.millis()));
            countDown(slot);
        } finally {
            writeGate.readLock().unlock();
        }
        maybeFreeze();
        return old.record();
    }

    /**
     * Removes the key when its current record equals {@code expected} by expiry and value bytes.
     * The LSM re-reads records from tables, so the identity that {@link Engine#removeIf} speaks of
     * cannot survive a flush; equal bytes and expiry is the closest promise it can keep (a
     * concurrent rewrite of the same bytes with the same expiry is indistinguishable anyway).
     */
    @Override
    public boolean removeIf(int slot, byte[] key, Record expected) {
        byte[] storageKey = StorageKey.encode(slot, key);
        writeGate.readLock().lock();
        try {
            checkWritable();
            Entry old = lookup(storageKey);
            if (old == null || old.tombstone() || old.expireAtMillis() != expected.expireAtMillis()
                    || !Arrays.equals(old.value(), expected.value())) {
                return false;
            }
            write(storageKey, Entry.tombstone(sequence.incrementAndGet(), clock.millis()));
            countDown(slot);
        } finally {
            writeGate.readLock().unlock();
        }
        maybeFreeze();
        return true;
    }

    /**
     * Log first, then memtable. On a thread that deferred durability the log record is only
     * batched here and the thread's {@link #awaitDurable} writes it (the server calls that before
     * acknowledging); elsewhere the append waits per policy. Caller holds the gate's read side.
     */
    private void write(byte[] storageKey, Entry entry) {
        try {
            DurabilityState state = durability.get();
            if (state.deferring) {
                state.pendingLsn = commitLog.appendDeferred(storageKey, entry);
            } else {
                commitLog.append(storageKey, entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        current.active.put(storageKey, entry);
    }

    /** Per thread: whether it defers durability, and the last log position it has not awaited. */
    private static final class DurabilityState {
        boolean deferring;
        long pendingLsn;
    }

    /** An instance field, not static: each engine (several in one test JVM) has its own. */
    private final ThreadLocal<DurabilityState> durability = ThreadLocal.withInitial(DurabilityState::new);

    @Override
    public void deferDurability() {
        durability.get().deferring = true;
    }

    @Override
    public void resumeDurability() {
        durability.get().deferring = false;
    }

    @Override
    public void awaitDurable() {
        DurabilityState state = durability.get();
        long lsn = state.pendingLsn;
        if (lsn == 0) {
            return;
        }
        state.pendingLsn = 0;
        try {
            commitLog.awaitDurable(lsn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void countUp(int slot) {
        slotCounts.incrementAndGet(slot);
        liveKeys.increment();
    }

    private void countDown(int slot) {
        slotCounts.decrementAndGet(slot);
        liveKeys.decrement();
    }

    private void checkWritable() {
        if (closed) {
            throw new IllegalStateException("storage engine is closed");
        }
        Throwable error = backgroundError;
        if (error != null) {
            // Like RocksDB's background error: once a flush failed, accepting more writes would
            // only grow a memtable that can never reach disk, so the engine turns read-only.
            throw new UncheckedIOException(new IOException("storage is read-only after a background failure: " + error, error));
        }
    }

    /** FLUSHALL: empties the engine durably. Writes wait meanwhile; a running flush or compaction finds its inputs gone and discards its output. */
    @Override
    public void clear() {
        writeGate.writeLock().lock();
        try {
            synchronized (stateLock) {
                Version old = current;
                long rolled = commitLog.roll();
                flushedSequence = sequence.get();
                new Manifest(nextTableId.get(), flushedSequence, List.of()).write(dir);
                current = new Version(new Memtable(), List.of(), List.of());
                for (Table t : old.tables) {
                    t.obsolete();
                }
                old.release();
                commitLog.deleteSegmentsBefore(rolled);
                for (int slot = 0; slot < SLOTS; slot++) {
                    slotCounts.set(slot, 0);
                }
                liveKeys.reset();
                stateLock.notifyAll();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writeGate.writeLock().unlock();
        }
    }

    public void fsyncPolicy(FsyncPolicy policy) {
        commitLog.policy(policy);
    }

    // ---------------------------------------------------------------- flush

    private void maybeFreeze() {
        Memtable m = current.active;
        if (m.bytes() < options.memtableBytes()) {
            return;
        }
        writeGate.writeLock().lock();
        try {
            if (current.active == m && !closed) {
                freezeLocked();
            }
        } finally {
            writeGate.writeLock().unlock();
        }
    }

    /**
     * Makes the active memtable immutable and queues its flush. Caller holds the gate's write side,
     * so no write is between its log append and its memtable insert; waiting here for the flusher
     * stalls all writers, which is the backpressure.
     */
    private void freezeLocked() {
        synchronized (stateLock) {
            try {
                while (current.frozen.size() >= MAX_FROZEN && backgroundError == null && !closed) {
                    stateLock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted waiting for a memtable flush"));
            }
            checkWritable();
            Version v = current;
            Memtable frozen = v.active;
            try {
                frozen.rolledSegment = commitLog.roll();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<Memtable> frozenList = new ArrayList<>(v.frozen.size() + 1);
            frozenList.add(frozen);
            frozenList.addAll(v.frozen);
            install(Version.successor(new Memtable(), frozenList, v.tables));
        }
        flusher.execute(this::flushOldest);
    }

    /** Caller holds stateLock. */
    private void install(Version next) {
        Version old = current;
        current = next;
        old.release();
    }

    /** Freezes the active memtable (if it holds anything) and waits until every frozen memtable is in a table. */
    public void flush() throws IOException {
        writeGate.writeLock().lock();
        try {
            checkWritable();
            if (!current.active.isEmpty()) {
                freezeLocked();
            }
        } finally {
            writeGate.writeLock().unlock();
        }
        awaitQuiet(flusher);
        Throwable error = backgroundError;
        if (error != null) {
            throw new IOException("flush failed", error);
        }
    }

    private static void awaitQuiet(ExecutorService executor) throws IOException {
        try {
            executor.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + executor);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    /** Runs on "ringkv-flush". */
    private void flushOldest() {
        Memtable m;
        synchronized (stateLock) {
            List<Memtable> frozen = current.frozen;
            if (frozen.isEmpty()) {
                return;   // FLUSHALL dropped it
            }
            m = frozen.getLast();
        }
        try {
            Table table = null;
            long maxSequence = -1;
            if (!m.isEmpty()) {
                long id = nextTableId.getAndIncrement();
                Path tmp = tempFile(id);
                try (SSTableWriter writer = new SSTableWriter(tmp, options.tables(), m.entryCount())) {
                    for (Map.Entry<byte[], Entry> e : (Iterable<Map.Entry<byte[], Entry>>) m::entries) {
                        writer.add(e.getKey(), e.getValue());
                        maxSequence = Math.max(maxSequence, e.getValue().sequence());
                    }
                    writer.finish();
                }
                table = publish(id, tmp);
            }
            synchronized (stateLock) {
                Version v = current;
                if (!v.frozen.contains(m)) {
                    discard(table);
                    return;
                }
                List<Memtable> frozen = new ArrayList<>(v.frozen);
                frozen.remove(m);
                List<Table> tables = new ArrayList<>(v.tables.size() + 1);
                if (table != null) {
                    tables.add(table);
                }
                tables.addAll(v.tables);
                long flushed = Math.max(flushedSequence, maxSequence);
                writeManifest(flushed, tables);
                flushedSequence = flushed;
                install(Version.successor(v.active, frozen, tables));
                if (table != null) {
                    table.release();   // the creation reference; the version holds its own
                }
                stateLock.notifyAll();
            }
            commitLog.deleteSegmentsBefore(m.rolledSegment);
            flushes.incrementAndGet();
            scheduleCompaction();
        } catch (IOException | RuntimeException | Error e) {
            backgroundError = e;
            log.accept("storage: memtable flush failed, the engine is now read-only: " + e);
            synchronized (stateLock) {
                stateLock.notifyAll();
            }
        }
    }

    private Path tempFile(long id) {
        return dir.resolve(Manifest.tableFile(dir, id).getFileName() + ".tmp");
    }

    /**
     * Renames a finished table into place and opens it. The rename becomes durable with the
     * directory fsync of the manifest write that follows (same directory), before which nothing
     * refers to the table, so a crash in between leaves only a stray file that open deletes.
     */
    private Table publish(long id, Path tmp) throws IOException {
        Path file = Manifest.tableFile(dir, id);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return new Table(id, file, SSTableReader.open(file, id, cache), log);
    }

    private void discard(Table table) {
        if (table != null) {
            table.obsolete();
            table.release();
        }
    }

    /** Caller holds stateLock. {@code tables} newest first, as in a Version. */
    private void writeManifest(long flushed, List<Table> tables) throws IOException {
        List<Manifest.TableMeta> metas = new ArrayList<>(tables.size());
        for (Table t : tables.reversed()) {
            metas.add(new Manifest.TableMeta(t.id, t.info.fileBytes(), t.info.entries(), t.info.minSequence(), t.info.maxSequence()));
        }
        new Manifest(nextTableId.get(), flushed, metas).write(dir);
    }

    // ---------------------------------------------------------------- compaction

    private void scheduleCompaction() {
        if (!closed && compactionQueued.compareAndSet(false, true)) {
            compactor.execute(() -> {
                compactionQueued.set(false);
                try {
                    while (!closed && backgroundError == null && compactOnce()) {
                        // keep going while there is a candidate run
                    }
                } catch (IOException | RuntimeException e) {
                    // A failed compaction loses nothing (its inputs stay live); the next flush retries.
                    log.accept("storage: compaction failed: " + e);
                }
            });
        }
    }

    private static long[] sizes(List<Table> tables) {
        long[] sizes = new long[tables.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = tables.get(i).bytes();
        }
        return sizes;
    }

    /** Merges one size-tiered run if there is one; returns whether it did. Runs on "ringkv-compact". */
    boolean compactOnce() throws IOException {
        return compactRun(sizes -> CompactionPicker.pick(sizes, options.memtableBytes()));
    }

    /**
     * Merges the run {@code picker} chooses from the table sizes (newest first), returning
     * whether there was one. Runs on "ringkv-compact" (the only thread that removes tables, so
     * the tables older than the run stay put while it merges; FLUSHALL is detected at install).
     */
    private boolean compactRun(java.util.function.Function<long[], int[]> picker) throws IOException {
        Version v = acquire();
        List<Table> inputs;
        Table output;
        List<byte[]> expired = new ArrayList<>();
        try {
            int[] run = picker.apply(sizes(v.tables));
            if (run == null) {
                return false;
            }
            inputs = v.tables.subList(run[0], run[1]);
            List<Table> older = v.tables.subList(run[1], v.tables.size());
            output = merge(inputs, older, expired);
        } finally {
            v.release();
        }
        installCompaction(inputs, output, expired);
        return true;
    }

    /**
     * Merges tables [start, end) of the current version (newest first), or all of them with
     * (0, -1); waits for it. For tests and a future manual COMPACT: the picker would choose the same
     * kind of run, just not on demand.
     */
    void compact(int start, int end) throws IOException {
        try {
            compactor.submit(() -> compactRun(sizes -> {
                int to = end < 0 ? sizes.length : end;
                return to - start >= 1 && to <= sizes.length ? new int[] {start, to} : null;
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a compaction");
        } catch (ExecutionException e) {
            throw new IOException("compaction failed", e.getCause());
        }
    }

    /** The live tables' summaries, newest first (tests). */
    List<SSTableInfo> tableInfos() {
        List<SSTableInfo> infos = new ArrayList<>();
        for (Table t : current.tables) {
            infos.add(t.info);
        }
        return infos;
    }

    /**
     * Writes the newest entry of each key of {@code inputs} (newest first) to one new table, or
     * returns null if nothing is left. Expired values become tombstones written at their expiry
     * time (their keys are collected in {@code expired} for the slot counts); a tombstone past
     * the grace period is dropped only when no older table might still hold a value it hides.
     * Newer tables and memtables need no check: their entries win over anything here anyway.
     */
    private Table merge(List<Table> inputs, List<Table> older, List<byte[]> expired) throws IOException {
        long now = clock.millis();
        long id = nextTableId.getAndIncrement();
        Path tmp = tempFile(id);
        Throttle throttle = new Throttle(options.compactionBytesPerSecond(), System::nanoTime);
        long written = 0;
        List<EntryIterator> sources = new ArrayList<>(inputs.size());
        try {
            for (Table t : inputs) {
                sources.add(t.reader.iterator(t.info.firstKey(), null));
            }
        } catch (IOException | RuntimeException e) {
            sources.forEach(EntryIterator::close);
            throw e;
        }
        long bound = 0;
        for (Table t : inputs) {
            bound += t.info.entries();
        }
        try (EntryIterator it = new MergingIterator(sources);
                SSTableWriter writer = new SSTableWriter(tmp, options.tables(), bound)) {
            while (it.next()) {
                if (closed) {
                    throw new IOException("engine closing");
                }
                byte[] key = it.key();
                Entry e = it.entry();
                if (!e.tombstone() && e.expireAtMillis() != Record.NO_EXPIRY && e.expireAtMillis() < now) {
                    e = Entry.tombstone(e.sequence(), e.expireAtMillis());
                    expired.add(key.clone());
                }
                if (e.tombstone() && now - e.writeTimeMillis() >= options.tombstoneGraceMillis() && !mightBeIn(older, key)) {
                    continue;
                }
                writer.add(key, e);
                written++;
                throttle.wrote(key.length + e.encodedLength());
            }
            if (written == 0) {
                Files.deleteIfExists(tmp);
                return null;
            }
            compactedBytes.addAndGet(writer.finish().fileBytes());
        } catch (IOException | RuntimeException | Error e) {
            // An Error too (OutOfMemoryError): a half-written output must not stay on disk.
            Files.deleteIfExists(tmp);
            throw e;
        }
        return publish(id, tmp);
    }

    private static boolean mightBeIn(List<Table> tables, byte[] key) {
        for (Table t : tables) {
            if (StorageKey.compare(key, t.info.firstKey()) >= 0 && StorageKey.compare(key, t.info.lastKey()) <= 0
                    && t.reader.mightContain(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Swaps the run for its merged table. Holds the write gate because turning an expired value
     * into a tombstone changes whether its key is live, and the slot counts must change in the
     * same instant as far as writers (who look a key up before counting) can tell.
     */
    private void installCompaction(List<Table> inputs, Table output, List<byte[]> expired) throws IOException {
        writeGate.writeLock().lock();
        try {
            synchronized (stateLock) {
                Version v = current;
                int start = v.tables.indexOf(inputs.getFirst());
                if (start < 0 || start + inputs.size() > v.tables.size()
                        || !sameTables(v.tables.subList(start, start + inputs.size()), inputs)) {
                    discard(output);   // FLUSHALL came in between
                    return;
                }
                List<Table> tables = new ArrayList<>(v.tables.subList(0, start));
                if (output != null) {
                    tables.add(output);
                }
                tables.addAll(v.tables.subList(start + inputs.size(), v.tables.size()));
                writeManifest(flushedSequence, tables);
                for (byte[] key : expired) {
                    if (!shadowed(v, v.tables.subList(0, start), key)) {
                        countDown(StorageKey.slot(key));
                    }
                }
                // Marked before the swap: installing releases the old version, which may drop an
                // input's last reference and close it then; a table closed unmarked keeps its
                // file (found by the large-dataset run: merged tables stayed on disk until the
                // next start's stray-file cleanup).
                for (Table t : inputs) {
                    t.obsolete();
                }
                install(Version.successor(v.active, v.frozen, tables));
                if (output != null) {
                    output.release();
                }
                compactions.incrementAndGet();
            }
        } finally {
            writeGate.writeLock().unlock();
        }
    }

    private static boolean sameTables(List<Table> a, List<Table> b) {
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a source newer than the compacted run holds an entry for the key (which then decides its liveness). */
    private static boolean shadowed(Version v, List<Table> newer, byte[] key) throws IOException {
        if (v.active.get(key) != null) {
            return true;
        }
        for (Memtable m : v.frozen) {
            if (m.get(key) != null) {
                return true;
            }
        }
        for (Table t : newer) {
            if (StorageKey.compare(key, t.info.firstKey()) >= 0 && StorageKey.compare(key, t.info.lastKey()) <= 0
                    && t.reader.get(key) != null) {
                return true;
            }
        }
        return false;
    }

    /** Waits until the flusher and the compactor have nothing left to do. For tests and shutdown. */
    void awaitBackgroundWork() throws IOException {
        awaitQuiet(flusher);
        while (compactionQueued.get()) {
            awaitQuiet(compactor);
        }
        awaitQuiet(compactor);
    }

    // ---------------------------------------------------------------- open/close, stats

    private void rebuildCounts() throws IOException {
        for (int slot = 0; slot < SLOTS; slot++) {
            slotCounts.set(slot, 0);
        }
        long total = 0;
        Version v = acquire();
        try (EntryIterator it = scan(v, StorageKey.slotStart(0), null)) {
            while (it.next()) {
                if (!it.entry().tombstone()) {
                    slotCounts.incrementAndGet(StorageKey.slot(it.key()));
                    total++;
                }
            }
        } finally {
            v.release();
        }
        liveKeys.reset();
        liveKeys.add(total);
    }

    public LsmStats stats() {
        Version v = current;
        int[] run = CompactionPicker.pick(sizes(v.tables), options.memtableBytes());
        long pending = 0;
        if (run != null) {
            for (int i = run[0]; i < run[1]; i++) {
                pending += v.tables.get(i).bytes();
            }
        }
        return new LsmStats(v.memtableBytes(), v.frozen.size(), v.tables.size(), v.tableBytes(), commitLog.sizeBytes(),
                flushes.get(), compactions.get(), compactedBytes.get(), cache.hits(), cache.misses(), pending, sequence.get());
    }

    /**
     * Stops the background threads (a queued flush still runs; a running compaction is abandoned)
     * and closes the log and the tables. The active memtable is not flushed: the log holds it and
     * the next open replays it, which is also what a crash would need, so that path stays exercised.
     */
    @Override
    public void close() {
        writeGate.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (stateLock) {
                stateLock.notifyAll();
            }
        } finally {
            writeGate.writeLock().unlock();
        }
        flusher.shutdown();
        compactor.shutdown();
        try {
            flusher.awaitTermination(1, TimeUnit.MINUTES);
            compactor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            commitLog.close();
        } catch (IOException e) {
            log.accept("storage: closing the commit log failed: " + e);
        }
        synchronized (stateLock) {
            current.release();
        }
    }
}
