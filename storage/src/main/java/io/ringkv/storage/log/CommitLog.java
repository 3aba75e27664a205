package io.ringkv.storage.log;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Entry;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The write-ahead log: every write is appended here before it enters the memtable, so that a
 * crash loses nothing the fsync policy promised to keep. The log is a directory of segment files
 * {@code log-<20-digit id>.rkl}; only the newest (the "active" one) is ever written, the others
 * are complete and wait until the engine has flushed their records to SSTables and deletes them.
 *
 * <p>Concurrency. Appenders (several event loops) encode and checksum their record on their own
 * thread, then, under one lock, copy it into an in-memory batch and get its log sequence number
 * (LSN: bytes appended since open). Two kinds of I/O happen outside the lock, each done by at most
 * one thread at a time, whichever appender finds it needed and nobody doing it:
 * <ul>
 *   <li>write: hand the whole batch to the OS with one write() (the batch swaps with a spare
 *       buffer, so appenders keep filling the other one meanwhile);</li>
 *   <li>sync: fdatasync what has been written so far.</li>
 * </ul>
 * With ALWAYS an appender waits until {@code syncedLsn} covers its record. If an fsync is already
 * running, its record may not be covered by it (it may have been written after the fsync began),
 * so it waits for that one to end and then the next fsync, started by one of the waiters, covers
 * every record written in between: that is group commit, one fsync per batch instead of one per
 * record, and the batch grows by itself as more writers wait. With EVERYSEC and NO an appender
 * waits only until {@code writtenLsn} covers its record (so it survives a process crash), and the
 * "ringkv-logsync" thread fsyncs about once a second for EVERYSEC.
 *
 * <p>Segments. A new segment is started on the first append after open (never appending to a file
 * that existed at open, whose tail may have been cut), by {@link #roll}, and when the active one
 * would pass {@code segmentBytes}. Rolling fsyncs the old segment whatever the policy: so every
 * segment but the last is complete on disk, and replay can tell a torn tail (only possible in the
 * last segment, cut) from corruption (anywhere else, an error).
 *
 * <p>An I/O error on write or fsync is sticky: after it every append fails. After a failed fsync
 * the kernel may have dropped the dirty pages and cleared the error, so a retry could "succeed"
 * without the data ever reaching the disk (PostgreSQL's fsyncgate); the engine must not go on
 * acknowledging writes.
 */
public final class CommitLog implements AutoCloseable {

    static final String THREAD_NAME = "ringkv-logsync";
    /** How often the sync thread looks at the clock (Redis's serverCron runs at hz 10 too). */
    static final long SYNC_TICK_MILLIS = 100;
    static final long EVERYSEC_INTERVAL_MILLIS = 1000;
    /** An fsync slower than this is reported (Redis: "Asynchronous AOF fsync is taking too long"). */
    static final long SLOW_FSYNC_MILLIS = 2000;
    /** A batch buffer grown past this by a huge record is dropped after use rather than kept. */
    private static final int RETAINED_BUFFER_BYTES = 1 << 20;
    private static final int INITIAL_BUFFER_BYTES = 64 << 10;
    private static final Pattern SEGMENT_NAME = Pattern.compile("log-(\\d{20})\\.rkl");

    /** Opens segment files; tests substitute channels that forget unsynced bytes (a crash). */
    interface ChannelOpener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    private final Path dir;
    private final long segmentBytes;
    private final Clock clock;
    private final Consumer<String> warnings;
    private final ChannelOpener opener;
    private final Thread syncThread;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a write or sync ends, and on close. */
    private final Condition progress = lock.newCondition();
    /** The sync thread sleeps here between ticks; signalled on close. */
    private final Condition tick = lock.newCondition();

    private volatile FsyncPolicy policy;

    // Everything below is guarded by lock.
    /** Segments not being written: id -> size in bytes. Before replay: every segment found. */
    private final TreeMap<Long, Long> sealed = new TreeMap<>();
    private long nextSegmentId;
    private boolean replayed;
    private boolean closed;
    private IOException failure;
    private long activeId = -1;
    private FileChannel active;
    /** Bytes in the active segment, including those still in the batch. */
    private long activeBytes;
    private byte[] batch = new byte[INITIAL_BUFFER_BYTES];
    private int batchLength;
    private byte[] spare = new byte[INITIAL_BUFFER_BYTES];
    private long appendedLsn;
    private long writtenLsn;
    private long syncedLsn;
    private boolean writing;
    private boolean syncing;
    private long lastSyncMillis;
    private long fsyncs;

    private CommitLog(Path dir, FsyncPolicy policy, long segmentBytes, Clock clock, Consumer<String> warnings,
            ChannelOpener opener) {
        this.dir = dir;
        this.policy = Objects.requireNonNull(policy);
        this.segmentBytes = segmentBytes;
        this.clock = clock;
        this.warnings = warnings;
        this.opener = opener;
        this.lastSyncMillis = clock.millis();
        this.syncThread = new Thread(this::syncLoop, THREAD_NAME);
        this.syncThread.setDaemon(true);
    }

    /** Opens (creating the dir if needed) the log in dir; does not replay. */
    public static CommitLog open(Path dir, FsyncPolicy policy, long segmentBytes, Clock clock,
            Consumer<String> warnings) throws IOException {
        return open(dir, policy, segmentBytes, clock, warnings, FileChannel::open);
    }

    static CommitLog open(Path dir, FsyncPolicy policy, long segmentBytes, Clock clock, Consumer<String> warnings,
            ChannelOpener opener) throws IOException {
        if (segmentBytes <= LogFormat.SEGMENT_HEADER_BYTES) {
            throw new IllegalArgumentException("segmentBytes too small: " + segmentBytes);
        }
        Files.createDirectories(dir);
        CommitLog log = new CommitLog(dir, policy, segmentBytes, clock, warnings, opener);
        long maxId = 0;
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT_NAME.matcher(file.getFileName().toString());
                if (m.matches()) {
                    long id = Long.parseLong(m.group(1));
                    log.sealed.put(id, Files.size(file));
                    maxId = Math.max(maxId, id);
                }
            }
        }
        log.nextSegmentId = maxId + 1;
        log.syncThread.start();
        return log;
    }

    static Path segmentFile(Path dir, long id) {
        return dir.resolve(String.format("log-%020d.rkl", id));
    }

    /**
     * Replays every segment, oldest first, calling visitor for each good record. A torn or corrupt
     * tail (bad length, bad CRC, short record) in the LAST segment is cut: the file is truncated at
     * the last good record and a warning names file and offset. Corruption in an older (complete)
     * segment throws CorruptionException. Must be called once, before the first append.
     */
    public ReplayStats replay(BiConsumer<byte[], Entry> visitor) throws IOException {
        List<Long> ids;
        lock.lock();
        try {
            checkOpen();
            if (replayed) {
                throw new IllegalStateException("the commit log was already replayed");
            }
            ids = new ArrayList<>(sealed.keySet());
        } finally {
            lock.unlock();
        }
        long[] stats = new long[3]; // records, maxSequence, truncatedBytes
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            boolean last = i == ids.size() - 1;
            long size = replaySegment(segmentFile(dir, id), last, visitor, stats);
            lock.lock();
            try {
                if (size < 0) {
                    sealed.remove(id);
                } else {
                    sealed.put(id, size);
                }
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            replayed = true;
        } finally {
            lock.unlock();
        }
        return new ReplayStats(stats[0], stats[1], stats[2]);
    }

    /** Returns the segment's size after replay, or -1 when it was deleted (a torn header). */
    private long replaySegment(Path file, boolean last, BiConsumer<byte[], Entry> visitor, long[] stats)
            throws IOException {
        try (FileChannel ch = opener.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            InputStream stream = new BufferedInputStream(Channels.newInputStream(ch.position(0)), 1 << 20);
            DataInputStream in = new DataInputStream(stream);
            if (size < LogFormat.SEGMENT_HEADER_BYTES || !validHeader(in)) {
                // A crash while the segment was being created (its header is fsynced before any
                // record goes in) leaves it short or unwritten; no record can be lost with it.
                if (last && size <= LogFormat.SEGMENT_HEADER_BYTES) {
                    ch.close();
                    Files.delete(file);
                    fsyncDirectory();
                    warnings.accept("commit log: deleted " + file + " with a torn segment header (" + size
                            + " bytes)");
                    stats[2] += size;
                    return -1;
                }
                throw new CorruptionException(file, 0, "bad commit log segment header");
            }
            long pos = LogFormat.SEGMENT_HEADER_BYTES;
            byte[] header = new byte[LogFormat.RECORD_HEADER_BYTES];
            String damage = null;
            while (pos < size) {
                long remaining = size - pos;
                if (remaining < LogFormat.RECORD_HEADER_BYTES) {
                    damage = "short record header";
                    break;
                }
                in.readFully(header);
                int length = ByteBuffer.wrap(header).getInt(0);
                int crc = ByteBuffer.wrap(header).getInt(4);
                if (length < LogFormat.MIN_PAYLOAD_BYTES || length > LogFormat.MAX_PAYLOAD_BYTES) {
                    damage = "bad record length " + length;
                    break;
                }
                if (length > remaining - LogFormat.RECORD_HEADER_BYTES) {
                    damage = "short record (" + length + " byte payload, " + (remaining
                            - LogFormat.RECORD_HEADER_BYTES) + " bytes left)";
                    break;
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (LogFormat.crc(header, 0, 4, payload, 0, length) != crc) {
                    damage = "record checksum mismatch";
                    break;
                }
                LogFormat.Decoded record;
                try {
                    record = LogFormat.decodePayload(payload);
                } catch (IllegalArgumentException e) {
                    // The CRC matched, so these are the bytes that were written: not a torn write.
                    throw new CorruptionException(file, pos, "undecodable commit log record (" + e.getMessage() + ")");
                }
                visitor.accept(record.storageKey(), record.entry());
                stats[0]++;
                stats[1] = Math.max(stats[1], record.entry().sequence());
                pos += LogFormat.RECORD_HEADER_BYTES + length;
            }
            if (damage == null) {
                return size;
            }
            if (!last) {
                throw new CorruptionException(file, pos, damage);
            }
            // The last segment ends where the crash stopped the writes: what follows the last good
            // record is a record that was never acknowledged as durable (ALWAYS acknowledges only
            // after the fsync, which covers whole records) or the garbage a file system may leave
            // past the data it synced. Cut it, durably, so the next append cannot land after it.
            ch.truncate(pos);
            ch.force(true);
            warnings.accept("commit log: cut torn tail of " + file + " at offset " + pos + " (" + damage + "; "
                    + (size - pos) + " bytes dropped)");
            stats[2] += size - pos;
            return pos;
        } catch (EOFException e) {
            // The file shrank under us: nobody else may write the log directory.
            throw new CorruptionException(file, -1, "segment shorter than its size while reading");
        }
    }

    private static boolean validHeader(DataInputStream in) throws IOException {
        return in.readInt() == LogFormat.MAGIC && in.readInt() == LogFormat.VERSION;
    }

    /**
     * Appends one record (storage key + entry). Thread-safe (called from several event loops).
     * ALWAYS: returns only after the record is on disk; concurrent callers share one fsync (group
     * commit). EVERYSEC: returns after the write() to the OS; the "ringkv-logsync" thread fsyncs
     * about once a second. NO: never fsyncs (the OS decides).
     */
    public void append(byte[] storageKey, Entry entry) throws IOException {
        awaitDurable(appendDeferred(storageKey, entry));
    }

    /**
     * Adds one record to the in-memory batch and returns its log position without waiting for
     * any I/O; {@link #awaitDurable} with that position makes it as durable as the policy says.
     * This is how a server acknowledges a whole pipeline of writes with one write() (and, with
     * ALWAYS, one fsync): append each, then wait once for the last position, as Redis flushes its
     * AOF buffer once per event-loop iteration before answering the clients.
     */
    public long appendDeferred(byte[] storageKey, Entry entry) throws IOException {
        byte[] record = LogFormat.encodeRecord(storageKey, entry);
        lock.lock();
        try {
            checkWritable();
            if (active == null) {
                startSegmentLocked();
            } else if (activeBytes > LogFormat.SEGMENT_HEADER_BYTES && activeBytes + record.length > segmentBytes) {
                long full = activeId;
                awaitIdleLocked();
                checkWritable();
                if (activeId == full) { // nobody rolled it while we waited
                    rollLocked();
                }
            }
            if (batch.length - batchLength < record.length) {
                batch = Arrays.copyOf(batch, Math.max(batch.length * 2, batchLength + record.length));
            }
            System.arraycopy(record, 0, batch, batchLength, record.length);
            batchLength += record.length;
            activeBytes += record.length;
            appendedLsn += record.length;
            return appendedLsn;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once every record up to {@code lsn} is written to the OS and, with ALWAYS, on disk.
     * Concurrent callers share the write and the fsync (group commit).
     */
    public void awaitDurable(long lsn) throws IOException {
        lock.lock();
        try {
            awaitLocked(lsn, policy == FsyncPolicy.ALWAYS);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until lsn is written (and synced if sync), doing the write or sync if nobody is. */
    private void awaitLocked(long lsn, boolean sync) throws IOException {
        while (true) {
            if (writtenLsn >= lsn && (!sync || syncedLsn >= lsn)) {
                return;
            }
            checkFailure();
            if (active == null) {
                throw new IOException("commit log closed: " + dir);
            }
            if (writtenLsn < lsn) {
                if (!writing) {
                    writeBatchLocked();
                    continue;
                }
            } else if (!syncing) {
                syncLocked();
                continue;
            }
            progress.awaitUninterruptibly();
        }
    }

    private void writeBatchLocked() {
        writing = true;
        byte[] out = batch;
        int length = batchLength;
        long target = appendedLsn;
        FileChannel ch = active;
        batch = spare;
        batchLength = 0;
        lock.unlock();
        IOException error = null;
        try {
            writeFully(ch, ByteBuffer.wrap(out, 0, length));
        } catch (IOException e) {
            error = e;
        } finally {
            lock.lock();
        }
        spare = out.length > RETAINED_BUFFER_BYTES ? new byte[INITIAL_BUFFER_BYTES] : out;
        writing = false;
        if (error != null) {
            fail(error);
        } else {
            writtenLsn = target;
        }
        progress.signalAll();
    }

    private void syncLocked() {
        syncing = true;
        long target = writtenLsn;
        FileChannel ch = active;
        long start = clock.millis();
        lock.unlock();
        IOException error = null;
        try {
            // fdatasync: the data and the file size, not the timestamps.
            ch.force(false);
        } catch (IOException e) {
            error = e;
        } finally {
            lock.lock();
        }
        syncing = false;
        fsyncs++;
        lastSyncMillis = clock.millis();
        if (error != null) {
            fail(error);
        } else {
            syncedLsn = Math.max(syncedLsn, target);
        }
        if (lastSyncMillis - start > SLOW_FSYNC_MILLIS) {
            warnings.accept("commit log: fsync took " + (lastSyncMillis - start) + " ms (disk is busy?)");
        }
        progress.signalAll();
    }

    /**
     * Closes the current segment and starts a new one; returns the new segment's id. Every record
     * appended before the call is in segments with a smaller id.
     */
    public long roll() throws IOException {
        lock.lock();
        try {
            checkWritable();
            awaitIdleLocked();
            checkWritable();
            if (active == null) {
                startSegmentLocked();
            } else {
                rollLocked();
            }
            return activeId;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no write or sync is running; the caller then does I/O holding the lock. */
    private void awaitIdleLocked() {
        while (writing || syncing) {
            progress.awaitUninterruptibly();
        }
    }

    /**
     * With the lock held and no I/O running: finishes the active segment and starts the next. Done
     * under the lock (appenders wait) because it is rare, once per segmentBytes, and it keeps the
     * rule simple: a record's segment is the one active when it was batched.
     */
    private void rollLocked() throws IOException {
        try {
            flushLocked();
            active.close();
        } catch (IOException e) {
            fail(e);
            throw e;
        }
        sealed.put(activeId, activeBytes);
        active = null;
        startSegmentLocked();
    }

    /** Writes the batch and fsyncs the active segment, under the lock with no other I/O running. */
    private void flushLocked() throws IOException {
        writeFully(active, ByteBuffer.wrap(batch, 0, batchLength));
        batchLength = 0;
        writtenLsn = appendedLsn;
        active.force(false);
        fsyncs++;
        lastSyncMillis = clock.millis();
        syncedLsn = appendedLsn;
        progress.signalAll();
    }

    private void startSegmentLocked() throws IOException {
        long id = nextSegmentId++;
        Path file = segmentFile(dir, id);
        try {
            FileChannel ch = opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                // The header is on disk before any record is: a segment with a bad header can
                // then only be one whose creation a crash interrupted (see replaySegment).
                writeFully(ch, ByteBuffer.wrap(LogFormat.segmentHeader()));
                ch.force(true);
                fsyncDirectory();
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            active = ch;
            activeId = id;
            activeBytes = LogFormat.SEGMENT_HEADER_BYTES;
        } catch (IOException e) {
            fail(e);
            throw e;
        }
    }

    /** Deletes every segment with id < segmentId (their records are safely in SSTables). */
    public void deleteSegmentsBefore(long segmentId) throws IOException {
        List<Long> doomed = new ArrayList<>();
        lock.lock();
        try {
            checkOpen();
            if (active != null && segmentId > activeId) {
                throw new IllegalArgumentException("segment " + segmentId + " is past the active segment "
                        + activeId);
            }
            Map<Long, Long> head = sealed.headMap(segmentId);
            doomed.addAll(head.keySet());
            head.clear();
        } finally {
            lock.unlock();
        }
        for (long id : doomed) {
            Files.deleteIfExists(segmentFile(dir, id));
        }
        if (!doomed.isEmpty()) {
            // Without it a crash could bring the files back; harmless (their records are older
            // than the tables'), but they would be replayed again for nothing.
            fsyncDirectory();
        }
    }

    public void policy(FsyncPolicy policy) {
        this.policy = Objects.requireNonNull(policy);
    }

    public FsyncPolicy policy() {
        return policy;
    }

    /** All segments, for INFO; includes appended bytes not yet handed to the OS. */
    public long sizeBytes() {
        lock.lock();
        try {
            long total = active == null ? 0 : activeBytes;
            for (long size : sealed.values()) {
                total += size;
            }
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** fsyncs done so far (tests observe group commit and the EVERYSEC thread with it). */
    long fsyncCount() {
        lock.lock();
        try {
            return fsyncs;
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs, stops the sync thread. Appends waiting for their write or sync return normally. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            awaitIdleLocked();
            closed = true;
            tick.signalAll();
            if (active != null) {
                try {
                    if (failure == null) {
                        flushLocked();
                    }
                } catch (IOException e) {
                    fail(e);
                    throw e;
                } finally {
                    active.close();
                    sealed.put(activeId, activeBytes);
                    active = null;
                }
            }
        } finally {
            lock.unlock();
            joinSyncThread();
        }
    }

    private void joinSyncThread() {
        if (Thread.currentThread() == syncThread) {
            return;
        }
        try {
            syncThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The EVERYSEC fsync, like Redis's: look at the clock ten times a second and fsync when a
     * second has passed since the last fsync and something was written since. Appenders do not
     * wait for it: writes go on while it runs, and it covers what was written when it began.
     */
    private void syncLoop() {
        lock.lock();
        try {
            while (!closed) {
                try {
                    tick.await(SYNC_TICK_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                // Records appended with appendDeferred and never awaited (a caller that did not
                // wait) are written out here, so nothing stays in memory for more than a tick.
                if (!closed && failure == null && active != null && !writing && writtenLsn < appendedLsn) {
                    writeBatchLocked();
                }
                if (!closed && policy == FsyncPolicy.EVERYSEC && failure == null && active != null && !syncing
                        && syncedLsn < writtenLsn && clock.millis() - lastSyncMillis >= EVERYSEC_INTERVAL_MILLIS) {
                    syncLocked();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void fail(IOException error) {
        if (failure == null) {
            failure = error;
            warnings.accept("commit log: I/O error, refusing further appends: " + error);
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("commit log closed: " + dir);
        }
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw new IOException("commit log failed earlier: " + failure.getMessage(), failure);
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        checkFailure();
        if (!replayed) {
            // Appending first would start a segment after one whose torn tail is not cut yet,
            // and that tail would then look like corruption in an older segment.
            throw new IllegalStateException("replay() must run before the first append or roll");
        }
    }

    private void fsyncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }
}
