package io.ringkv.storage.sstable;

/**
 * How a table is written. {@code blockSize} is the target size of an uncompressed data block: the
 * unit of a read, of a checksum and of the block cache, so it trades index size (one key per
 * block, held in memory) against the bytes read for one point lookup. {@code bloomBitsPerKey}
 * sizes the filter: 10 bits give about 1% false positives.
 */
public record SSTableOptions(int blockSize, int bloomBitsPerKey, Compression compression) {

    public static final int DEFAULT_BLOCK_SIZE = 4096;
    public static final int DEFAULT_BLOOM_BITS_PER_KEY = 10;

    public SSTableOptions {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be positive: " + blockSize);
        }
        if (bloomBitsPerKey < 1 || bloomBitsPerKey > BloomFilter.MAX_BITS_PER_KEY) {
            throw new IllegalArgumentException("bloomBitsPerKey must be in 1.." + BloomFilter.MAX_BITS_PER_KEY + ": " + bloomBitsPerKey);
        }
        if (compression == null) {
            throw new IllegalArgumentException("compression must not be null");
        }
    }

    /** 4 KiB blocks, 10 bits per key, LZ4 (see docs/formats.md for the measurements behind it). */
    public static SSTableOptions defaults() {
        return new SSTableOptions(DEFAULT_BLOCK_SIZE, DEFAULT_BLOOM_BITS_PER_KEY, Compression.LZ4);
    }
}
