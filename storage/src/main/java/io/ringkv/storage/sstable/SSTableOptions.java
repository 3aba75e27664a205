package io.ringkv.storage.sstable;

/** STANDIN: replaced by part B. */
public record SSTableOptions(int blockSize, int bloomBitsPerKey, Compression compression) {}
