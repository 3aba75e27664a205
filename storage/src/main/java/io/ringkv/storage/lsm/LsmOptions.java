package io.ringkv.storage.lsm;

import io.ringkv.storage.log.FsyncPolicy;
import io.ringkv.storage.sstable.SSTableOptions;
import java.nio.file.Path;

/**
 * Tunables of one {@link LsmEngine}. {@code compactionBytesPerSecond <= 0} means unthrottled.
 */
public record LsmOptions(Path dir, FsyncPolicy fsync, long memtableBytes, long blockCacheBytes,
        SSTableOptions tables, long tombstoneGraceMillis, long compactionBytesPerSecond, long logSegmentBytes) {

    public static final long DEFAULT_TOMBSTONE_GRACE_MILLIS = 10L * 24 * 3600 * 1000;

    public LsmOptions {
        if (dir == null || fsync == null || tables == null) {
            throw new IllegalArgumentException("dir, fsync and tables are required");
        }
        if (memtableBytes <= 0 || logSegmentBytes <= 0 || blockCacheBytes < 0 || tombstoneGraceMillis < 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
    }
}
