package io.ringkv.storage.log;

import io.ringkv.storage.Entry;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** STANDIN: a trivial commit log (no CRC, no group commit) until part A lands. */
public final class CommitLog implements AutoCloseable {
    public record ReplayStats(long records, long maxSequence, long truncatedBytes) {}

    private final Path dir;
    private volatile FsyncPolicy policy;
    private long segmentId;
    private FileChannel channel;

    private CommitLog(Path dir, FsyncPolicy policy) {
        this.dir = dir;
        this.policy = policy;
    }

    public static CommitLog open(Path dir, FsyncPolicy policy, long segmentBytes, Clock clock, Consumer<String> warnings) throws IOException {
        Files.createDirectories(dir);
        return new CommitLog(dir, policy);
    }

    private List<Path> segments() throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("log-")).sorted().toList();
        }
    }

    private static long idOf(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(4, n.indexOf('.')));
    }

    public synchronized ReplayStats replay(BiConsumer<byte[], Entry> visitor) throws IOException {
        long records = 0, max = 0;
        for (Path p : segments()) {
            segmentId = Math.max(segmentId, idOf(p));
            try (InputStream raw = Files.newInputStream(p); DataInputStream in = new DataInputStream(raw)) {
                while (true) {
                    byte[] key, entry;
                    try {
                        key = new byte[in.readInt()];
                        in.readFully(key);
                        entry = new byte[in.readInt()];
                        in.readFully(entry);
                    } catch (EOFException e) {
                        break;
                    }
                    Entry e = Entry.decode(entry);
                    visitor.accept(key, e);
                    records++;
                    max = Math.max(max, e.sequence());
                }
            }
        }
        return new ReplayStats(records, max, 0);
    }

    private void ensureOpen() throws IOException {
        if (channel == null) {
            if (segmentId == 0) {
                for (Path p : segments()) {
                    segmentId = Math.max(segmentId, idOf(p));
                }
                segmentId++;
            }
            channel = FileChannel.open(dir.resolve(String.format("log-%020d.rkl", segmentId)),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
    }

    public synchronized void append(byte[] storageKey, Entry entry) throws IOException {
        ensureOpen();
        byte[] e = entry.encode();
        ByteBuffer b = ByteBuffer.allocate(8 + storageKey.length + e.length);
        b.putInt(storageKey.length).put(storageKey).putInt(e.length).put(e).flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
        if (policy == FsyncPolicy.ALWAYS) {
            channel.force(false);
        }
    }

    public synchronized long roll() throws IOException {
        ensureOpen();
        channel.close();
        channel = null;
        segmentId++;
        ensureOpen();
        return segmentId;
    }

    public synchronized void deleteSegmentsBefore(long id) throws IOException {
        for (Path p : segments()) {
            if (idOf(p) < id) {
                Files.delete(p);
            }
        }
    }

    public void policy(FsyncPolicy policy) {
        this.policy = policy;
    }

    public synchronized long sizeBytes() {
        try {
            long total = 0;
            for (Path p : segments()) {
                total += Files.size(p);
            }
            return total;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.force(false);
            channel.close();
            channel = null;
        }
    }
}
