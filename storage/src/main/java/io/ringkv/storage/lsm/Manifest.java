package io.ringkv.storage.lsm;

import io.ringkv.storage.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The engine's root of truth on disk: which SSTables are live, in which order, and the counters
 * that must survive a restart. Byte layout in docs/formats.md ("## Manifest").
 *
 * <p>The whole file is rewritten on every change (a flush, a compaction, FLUSHALL): it is tiny
 * (40 bytes per table) and changes a few times a minute at most, so a full rewrite made atomic
 * by temp file + fsync + rename + directory fsync is simpler and safer than LevelDB's
 * append-only edit log. A crash leaves either the old or the new file, never a mix; a file
 * whose CRC fails is corruption, not an empty database.
 *
 * @param nextTableId    the id the next new table gets; ids are never reused
 * @param flushedSequence every write with a sequence at or below this is in the listed tables
 *                       (or was dropped by FLUSHALL): log replay skips such records
 * @param tables         oldest first (the reverse of {@link Version#tables})
 */
record Manifest(long nextTableId, long flushedSequence, List<TableMeta> tables) {

    static final String FILE = "MANIFEST";
    static final int MAGIC = 0x524B564D;   // "RKVM"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 4 + 4 + 8 + 8 + 4;
    static final int TABLE_BYTES = 8 * 5;

    record TableMeta(long id, long fileBytes, long entries, long minSequence, long maxSequence) {
    }

    static Path tableFile(Path dir, long id) {
        return dir.resolve(String.format("table-%020d.sst", id));
    }

    /** The table id in a file name made by {@link #tableFile}, or -1 for any other name. */
    static long tableId(String fileName) {
        if (fileName.length() == 30 && fileName.startsWith("table-") && fileName.endsWith(".sst")) {
            try {
                return Long.parseLong(fileName.substring(6, 26));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + TABLE_BYTES * tables.size() + 4);
        out.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(nextTableId).putLong(flushedSequence).putInt(tables.size());
        for (TableMeta t : tables) {
            out.putLong(t.id).putLong(t.fileBytes).putLong(t.entries).putLong(t.minSequence).putLong(t.maxSequence);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    static Manifest decode(Path file, byte[] bytes) {
        if (bytes.length < HEADER_BYTES + 4) {
            throw new CorruptionException(file, 0, "manifest too short (" + bytes.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (in.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new CorruptionException(file, bytes.length - 4, "manifest checksum mismatch");
        }
        if (in.getInt() != MAGIC) {
            throw new CorruptionException(file, 0, "bad manifest magic");
        }
        int version = in.getInt();
        if (version != FORMAT_VERSION) {
            throw new CorruptionException(file, 4, "unsupported manifest version " + version);
        }
        long nextTableId = in.getLong();
        long flushedSequence = in.getLong();
        int count = in.getInt();
        if (count < 0 || bytes.length != HEADER_BYTES + (long) TABLE_BYTES * count + 4) {
            throw new CorruptionException(file, HEADER_BYTES - 4, "manifest table count " + count + " does not match its length");
        }
        List<TableMeta> tables = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tables.add(new TableMeta(in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong()));
        }
        return new Manifest(nextTableId, flushedSequence, tables);
    }

    /** The manifest in {@code dir}, or null when there is none (a new database). */
    static Manifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        return decode(file, Files.readAllBytes(file));
    }

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        Path file = dir.resolve(FILE);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(encode());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system cannot rename " + tmp + " atomically", e);
        }
        fsyncDirectory(dir);
    }

    /** Makes a rename or delete in {@code dir} durable (POSIX: the directory entry is data of the directory). */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; there rename is durable by itself.
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e;
            }
        }
    }
}
