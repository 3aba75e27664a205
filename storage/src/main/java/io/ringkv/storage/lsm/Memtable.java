package io.ringkv.storage.lsm;

import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory head of the LSM: a concurrent sorted map from storage key to its newest entry.
 *
 * <p>Writers of one key are serialised by the caller, so a plain put is enough; writers of
 * different keys proceed concurrently through the skip list. The byte count is an estimate that
 * only grows (an overwrite adds its bytes without subtracting the replaced entry's): it decides
 * when to freeze, and erring towards freezing early is harmless.
 */
final class Memtable {

    /** Rough per-entry cost of the skip-list node, the Entry object and the array headers. */
    static final int ENTRY_OVERHEAD = 96;

    final ConcurrentSkipListMap<byte[], Entry> map = new ConcurrentSkipListMap<>(StorageKey::compare);
    private final AtomicLong bytes = new AtomicLong();

    /**
     * The commit-log segment id returned by the roll made when this memtable was frozen: every
     * record of this memtable is in a segment with a smaller id, so once it is in an SSTable the
     * segments before this id can go. -1 while the memtable is active.
     */
    volatile long rolledSegment = -1;

    Entry get(byte[] storageKey) {
        return map.get(storageKey);
    }

    void put(byte[] storageKey, Entry entry) {
        map.put(storageKey, entry);
        bytes.addAndGet(storageKey.length + entry.value().length + ENTRY_OVERHEAD);
    }

    /** For log replay, where a record may be replayed twice: keep the higher sequence. */
    void putIfNewer(byte[] storageKey, Entry entry) {
        Entry old = map.get(storageKey);
        if (old == null || old.sequence() < entry.sequence()) {
            put(storageKey, entry);
        }
    }

    long bytes() {
        return bytes.get();
    }

    boolean isEmpty() {
        return map.isEmpty();
    }
}
