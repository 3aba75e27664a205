package io.ringkv.storage.sstable;

/** STANDIN: replaced by part B. */
public record SSTableInfo(long entries, long fileBytes, byte[] firstKey, byte[] lastKey, long minSequence, long maxSequence, long tombstones) {}
