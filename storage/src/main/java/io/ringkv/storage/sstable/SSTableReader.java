package io.ringkv.storage.sstable;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * An open, immutable table. The summary, the bloom filter and the block index are read (and
 * checksum-verified) at open and held in memory; data blocks are read on demand with positional
 * reads, so any number of threads may call {@link #get} and iterate at once without a lock, and go
 * through the shared {@link BlockCache}. Every block's CRC is checked when it is read from disk,
 * before it is decoded: a mismatch throws {@link CorruptionException} with the block's offset and
 * nothing of it is returned.
 */
public final class SSTableReader implements AutoCloseable {

    private final Path file;
    private final long id;
    private final BlockCache cache;
    /**
     * Replaced when a reading thread's interrupt closed it: NIO closes a channel for every thread
     * when any thread blocked in it is interrupted, and one interrupted reader (an executor being
     * shut down) must not make the table unreadable for all the others.
     */
    private volatile FileChannel channel;
    private volatile boolean closed;
    private final LZ4SafeDecompressor lz4 = LZ4Factory.fastestInstance().safeDecompressor();
    private final SSTableInfo info;
    private final BloomFilter bloom;
    /** Per data block, in key order: its last key, offset and stored length (no trailer). */
    private final byte[][] blockLastKeys;
    private final long[] blockOffsets;
    private final int[] blockLengths;

    private SSTableReader(Path file, long id, BlockCache cache, FileChannel channel) throws IOException {
        this.file = file;
        this.id = id;
        this.cache = cache;
        this.channel = channel;

        long fileBytes = channel.size();
        if (fileBytes < TableFormat.FOOTER_BYTES) {
            throw new CorruptionException(file, 0, "SSTable of " + fileBytes + " bytes is shorter than its footer");
        }
        long footerOffset = fileBytes - TableFormat.FOOTER_BYTES;
        byte[] footer = readFully(footerOffset, TableFormat.FOOTER_BYTES);
        ByteSource f = new ByteSource(footer, 0, footer.length);
        long metaOffset = f.readLong();
        int metaLength = f.readInt();
        long bloomOffset = f.readLong();
        int bloomLength = f.readInt();
        long indexOffset = f.readLong();
        int indexLength = f.readInt();
        int version = f.readInt();
        int footerCrc = f.readInt();
        long magic = f.readLong();
        if (magic != TableFormat.MAGIC) {
            throw new CorruptionException(file, footerOffset + 44, "bad SSTable magic number");
        }
        CRC32C crc = new CRC32C();
        crc.update(footer, 0, TableFormat.FOOTER_CRC_OFFSET);
        if ((int) crc.getValue() != footerCrc) {
            throw new CorruptionException(file, footerOffset, "SSTable footer checksum mismatch");
        }
        if (version != TableFormat.VERSION) {
            throw new CorruptionException(file, footerOffset + 36, "unsupported SSTable format version " + version);
        }

        byte[] meta = readBlock(metaOffset, metaLength, footerOffset);
        try {
            ByteSource m = new ByteSource(meta, 0, meta.length);
            long entries = m.readLong();
            long tombstones = m.readLong();
            long minSequence = m.readLong();
            long maxSequence = m.readLong();
            byte[] first = m.readBytes();
            byte[] last = m.readBytes();
            this.info = new SSTableInfo(entries, fileBytes, entries == 0 ? null : first, entries == 0 ? null : last,
                minSequence, maxSequence, tombstones);
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, metaOffset, "malformed SSTable meta block: " + e.getMessage());
        }
        try {
            this.bloom = BloomFilter.fromBytes(readBlock(bloomOffset, bloomLength, footerOffset));
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, bloomOffset, "malformed SSTable bloom block: " + e.getMessage());
        }
        byte[] index = readBlock(indexOffset, indexLength, footerOffset);
        try {
            ByteSource in = new ByteSource(index, 0, index.length);
            int count = in.readLength();
            // Each index entry takes at least 3 bytes: a bound on the count before allocating.
            if (count > index.length / 3) {
                throw new IllegalArgumentException(count + " blocks in an index of " + index.length + " bytes");
            }
            blockLastKeys = new byte[count][];
            blockOffsets = new long[count];
            blockLengths = new int[count];
            for (int i = 0; i < count; i++) {
                blockLastKeys[i] = in.readBytes();
                blockOffsets[i] = in.readVarint();
                blockLengths[i] = in.readLength();
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(file, indexOffset, "malformed SSTable index block: " + e.getMessage());
        }
    }

    /** Reads footer, index and bloom filter (into memory), verifying checksums and the magic/version. */
    public static SSTableReader open(Path file, long id, BlockCache cache) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new SSTableReader(file, id, cache, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public long id() {
        return id;
    }

    public Path file() {
        return file;
    }

    public SSTableInfo info() {
        return info;
    }

    /**
     * False when the table certainly does not hold the key: outside its key range, or not in the
     * bloom filter. The range check is free and makes the answer exact for keys past either end.
     */
    public boolean mightContain(byte[] storageKey) {
        return info.entries() > 0
            && StorageKey.compare(storageKey, info.firstKey()) >= 0
            && StorageKey.compare(storageKey, info.lastKey()) <= 0
            && bloom.mightContain(storageKey);
    }

    /** The entry for the key or null; consults the bloom filter first; blocks come through the cache. */
    public Entry get(byte[] storageKey) throws IOException {
        if (!mightContain(storageKey)) {
            return null;
        }
        int b = findBlock(storageKey);
        if (b == blockOffsets.length) {
            return null;
        }
        Block block = block(b);
        try {
            Block.Cursor c = block.cursor();
            c.seek(storageKey);
            return c.valid() && c.compareKey(storageKey) == 0 ? c.entry() : null;
        } catch (IllegalArgumentException e) {
            throw malformed(b, e);
        }
    }

    /** Entries with from <= key < to (to null = to the end), in order, reading blocks lazily. */
    public EntryIterator iterator(byte[] fromInclusive, byte[] toExclusive) throws IOException {
        return new TableIterator(fromInclusive, toExclusive);
    }

    /** The first block whose last key is >= key (blocks.length if none). */
    private int findBlock(byte[] key) {
        int lo = 0;
        int hi = blockLastKeys.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (StorageKey.compare(blockLastKeys[mid], key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Block block(int i) throws IOException {
        long offset = blockOffsets[i];
        Block b = cache == null ? null : cache.get(id, offset);
        if (b == null) {
            byte[] contents = readBlock(offset, blockLengths[i], info.fileBytes() - TableFormat.FOOTER_BYTES);
            try {
                b = new Block(contents);
            } catch (IllegalArgumentException e) {
                throw malformed(i, e);
            }
            if (cache != null) {
                cache.put(id, offset, b);
            }
        }
        return b;
    }

    private CorruptionException malformed(int block, IllegalArgumentException e) {
        return new CorruptionException(file, blockOffsets[block], "malformed SSTable data block: " + e.getMessage());
    }

    /** Reads one block and its trailer, verifies the CRC, and returns the decoded contents. */
    private byte[] readBlock(long offset, int storedLength, long limit) throws IOException {
        if (offset < 0 || storedLength < 0 || offset + storedLength + TableFormat.TRAILER_BYTES > limit) {
            throw new CorruptionException(file, offset, "SSTable block handle (" + storedLength + " bytes) outside the file");
        }
        byte[] stored = readFully(offset, storedLength + TableFormat.TRAILER_BYTES);
        byte codec = stored[storedLength];
        int expected = ((stored[storedLength + 1] & 0xFF) << 24) | ((stored[storedLength + 2] & 0xFF) << 16)
            | ((stored[storedLength + 3] & 0xFF) << 8) | (stored[storedLength + 4] & 0xFF);
        CRC32C crc = new CRC32C();
        crc.update(stored, 0, storedLength + 1);
        if ((int) crc.getValue() != expected) {
            throw new CorruptionException(file, offset, "SSTable block checksum mismatch");
        }
        if (codec == TableFormat.CODEC_NONE) {
            return Arrays.copyOf(stored, storedLength);
        }
        if (codec != TableFormat.CODEC_LZ4) {
            throw new CorruptionException(file, offset, "unknown SSTable block codec " + codec);
        }
        if (storedLength < 4) {
            throw new CorruptionException(file, offset, "LZ4 block without its length");
        }
        int length = ((stored[0] & 0xFF) << 24) | ((stored[1] & 0xFF) << 16) | ((stored[2] & 0xFF) << 8) | (stored[3] & 0xFF);
        if (length < 0 || length > TableFormat.MAX_BLOCK_BYTES) {
            throw new CorruptionException(file, offset, "LZ4 block claims " + length + " bytes");
        }
        byte[] out = new byte[length];
        try {
            int n = lz4.decompress(stored, 4, storedLength - 4, out, 0, length);
            if (n != length) {
                throw new CorruptionException(file, offset, "LZ4 block decoded to " + n + " bytes, not " + length);
            }
        } catch (LZ4Exception e) {
            throw new CorruptionException(file, offset, "undecodable LZ4 block: " + e.getMessage());
        }
        return out;
    }

    private byte[] readFully(long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (true) {
            FileChannel ch = channel;
            try {
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, position + buf.position());
                    if (n < 0) {
                        throw new CorruptionException(file, position + buf.position(), "SSTable ends early");
                    }
                }
                return buf.array();
            } catch (ClosedByInterruptException e) {
                reopen(ch);
                throw e;   // this thread was interrupted: it gets the exception, the others go on
            } catch (ClosedChannelException e) {
                if (closed) {
                    throw e;
                }
                reopen(ch);   // another thread's interrupt closed it: retry on a fresh channel
            }
        }
    }

    private synchronized void reopen(FileChannel broken) throws IOException {
        if (!closed && channel == broken) {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
    }

    /** Closes the file and drops this table's blocks from the cache. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            channel.close();
        }
        if (cache != null) {
            cache.evictTable(id);
        }
    }

    private final class TableIterator implements EntryIterator {
        private final byte[] from;
        private final byte[] to;
        private final int startBlock;
        private int blockIndex;
        /** On the entry last returned by next(), or null before the first entry of a block. */
        private Block.Cursor cursor;
        private boolean done;

        TableIterator(byte[] from, byte[] to) {
            this.from = from;
            this.to = to;
            this.startBlock = from == null ? 0 : findBlock(from);
            this.blockIndex = startBlock;
        }

        @Override
        public boolean next() throws IOException {
            if (done) {
                return false;
            }
            try {
                if (cursor != null) {
                    cursor.advance();
                }
                while (true) {
                    if (cursor == null) {
                        if (blockIndex >= blockOffsets.length) {
                            return finish();
                        }
                        cursor = block(blockIndex).cursor();
                        if (from != null && blockIndex == startBlock) {
                            cursor.seek(from);
                        } else {
                            cursor.seekToFirst();
                        }
                    }
                    if (cursor.valid()) {
                        if (to != null && cursor.compareKey(to) >= 0) {
                            return finish();
                        }
                        return true;
                    }
                    cursor = null;
                    blockIndex++;
                }
            } catch (IllegalArgumentException e) {
                done = true;
                throw malformed(blockIndex, e);
            }
        }

        private boolean finish() {
            done = true;
            cursor = null;
            return false;
        }

        @Override
        public byte[] key() {
            requireEntry();
            return cursor.key();
        }

        @Override
        public Entry entry() {
            requireEntry();
            try {
                return cursor.entry();
            } catch (IllegalArgumentException e) {
                throw malformed(blockIndex, e);
            }
        }

        private void requireEntry() {
            if (done || cursor == null || !cursor.valid()) {
                throw new IllegalStateException("iterator is not on an entry");
            }
        }

        @Override
        public void close() {
            finish();
        }
    }
}
