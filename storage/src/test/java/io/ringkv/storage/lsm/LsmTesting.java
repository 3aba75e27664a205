package io.ringkv.storage.lsm;

import io.ringkv.storage.log.FsyncPolicy;
import io.ringkv.storage.sstable.Compression;
import io.ringkv.storage.sstable.SSTableOptions;
import java.nio.file.Path;

final class LsmTesting {

    private LsmTesting() {
    }

    /** Small, unthrottled, NO fsync (tests do not crash the machine; close() still syncs). */
    static LsmOptions options(Path dir, long memtableBytes) {
        return new LsmOptions(dir, FsyncPolicy.NO, memtableBytes, 1024 * 1024, new SSTableOptions(4096, 10, Compression.LZ4),
                LsmOptions.DEFAULT_TOMBSTONE_GRACE_MILLIS, 0, 1024 * 1024);
    }
}
