package io.ringkv.storage.sstable;

/**
 * How an SSTable's data and index blocks are stored. The choice is per table (written blocks
 * record their own codec, so a reader needs no option): with {@link #LZ4} a block that does not
 * shrink by at least an eighth is still stored raw, because decompressing it on every cache miss
 * would cost more than the few bytes it saves (LevelDB's rule).
 */
public enum Compression {
    NONE,
    LZ4
}
