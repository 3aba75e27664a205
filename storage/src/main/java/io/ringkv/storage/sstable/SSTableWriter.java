package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Writes one immutable sorted table, front to back in a single pass: data blocks as entries come,
 * then the meta, bloom and index blocks and the footer. Nothing is ever rewritten in place, so a
 * crash leaves a file without a valid footer, which {@link SSTableReader#open} rejects; the
 * caller writes to a temporary name and renames after {@link #finish()} so such a file is never
 * taken for a table. Not thread-safe.
 */
public final class SSTableWriter implements AutoCloseable {

    private static final int OUTPUT_BUFFER_BYTES = 64 * 1024;

    private final Path file;
    private final SSTableOptions options;
    private final FileChannel channel;
    private final ByteBuffer output = ByteBuffer.allocate(OUTPUT_BUFFER_BYTES);
    private final LZ4Compressor lz4;
    private byte[] compressed = new byte[0];
    private final CRC32C crc = new CRC32C();
    private long offset;

    private final BlockBuilder block;
    private final ByteSink index = new ByteSink(4096);
    private int blocks;
    private long[] keyHashes = new long[1024];
    private BloomFilter presizedBloom;
    private long expectedEntries = -1;

    private long entries;
    private long tombstones;
    private long minSequence = Long.MAX_VALUE;
    private long maxSequence = Long.MIN_VALUE;
    private byte[] firstKey;
    private byte[] lastKey;
    private boolean finished;

    public SSTableWriter(Path file, SSTableOptions options) throws IOException {
        this(file, options, -1);
    }

    /**
     * @param expectedEntries an upper bound on the entries to be added, or -1 if unknown. With a
     *        bound the bloom filter is sized up front and filled as keys arrive (memory: the
     *        filter only); without one every key's hash is kept until {@link #finish} (memory:
     *        8 bytes a key more). A bound above the real count only lowers the false-positive
     *        rate.
     */
    public SSTableWriter(Path file, SSTableOptions options, long expectedEntries) throws IOException {
        this.file = file;
        this.options = options;
        this.block = new BlockBuilder(options.blockSize());
        this.lz4 = options.compression() == Compression.LZ4 ? LZ4Factory.fastestInstance().fastCompressor() : null;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        if (expectedEntries >= 0) {
            this.expectedEntries = expectedEntries;
            this.presizedBloom = BloomFilter.sizedFor(expectedEntries, options.bloomBitsPerKey());
            this.keyHashes = null;
        }
    }

    /** Keys strictly increasing in StorageKey.compare order; one entry per key. */
    public void add(byte[] storageKey, Entry entry) throws IOException {
        if (finished) {
            throw new IllegalStateException("table " + file + " is already finished");
        }
        // Copied: the block builder and the summary keep it, and the caller may reuse its array.
        byte[] key = storageKey.clone();
        if (presizedBloom != null && entries >= expectedEntries) {
            throw new IllegalArgumentException("more entries than the " + expectedEntries + " promised for " + file);
        }
        if (lastKey != null && StorageKey.compare(key, lastKey) <= 0) {
            throw new IllegalArgumentException("keys must be strictly increasing: " + Arrays.toString(key)
                + " after " + Arrays.toString(lastKey));
        }
        block.add(key, entry);
        if (presizedBloom != null) {
            presizedBloom.addHash(BloomFilter.hash(key));
        } else {
            if (entries == keyHashes.length) {
                keyHashes = Arrays.copyOf(keyHashes, keyHashes.length * 2);
            }
            keyHashes[(int) entries] = BloomFilter.hash(key);
        }
        if (firstKey == null) {
            firstKey = key;
        }
        lastKey = key;
        entries++;
        if (entry.tombstone()) {
            tombstones++;
        }
        minSequence = Math.min(minSequence, entry.sequence());
        maxSequence = Math.max(maxSequence, entry.sequence());
        if (block.estimatedSize() >= options.blockSize()) {
            flushBlock();
        }
    }

    private void flushBlock() throws IOException {
        byte[] blockLastKey = block.lastKey();
        ByteSink contents = block.finish();
        long blockOffset = offset;
        int stored = writeBlock(contents.array(), contents.size(), true);
        index.writeBytes(blockLastKey);
        index.writeVarint(blockOffset);
        index.writeVarint(stored);
        blocks++;
        block.reset();
    }

    /**
     * Writes one block and its trailer; returns the stored length (without the trailer). With LZ4
     * the stored bytes are the uncompressed length (4 bytes BE) then the compressed bytes, kept
     * only when that saves at least an eighth.
     */
    private int writeBlock(byte[] raw, int length, boolean compressible) throws IOException {
        byte codec = TableFormat.CODEC_NONE;
        byte[] stored = raw;
        int storedLength = length;
        if (lz4 != null && compressible) {
            int max = 4 + lz4.maxCompressedLength(length);
            if (compressed.length < max) {
                compressed = new byte[max];
            }
            int n = 4 + lz4.compress(raw, 0, length, compressed, 4, max - 4);
            if (n <= length - length / 8) {
                compressed[0] = (byte) (length >>> 24);
                compressed[1] = (byte) (length >>> 16);
                compressed[2] = (byte) (length >>> 8);
                compressed[3] = (byte) length;
                codec = TableFormat.CODEC_LZ4;
                stored = compressed;
                storedLength = n;
            }
        }
        crc.reset();
        crc.update(stored, 0, storedLength);
        crc.update(codec);
        write(stored, 0, storedLength);
        byte[] trailer = {codec, 0, 0, 0, 0};
        putInt(trailer, 1, (int) crc.getValue());
        write(trailer, 0, trailer.length);
        return storedLength;
    }

    /** Writes the meta, bloom and index blocks and the footer, fsyncs; returns the table's summary. */
    public SSTableInfo finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("table " + file + " is already finished");
        }
        if (!block.isEmpty()) {
            flushBlock();
        }
        ByteSink meta = new ByteSink(64 + (firstKey == null ? 0 : firstKey.length + lastKey.length));
        meta.writeLong(entries);
        meta.writeLong(tombstones);
        meta.writeLong(entries == 0 ? 0 : minSequence);
        meta.writeLong(entries == 0 ? 0 : maxSequence);
        meta.writeBytes(entries == 0 ? new byte[0] : firstKey);
        meta.writeBytes(entries == 0 ? new byte[0] : lastKey);
        long metaOffset = offset;
        int metaLength = writeBlock(meta.array(), meta.size(), false);

        // The filter's bits are random by design: compressing them would only cost time.
        byte[] bloom = (presizedBloom != null ? presizedBloom
            : BloomFilter.build(keyHashes, (int) entries, options.bloomBitsPerKey())).toBytes();
        long bloomOffset = offset;
        int bloomLength = writeBlock(bloom, bloom.length, false);

        ByteSink indexBlock = new ByteSink(index.size() + 8);
        indexBlock.writeVarint(blocks);
        indexBlock.write(index.array(), 0, index.size());
        long indexOffset = offset;
        int indexLength = writeBlock(indexBlock.array(), indexBlock.size(), true);

        byte[] footer = new byte[TableFormat.FOOTER_BYTES];
        putLong(footer, 0, metaOffset);
        putInt(footer, 8, metaLength);
        putLong(footer, 12, bloomOffset);
        putInt(footer, 20, bloomLength);
        putLong(footer, 24, indexOffset);
        putInt(footer, 32, indexLength);
        putInt(footer, 36, TableFormat.VERSION);
        crc.reset();
        crc.update(footer, 0, TableFormat.FOOTER_CRC_OFFSET);
        putInt(footer, TableFormat.FOOTER_CRC_OFFSET, (int) crc.getValue());
        putLong(footer, 44, TableFormat.MAGIC);
        write(footer, 0, footer.length);
        drain();
        channel.force(true);
        channel.close();
        finished = true;
        return new SSTableInfo(entries, offset, firstKey, entries == 0 ? null : lastKey.clone(),
            entries == 0 ? 0 : minSequence, entries == 0 ? 0 : maxSequence, tombstones);
    }

    private void write(byte[] b, int off, int len) throws IOException {
        offset += len;
        while (len > 0) {
            if (!output.hasRemaining()) {
                drain();
            }
            int n = Math.min(len, output.remaining());
            output.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    private void drain() throws IOException {
        output.flip();
        while (output.hasRemaining()) {
            channel.write(output);
        }
        output.clear();
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }

    /** Abandons an unfinished table: the partial file stays for the caller to delete. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            finished = true;
            channel.close();
        }
    }
}
