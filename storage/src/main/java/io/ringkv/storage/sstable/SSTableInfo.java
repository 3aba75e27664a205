package io.ringkv.storage.sstable;

/**
 * The summary of one table, written into it at {@link SSTableWriter#finish()} and read back by
 * {@link SSTableReader#open}: what the engine needs to plan reads and compactions without touching
 * data blocks. For a table with no entries {@code firstKey} and {@code lastKey} are null and the
 * sequences are 0.
 */
public record SSTableInfo(long entries, long fileBytes, byte[] firstKey, byte[] lastKey,
                          long minSequence, long maxSequence, long tombstones) {
}
