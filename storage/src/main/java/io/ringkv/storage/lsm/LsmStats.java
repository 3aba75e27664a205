package io.ringkv.storage.lsm;

/** A snapshot of the engine's counters, for INFO. */
public record LsmStats(long memtableBytes, int frozenMemtables, int tables, long tableBytes, long logBytes,
        long flushes, long compactions, long compactedBytes, long cacheHits, long cacheMisses,
        long pendingCompactionBytes, long sequence) {
}
