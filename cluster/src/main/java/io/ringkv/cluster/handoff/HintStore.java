package io.ringkv.cluster.handoff;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Durable hints, grouped by the node they are meant for (docs/formats.md "Hints"): under the
 * root, one directory per target node id, holding numbered segment files of CRC-protected
 * records. New hints are appended to the target's active segment; delivery takes whole sealed
 * segments, oldest first, and deletes a segment once every hint in it was delivered (or
 * expired). So "delete a delivered hint" is a file deletion, and a hint is either in a file or
 * delivered, never lost in between.
 *
 * <p>Durability: every {@link #add} writes the record to the OS before returning (a killed
 * process loses no hint); {@link #sync} fsyncs the active segments (the node calls it every
 * second, appendfsync everysec's promise). Hints are an optimisation over anti-entropy, so a
 * machine crash losing the last second of them costs only a slower repair.
 *
 * <p>At open every segment is scanned: its records are counted and a torn or corrupt tail (a
 * short record, a bad length, a bad CRC: the process died mid-append) is cut off, keeping the
 * good records before it. Thread-safe: adds come from the coordinator's event loops, delivery
 * from the node's scheduler.
 */
public final class HintStore implements AutoCloseable {

    /** A segment is sealed once it reaches this size; it bounds what one delivery batch reads. */
    public static final long DEFAULT_SEGMENT_BYTES = 4L << 20;
    /** Length and CRC32C, both u32 big-endian, before each record's payload. */
    static final int RECORD_HEADER_BYTES = 8;
    /** No single record may claim more than this (a corrupt length must not allocate gigabytes). */
    static final int MAX_RECORD_BYTES = 64 << 20;
    private static final String SUFFIX = ".hints";
    private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** One segment file: its hints are counted, and the newest one's time kept for expiry. */
    private static final class Segment {
        final long id;
        final Path path;
        long count;
        long bytes;
        long newestMillis;
        FileChannel channel; // open only while active

        Segment(long id, Path path) {
            this.id = id;
            this.path = path;
        }
    }

    private static final class Target {
        final Path dir;
        final Deque<Segment> sealed = new ArrayDeque<>();
        Segment active;
        long nextId = 1;

        Target(Path dir) {
            this.dir = dir;
        }

        long count() {
            long n = active == null ? 0 : active.count;
            for (Segment s : sealed) {
                n += s.count;
            }
            return n;
        }
    }

    /** The hints of one sealed segment, handed out for delivery; see {@link #delivered}. */
    public record Batch(String target, long segmentId, List<Hint> hints) {
    }

    private final Path root;
    private final long segmentBytes;
    private final Map<String, Target> targets = new TreeMap<>();
    private long pending;
    private long truncatedBytes;
    private boolean closed;

    private HintStore(Path root, long segmentBytes) {
        this.root = root;
        this.segmentBytes = segmentBytes;
    }

    /** Opens (creating it if needed) the store under {@code root}, scanning what it holds. */
    public static HintStore open(Path root, long segmentBytes) throws IOException {
        Files.createDirectories(root);
        HintStore store = new HintStore(root, segmentBytes);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (Files.isDirectory(dir) && TARGET.matcher(name).matches()) {
                    store.load(name, dir);
                }
            }
        }
        return store;
    }

    private void load(String name, Path dir) throws IOException {
        Target target = new Target(dir);
        List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                try {
                    ids.add(Long.parseLong(n.substring(0, n.length() - SUFFIX.length())));
                } catch (NumberFormatException e) {
                    // Not ours: left alone.
                }
            }
        }
        ids.sort(null);
        for (long id : ids) {
            Segment s = new Segment(id, segmentPath(dir, id));
            Scan scan = scan(s.path, name, null);
            if (scan.goodBytes < Files.size(s.path)) {
                truncatedBytes += Files.size(s.path) - scan.goodBytes;
                try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.WRITE)) {
                    ch.truncate(scan.goodBytes);
                    ch.force(true);
                }
            }
            s.count = scan.count;
            s.bytes = scan.goodBytes;
            s.newestMillis = scan.newestMillis;
            target.nextId = id + 1;
            if (s.count == 0) {
                Files.deleteIfExists(s.path);
            } else {
                // Segments found at open are sealed: new hints go to a fresh one.
                target.sealed.add(s);
                pending += s.count;
            }
        }
        targets.put(name, target);
    }

    private static Path segmentPath(Path dir, long id) {
        return dir.resolve(String.format("%016d%s", id, SUFFIX));
    }

    private record Scan(long count, long goodBytes, long newestMillis) {
    }

    /** Reads a segment's good records (into {@code out} when given), stopping at a torn tail. */
    private static Scan scan(Path path, String target, List<Hint> out) throws IOException {
        byte[] data = Files.readAllBytes(path);
        ByteBuffer in = ByteBuffer.wrap(data);
        long count = 0;
        long newest = 0;
        while (in.remaining() >= RECORD_HEADER_BYTES) {
            int start = in.position();
            int length = in.getInt();
            int crc = in.getInt();
            if (length < 0 || length > MAX_RECORD_BYTES || length > in.remaining()) {
                in.position(start);
                break;
            }
            CRC32C c = new CRC32C();
            c.update(data, in.position(), length);
            if ((int) c.getValue() != crc) {
                in.position(start);
                break;
            }
            Hint hint;
            try {
                hint = decode(target, ByteBuffer.wrap(data, in.position(), length).slice());
            } catch (RuntimeException e) {
                in.position(start);
                break;
            }
            in.position(in.position() + length);
            count++;
            newest = Math.max(newest, hint.createdMillis());
            if (out != null) {
                out.add(hint);
            }
        }
        return new Scan(count, in.position(), newest);
    }

    /* payload: u16 slot, u64 created millis, u32 key length, key, u32 versions length, versions */
    static byte[] encode(Hint hint) {
        int payload = 2 + 8 + 4 + hint.key().length + 4 + hint.versions().length;
        ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload);
        b.putInt(payload).putInt(0);
        b.putShort((short) hint.slot()).putLong(hint.createdMillis());
        b.putInt(hint.key().length).put(hint.key());
        b.putInt(hint.versions().length).put(hint.versions());
        CRC32C c = new CRC32C();
        c.update(b.array(), RECORD_HEADER_BYTES, payload);
        b.putInt(4, (int) c.getValue());
        return b.array();
    }

    private static Hint decode(String target, ByteBuffer in) {
        int slot = in.getShort() & 0xFFFF;
        long created = in.getLong();
        byte[] key = new byte[in.getInt()];
        in.get(key);
        byte[] versions = new byte[in.getInt()];
        in.get(versions);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        return new Hint(target, slot, key, versions, created);
    }

    /** Stores a hint; returns once it is written to the OS. */
    public synchronized void add(Hint hint) {
        if (closed) {
            throw new IllegalStateException("the hint store is closed");
        }
        if (!TARGET.matcher(hint.target()).matches()) {
            throw new IllegalArgumentException("bad hint target " + hint.target());
        }
        try {
            Target t = targets.get(hint.target());
            if (t == null) {
                t = new Target(root.resolve(hint.target()));
                Files.createDirectories(t.dir);
                targets.put(hint.target(), t);
            }
            if (t.active != null && t.active.bytes >= segmentBytes) {
                seal(t);
            }
            if (t.active == null) {
                long id = t.nextId++;
                Segment opened = new Segment(id, segmentPath(t.dir, id));
                opened.channel = FileChannel.open(opened.path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
                t.active = opened;
            }
            ByteBuffer record = ByteBuffer.wrap(encode(hint));
            while (record.hasRemaining()) {
                t.active.channel.write(record);
            }
            t.active.bytes += record.capacity();
            t.active.count++;
            t.active.newestMillis = Math.max(t.active.newestMillis, hint.createdMillis());
            pending++;
        } catch (IOException e) {
            throw new UncheckedIOException("could not store a hint for " + hint.target() + ": " + e.getMessage(), e);
        }
    }

    private void seal(Target t) throws IOException {
        Segment s = t.active;
        t.active = null;
        s.channel.force(true);
        s.channel.close();
        s.channel = null;
        if (s.count > 0) {
            t.sealed.add(s);
        } else {
            Files.deleteIfExists(s.path);
        }
    }

    public synchronized long pendingCount() {
        return pending;
    }

    public synchronized long pendingCount(String target) {
        Target t = targets.get(target);
        return t == null ? 0 : t.count();
    }

    /** The targets that have pending hints. */
    public synchronized List<String> targets() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Target> e : targets.entrySet()) {
            if (e.getValue().count() > 0) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Bytes cut from torn segment tails at open. */
    public synchronized long truncatedBytes() {
        return truncatedBytes;
    }

    /**
     * The target's oldest hints (one segment, in the order they were added; the active segment is
     * sealed first when it is the only one), or null when it has none. The batch stays stored
     * until {@link #delivered}; asking again before that returns the same segment.
     */
    public Batch oldest(String target) throws IOException {
        Segment s;
        synchronized (this) {
            Target t = targets.get(target);
            if (t == null) {
                return null;
            }
            if (t.sealed.isEmpty() && t.active != null && t.active.count > 0) {
                seal(t);
            }
            s = t.sealed.peekFirst();
            if (s == null) {
                return null;
            }
        }
        // A sealed segment never changes: read it without holding up adds.
        List<Hint> hints = new ArrayList<>();
        scan(s.path, target, hints);
        return new Batch(target, s.id, hints);
    }

    /** Deletes a batch's segment: every hint in it was delivered (or is being dropped). */
    public synchronized void delivered(Batch batch) throws IOException {
        Target t = targets.get(batch.target());
        if (t == null) {
            return;
        }
        for (var it = t.sealed.iterator(); it.hasNext(); ) {
            Segment s = it.next();
            if (s.id == batch.segmentId()) {
                it.remove();
                pending -= s.count;
                Files.deleteIfExists(s.path);
                return;
            }
        }
    }

    /**
     * Deletes every sealed segment whose newest hint was made before {@code cutoffMillis}, and
     * returns how many hints went with them. (Hints are sealed at the latest when delivery is
     * tried, so the active segment's hints expire on the next pass after that.)
     */
    public synchronized long dropOlderThan(long cutoffMillis) throws IOException {
        long dropped = 0;
        for (Target t : targets.values()) {
            if (t.sealed.isEmpty() && t.active != null && t.active.newestMillis < cutoffMillis) {
                seal(t);
            }
            for (var it = t.sealed.iterator(); it.hasNext(); ) {
                Segment s = it.next();
                if (s.newestMillis < cutoffMillis) {
                    it.remove();
                    pending -= s.count;
                    dropped += s.count;
                    Files.deleteIfExists(s.path);
                }
            }
        }
        return dropped;
    }

    /** fsyncs every active segment. */
    public synchronized void sync() throws IOException {
        for (Target t : targets.values()) {
            if (t.active != null) {
                t.active.channel.force(false);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        for (Target t : targets.values()) {
            if (t.active != null) {
                seal(t);
            }
        }
    }
}
