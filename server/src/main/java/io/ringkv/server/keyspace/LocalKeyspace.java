package io.ringkv.server.keyspace;

import io.ringkv.cluster.ring.Slots;
import io.ringkv.storage.ByteKey;
import io.ringkv.storage.Engine;
import io.ringkv.storage.Record;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Database 0 as Redis commands see it: the engine's records plus Redis's expiry semantics.
 *
 * <p>Expiry is lazy and active, like Redis's. Lazy: a read that meets an expired record treats the
 * key as missing and deletes it (under the key's lock, so a concurrent write is never lost).
 * Active: {@link #activeExpireCycle} walks the index of keys that carry a TTL (Redis's
 * {@code db->expires}) a bounded amount per tick, so expired keys that nobody reads do not pile
 * up.
 *
 * <p>Writers must hold the key's lock ({@link #locked}); every method that changes a key expects
 * that. Reads need no lock.
 */
public final class LocalKeyspace implements Keyspace {

    /** Keys sampled per active-expiry round, and the expired share that earns another round. */
    private static final int EXPIRE_SAMPLE = 20;
    private static final int EXPIRE_REPEAT_PERCENT = 25;

    private final Engine engine;
    private final Clock clock;
    private final KeyLocks locks = new KeyLocks(4096);
    private final Set<ByteKey> volatileKeys = ConcurrentHashMap.newKeySet();
    private final LongAdder expiredKeys = new LongAdder();
    private final KeyScans scanner;
    private Iterator<ByteKey> expireCursor; // owned by the single thread running the cycle

    public LocalKeyspace(Engine engine, Clock clock, RandomGenerator random) {
        this.engine = engine;
        this.clock = clock;
        this.scanner = new KeyScans(engine, clock, random, (record, now) -> !record.isExpiredAt(now));
        indexExistingTtls();
    }

    /**
     * A durable engine comes back with keys that carry a TTL, and the TTL index lives only in
     * memory: rebuild it with one pass over the keys, so that active expiry reaches them too
     * (lazy expiry would, but only on access). An empty engine costs one walk of the slot table.
     */
    private void indexExistingTtls() {
        for (int slot = engine.nextNonEmptySlot(0); slot >= 0; slot = engine.nextNonEmptySlot(slot + 1)) {
            engine.forEachInSlot(slot, (key, record) -> {
                if (record.hasExpiry()) {
                    volatileKeys.add(new ByteKey(key));
                }
            });
            if (slot + 1 >= Engine.SLOTS) {
                break;
            }
        }
    }

    @Override
    public long now() {
        return clock.millis();
    }

    /** Runs {@code action} holding the lock of {@code key}. */
    @Override
    public <T> T locked(byte[] key, Supplier<T> action) {
        return locks.withLock(key, action);
    }

    /** Runs {@code action} holding the locks of every key in {@code keys}. */
    @Override
    public <T> T locked(byte[][] keys, Supplier<T> action) {
        return locks.withLocks(keys, action);
    }

    /** The live record of {@code key}, or {@code null} if it is missing or expired. */
    @Override
    public Record get(byte[] key) {
        int slot = Slots.slot(key);
        Record record = engine.get(slot, key);
        if (record != null && record.isExpiredAt(clock.millis())) {
            expire(slot, key, record);
            return null;
        }
        return record;
    }

    /** Stores {@code record} (its expiry included). Caller holds the key's lock. */
    @Override
    public void put(byte[] key, Record record) {
        int slot = Slots.slot(key);
        Record previous = engine.put(slot, key, record);
        if (record.hasExpiry()) {
            volatileKeys.add(new ByteKey(key));
        } else if (previous != null && !volatileKeys.isEmpty() && previous.hasExpiry()) {
            // The emptiness test first: with no TTLs anywhere (the common case) this skips
            // reading the replaced record, a likely cache miss on the hot path of SET.
            volatileKeys.remove(new ByteKey(key));
        }
    }

    /**
     * {@link #put} under the key's own lock: the blind write of plain SET, MSET's per-key
     * fallback and friends, without a lambda on the hot path.
     */
    @Override
    public void store(byte[] key, Record record) {
        ReentrantLock lock = locks.lockFor(key);
        lock.lock();
        try {
            put(key, record);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes {@code key}; returns its live record, or null. Caller holds the key's lock. */
    @Override
    public Record remove(byte[] key) {
        Record previous = engine.remove(Slots.slot(key), key);
        if (previous == null) {
            return null;
        }
        if (previous.hasExpiry()) {
            volatileKeys.remove(new ByteKey(key));
            if (previous.isExpiredAt(clock.millis())) {
                expiredKeys.increment();
                return null;
            }
        }
        return previous;
    }

    private void expire(int slot, byte[] key, Record expired) {
        locked(key, () -> {
            if (engine.removeIf(slot, key, expired)) {
                volatileKeys.remove(new ByteKey(key));
                expiredKeys.increment();
            }
            return null;
        });
    }

    /** Deletes every key. */
    @Override
    public void clear() {
        int[] all = locks.all();
        locks.lockAll(all);
        try {
            engine.clear();
            volatileKeys.clear();
        } finally {
            locks.unlockAll(all);
        }
    }

    /** Keys stored, including expired keys not yet reclaimed (as Redis's DBSIZE). */
    @Override
    public long size() {
        return engine.size();
    }

    /** Keys that carry a TTL (INFO keyspace "expires="). */
    @Override
    public long volatileCount() {
        return volatileKeys.size();
    }

    @Override
    public long expiredKeys() {
        return expiredKeys.sum();
    }

    @Override
    public long approximateBytes() {
        return engine.approximateBytes();
    }

    /**
     * One active-expiry pass, Redis's "slow cycle": sample keys with a TTL, delete the expired
     * ones, and repeat while more than a quarter of a sample was expired and time remains.
     * Call from one thread only.
     *
     * @return the number of keys deleted
     */
    @Override
    public int activeExpireCycle(long budgetMillis) {
        long deadline = clock.millis() + budgetMillis;
        int deleted = 0;
        while (true) {
            int sampled = 0;
            int expiredInSample = 0;
            long now = clock.millis();
            while (sampled < EXPIRE_SAMPLE) {
                if (expireCursor == null || !expireCursor.hasNext()) {
                    expireCursor = volatileKeys.iterator();
                    if (!expireCursor.hasNext()) {
                        return deleted;
                    }
                }
                ByteKey candidate = expireCursor.next();
                sampled++;
                int slot = Slots.slot(candidate.bytes());
                Record record = engine.get(slot, candidate.bytes());
                if (record == null || !record.hasExpiry()) {
                    dropStaleIndexEntry(slot, candidate);
                } else if (record.isExpiredAt(now)) {
                    expire(slot, candidate.bytes(), record);
                    expiredInSample++;
                    deleted++;
                }
            }
            if (expiredInSample * 100 <= sampled * EXPIRE_REPEAT_PERCENT || clock.millis() >= deadline) {
                return deleted;
            }
        }
    }

    /*
     * The TTL index names a key that no longer has a TTL (deleted, or overwritten without one).
     * The entry is dropped under the key's lock, after a second look: without the lock a writer
     * could give the key a TTL again between our read and the removal (its add is a no-op on an
     * entry that is still there), and the key would then never be expired actively.
     */
    private void dropStaleIndexEntry(int slot, ByteKey candidate) {
        locked(candidate.bytes(), () -> {
            Record current = engine.get(slot, candidate.bytes());
            if (current == null || !current.hasExpiry()) {
                volatileKeys.remove(candidate);
            }
            return null;
        });
    }

    @Override
    public ScanPage scan(long cursor, long count, byte[] pattern, String typeFilter) {
        return scanner.scan(cursor, count, pattern, typeFilter);
    }

    @Override
    public List<byte[]> keys(byte[] pattern) {
        return scanner.keys(pattern);
    }

    @Override
    public byte[] randomKey() {
        return scanner.randomKey();
    }

}
