package io.ringkv.storage;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

/**
 * A purely in-memory engine: the `storage memory` option, a cache with nothing on disk.
 *
 * <p>Each slot has its own hash map, created on first write. Point operations therefore cost one
 * array index and one hash lookup (no ordered structure on the hot path), while the per-slot
 * grouping still gives what the {@link Engine} contract needs from (slot, key) order: a slot's
 * keys are visited together, counted in O(1), and scans resume at a slot boundary. Keys within a
 * slot are not sorted; nothing in the contract needs them to be.
 */
public final class MemoryEngine implements Engine {

    private final AtomicReferenceArray<Map<Key, Record>> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicLong bytes = new AtomicLong();

    @Override
    public Record get(int slot, byte[] key) {
        Map<Key, Record> map = slots.get(slot);
        return map == null ? null : map.get(new Key(key));
    }

    @Override
    public Record put(int slot, byte[] key, Record record) {
        Record previous = mapFor(slot).put(new Key(key), record);
        bytes.addAndGet(record.value().length + (previous == null ? key.length : -previous.value().length));
        return previous;
    }

    @Override
    public Record remove(int slot, byte[] key) {
        Map<Key, Record> map = slots.get(slot);
        if (map == null) {
            return null;
        }
        Record previous = map.remove(new Key(key));
        if (previous != null) {
            bytes.addAndGet(-(key.length + previous.value().length));
        }
        return previous;
    }

    @Override
    public boolean removeIf(int slot, byte[] key, Record expected) {
        Map<Key, Record> map = slots.get(slot);
        if (map == null) {
            return false;
        }
        // ConcurrentHashMap.remove(k, v) compares with equals(); records are Java records whose
        // equals compares the byte[] reference, so this is an identity check on the value array.
        boolean removed = map.remove(new Key(key), expected);
        if (removed) {
            bytes.addAndGet(-(key.length + expected.value().length));
        }
        return removed;
    }

    @Override
    public long size() {
        long total = 0;
        for (int slot = nextNonEmptySlot(0); slot >= 0; slot = nextNonEmptySlot(slot + 1)) {
            total += slots.get(slot).size();
        }
        return total;
    }

    @Override
    public long sizeOfSlot(int slot) {
        Map<Key, Record> map = slots.get(slot);
        return map == null ? 0 : map.size();
    }

    @Override
    public void forEachInSlot(int slot, BiConsumer<byte[], Record> visitor) {
        Map<Key, Record> map = slots.get(slot);
        if (map != null) {
            map.forEach((k, r) -> visitor.accept(k.bytes, r));
        }
    }

    @Override
    public int nextNonEmptySlot(int fromSlot) {
        for (int slot = Math.max(0, fromSlot); slot < SLOTS; slot++) {
            Map<Key, Record> map = slots.get(slot);
            if (map != null && !map.isEmpty()) {
                return slot;
            }
        }
        return -1;
    }

    @Override
    public void clear() {
        for (int slot = 0; slot < SLOTS; slot++) {
            Map<Key, Record> map = slots.get(slot);
            if (map != null) {
                map.clear();
            }
        }
        bytes.set(0);
    }

    @Override
    public long approximateBytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        // Nothing to release: the data dies with the process, as a cache's should.
    }

    private Map<Key, Record> mapFor(int slot) {
        Map<Key, Record> map = slots.get(slot);
        if (map == null) {
            map = new ConcurrentHashMap<>();
            if (!slots.compareAndSet(slot, null, map)) {
                map = slots.get(slot);
            }
        }
        return map;
    }

    /** A byte[] with value equality, for use as a hash key. The array is never mutated. */
    private static final class Key {
        final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }
    }
}
