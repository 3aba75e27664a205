package io.ringkv.storage.lsm;

import io.ringkv.storage.Engine;
import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The in-memory head of the LSM: the newest entry of each recently written key, in (slot, key)
 * order.
 *
 * <p>One small concurrent skip list per slot rather than one big one. A storage key starts with
 * its slot, so the slot is a free first level of the search: a point read or write indexes the
 * slot's list directly and then walks a list of a few dozen keys (a 64 MB memtable of small
 * values holds ~500k keys, ~30 per slot) instead of ~20 levels of a list of all of them, each level
 * a likely cache miss. Measured on redis-benchmark SET -P 16, the single list's lookups were
 * about 40% of the event loops' time. Order across slots is the slots' order, so ordered
 * iteration (flush, scans) walks the slots in turn; lists are created on first write.
 *
 * <p>Writers of one key are serialised by the caller, so a plain put is enough; writers of
 * different keys proceed concurrently. The byte count estimates the live entries' heap (keys,
 * values and a fixed per-entry overhead); it decides when to freeze.
 */
final class Memtable {

    /** Rough per-entry cost of the skip-list node, the Entry object and the array headers. */
    static final int ENTRY_OVERHEAD = 96;

    private final AtomicReferenceArray<ConcurrentSkipListMap<byte[], Entry>> slots =
        new AtomicReferenceArray<>(Engine.SLOTS);
    // LongAdders: every writer bumps them, and a single shared counter would bounce its cache
    // line between the event loops on each write.
    private final LongAdder bytes = new LongAdder();
    private final LongAdder entries = new LongAdder();

    /**
     * The commit-log segment id returned by the roll made when this memtable was frozen: every
     * record of this memtable is in a segment with a smaller id, so once it is in an SSTable the
     * segments before this id can go. -1 while the memtable is active.
     */
    volatile long rolledSegment = -1;

    Entry get(byte[] storageKey) {
        ConcurrentSkipListMap<byte[], Entry> map = slots.get(StorageKey.slot(storageKey));
        return map == null ? null : map.get(storageKey);
    }

    void put(byte[] storageKey, Entry entry) {
        Entry previous = slotMap(StorageKey.slot(storageKey)).put(storageKey, entry);
        if (previous == null) {
            entries.increment();
            bytes.add(storageKey.length + entry.value().length + ENTRY_OVERHEAD);
        } else {
            // An overwrite replaces the entry in place (the old one becomes garbage), so only
            // the difference in value size counts: a hot key rewritten a million times must not
            // look like a million entries and force flushes of a memtable that is not growing.
            bytes.add(entry.value().length - previous.value().length);
        }
    }

    /** For log replay, where a record may be replayed twice: keep the higher sequence. */
    void putIfNewer(byte[] storageKey, Entry entry) {
        Entry old = get(storageKey);
        if (old == null || old.sequence() < entry.sequence()) {
            put(storageKey, entry);
        }
    }

    long bytes() {
        return bytes.sum();
    }

    /** Distinct keys held (exact once the memtable is frozen). */
    long entryCount() {
        return entries.sum();
    }

    boolean isEmpty() {
        return entries.sum() == 0;
    }

    /** Every entry in (slot, key) order. */
    Iterator<Map.Entry<byte[], Entry>> entries() {
        return range(StorageKey.slotStart(0), null);
    }

    /** Entries with {@code from <= key < to} ({@code to} null: to the end), in order. */
    Iterator<Map.Entry<byte[], Entry>> range(byte[] from, byte[] to) {
        int firstSlot = StorageKey.slot(from);
        // A bound of exactly [s] (two bytes) ends before slot s; any longer bound falls inside it.
        int lastSlot = to == null ? Engine.SLOTS - 1
            : to.length == 2 ? StorageKey.slot(to) - 1 : StorageKey.slot(to);
        return new Iterator<>() {
            private int slot = firstSlot;
            private Iterator<Map.Entry<byte[], Entry>> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (slot > lastSlot) {
                        return false;
                    }
                    ConcurrentSkipListMap<byte[], Entry> map = slots.get(slot);
                    if (map != null) {
                        boolean first = slot == firstSlot;
                        boolean last = slot == lastSlot && to != null && to.length > 2;
                        var view = first && last ? map.subMap(from, true, to, false)
                            : first ? map.tailMap(from, true)
                            : last ? map.headMap(to, false)
                            : map;
                        current = view.entrySet().iterator();
                    }
                    slot++;
                }
                return true;
            }

            @Override
            public Map.Entry<byte[], Entry> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private ConcurrentSkipListMap<byte[], Entry> slotMap(int slot) {
        ConcurrentSkipListMap<byte[], Entry> map = slots.get(slot);
        if (map == null) {
            map = new ConcurrentSkipListMap<>(StorageKey::compare);
            if (!slots.compareAndSet(slot, null, map)) {
                map = slots.get(slot);
            }
        }
        return map;
    }
}
