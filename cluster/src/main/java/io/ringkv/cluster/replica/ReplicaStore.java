package io.ringkv.cluster.replica;

import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.storage.ByteKey;
import io.ringkv.storage.Engine;
import io.ringkv.storage.Record;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * One node's replicas: the siblings of every key it holds, kept in the node's engine (the
 * record's value is {@link VersionCodec}'s encoding), and the three things a replica does with
 * them.
 *
 * <ul>
 *   <li>{@link #read}: the stored siblings.
 *   <li>{@link #write}: a write this node coordinates. It issues the new version's dot, so it
 *       must hold the key's lock from reading the stored versions to storing the result: a
 *       node never issues the same dot twice for a key (see {@link io.ringkv.cluster.version.Dot}).
 *   <li>{@link #merge}: versions another node coordinated (replication, read repair). Merging
 *       is idempotent and order-independent, so a retried or reordered message is harmless.
 * </ul>
 *
 * <p>Siblings are bounded in two ways. A write this node coordinates with a context that leaves
 * more than {@code max-siblings} versions is refused ({@link TooManySiblingsException}): the
 * client must read the siblings and resolve them, as Riak refuses past its max_siblings. A blind
 * write never adds a sibling here (its context covers every local version). Merges are never
 * refused, since refusing replication would lose acknowledged writes; every write that made the
 * siblings was bounded where it was coordinated. A warning is logged when a key reaches a quarter
 * of the bound, well before writes are refused.
 */
public final class ReplicaStore {

    private static final int LOCK_STRIPES = 4096;

    private final Engine engine;
    private final String nodeId;
    private final Clock clock;
    private final IntSupplier clockMaxEntries;
    private final IntSupplier maxSiblings;
    private final Consumer<String> warn;
    private final java.util.function.Predicate<String> retired;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final LongAdder siblingWarnings = new LongAdder();

    /**
     * @param clockMaxEntries vclock-max-entries, read at each write (CONFIG SET may change it)
     * @param maxSiblings max-siblings, read at each write
     * @param warn where warnings go (the server log)
     */
    public ReplicaStore(Engine engine, String nodeId, Clock clock, IntSupplier clockMaxEntries,
                        IntSupplier maxSiblings, Consumer<String> warn) {
        this(engine, nodeId, clock, clockMaxEntries, maxSiblings, warn, node -> false);
    }

    /**
     * @param retired the node ids that have left the ring for good: the only clock entries
     *                pruning may drop ({@link VectorClock#prune(int, java.util.function.Predicate)})
     */
    public ReplicaStore(Engine engine, String nodeId, Clock clock, IntSupplier clockMaxEntries,
                        IntSupplier maxSiblings, Consumer<String> warn, java.util.function.Predicate<String> retired) {
        this.retired = retired;
        this.engine = engine;
        this.nodeId = nodeId;
        this.clock = clock;
        this.clockMaxEntries = clockMaxEntries;
        this.maxSiblings = maxSiblings;
        this.warn = warn;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public String nodeId() {
        return nodeId;
    }

    public Engine engine() {
        return engine;
    }

    /** The key's stored siblings, encoded; an empty array when it has none. */
    public byte[] readEncoded(int slot, byte[] key) {
        Record record = engine.get(slot, key);
        return record == null ? NONE : record.value();
    }

    private static final byte[] NONE = new byte[0];

    /** Decodes {@link #readEncoded}'s bytes. */
    public static Siblings<StoredValue> decode(byte[] encoded) {
        return encoded.length == 0 ? Siblings.empty() : VersionCodec.decode(encoded);
    }

    /** The key's stored siblings (empty when it has none). */
    public Siblings<StoredValue> read(int slot, byte[] key) {
        return decode(engine.get(slot, key));
    }

    /**
     * Coordinates a write at this node: a new version of {@code value} whose context is
     * {@code context} (what the writer read: KV.PUT's context), merged with every local version
     * when {@code blind} (plain SET: supersede everything the coordinator has seen). Returns the
     * key's siblings after the write, which the coordinator then sends to the other replicas.
     *
     * @throws TooManySiblingsException when the result would pass max-siblings
     */
    public Siblings<StoredValue> write(int slot, byte[] key, VectorClock context, boolean blind, StoredValue value) {
        return writeStored(slot, key, context, blind, value).versions();
    }

    /** Siblings with the bytes they are stored as, so that forwarding them costs no second encoding. */
    public record Stored(Siblings<StoredValue> versions, byte[] encoded) {
    }

    /** {@link #write}, returning the stored bytes too. */
    public Stored writeStored(int slot, byte[] key, VectorClock context, boolean blind, StoredValue value) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            Siblings<StoredValue> stored = read(slot, key);
            VectorClock writerContext = blind ? context.merge(stored.context()) : context;
            // Pruning drops the entries updated longest ago, of retired nodes only (see
            // VectorClock.prune). It may turn a version the writer saw into a sibling, never the
            // reverse, so it can cost a sibling but lose nothing.
            writerContext = writerContext.prune(Math.max(1, clockMaxEntries.getAsInt() - 1), retired);
            java.time.Instant now = clock.instant();
            long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
            Siblings<StoredValue> result = stored.write(writerContext, nodeId, value, nowMicros);
            int limit = maxSiblings.getAsInt();
            if (result.size() > limit && result.size() > stored.size()) {
                throw new TooManySiblingsException(result.size(), limit);
            }
            warnIfCrowded(key, result);
            byte[] encoded = VersionCodec.encode(result);
            engine.put(slot, key, Record.persistent(encoded));
            indexed(key, stored, result);
            return new Stored(result, encoded);
        } finally {
            lock.unlock();
        }
    }

    /** Merges versions coordinated elsewhere; returns the key's siblings after the merge. */
    public Siblings<StoredValue> merge(int slot, byte[] key, Siblings<StoredValue> incoming) {
        if (incoming.isEmpty()) {
            return read(slot, key);
        }
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            Siblings<StoredValue> stored = read(slot, key);
            Siblings<StoredValue> merged = stored.merge(incoming);
            if (!merged.equals(stored)) {
                warnIfCrowded(key, merged);
                store(slot, key, merged);
                indexed(key, stored, merged);
            }
            return merged;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #merge} of versions that arrive encoded (replication). The common cases cost no
     * re-encoding: the replica had nothing, had exactly these bytes, or had versions the incoming
     * ones all supersede (a blind write), and then the incoming bytes are stored as they came.
     */
    public void mergeEncoded(int slot, byte[] key, byte[] incomingEncoded) {
        Siblings<StoredValue> incoming = decode(incomingEncoded);
        if (incoming.isEmpty()) {
            return;
        }
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            byte[] storedEncoded = readEncoded(slot, key);
            if (Arrays.equals(storedEncoded, incomingEncoded)) {
                return;
            }
            Siblings<StoredValue> stored = decode(storedEncoded);
            Siblings<StoredValue> merged = stored.merge(incoming);
            if (merged.equals(stored)) {
                return;
            }
            warnIfCrowded(key, merged);
            byte[] bytes = merged.equals(incoming) ? incomingEncoded : VersionCodec.encode(merged);
            engine.put(slot, key, Record.persistent(bytes));
            indexed(key, stored, merged);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes every key this node holds (its part of a cluster-wide FLUSHALL), with every key
     * lock held so that no write is half applied across it.
     */
    public void clear() {
        for (ReentrantLock lock : locks) {
            lock.lock();
        }
        try {
            engine.clear();
            deadRecords.reset();
            volatileKeys.clear();
        } finally {
            for (ReentrantLock lock : locks) {
                lock.unlock();
            }
        }
    }

    // ---- what DBSIZE, INFO and active expiry need --------------------------------------------

    /*
     * A replica keeps a key's record after a delete (the tombstone must outlive the replicas'
     * disagreement), so the engine's record count is not Redis's DBSIZE. Two indexes, kept under
     * the key locks at every store and rebuilt by one scan at start (rebuildIndexes):
     *   deadRecords   records whose versions are all tombstones: DBSIZE = records - dead;
     *   volatileKeys  keys with a value that has an expiry: INFO's "expires", and where active
     *                 expiry looks.
     */
    private final LongAdder deadRecords = new LongAdder();
    private final java.util.Set<ByteKey> volatileKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final LongAdder expiredRecords = new LongAdder();
    /** Where the expiry walk resumes; used by the one thread that runs the cycle. */
    private java.util.Iterator<ByteKey> expireCursor;

    private static boolean dead(Siblings<StoredValue> s) {
        if (s.isEmpty()) {
            return false;
        }
        for (Versioned<StoredValue> v : s.versions()) {
            if (!v.value().isTombstone()) {
                return false;
            }
        }
        return true;
    }

    private static boolean expiring(Siblings<StoredValue> s) {
        for (Versioned<StoredValue> v : s.versions()) {
            if (!v.value().isTombstone() && v.value().expireAtMillis() != Record.NO_EXPIRY) {
                return true;
            }
        }
        return false;
    }

    private void indexed(byte[] key, Siblings<StoredValue> before, Siblings<StoredValue> after) {
        boolean deadBefore = dead(before);
        boolean deadAfter = dead(after);
        if (deadBefore != deadAfter) {
            deadRecords.add(deadAfter ? 1 : -1);
        }
        if (expiring(after)) {
            volatileKeys.add(new ByteKey(key));
        } else if (!volatileKeys.isEmpty() && expiring(before)) {
            volatileKeys.remove(new ByteKey(key));
        }
    }

    /** Rebuilds the indexes with one pass over every record: once, at start. */
    public void rebuildIndexes() {
        deadRecords.reset();
        volatileKeys.clear();
        for (int slot = engine.nextNonEmptySlot(0); slot >= 0; slot = engine.nextNonEmptySlot(slot + 1)) {
            engine.forEachInSlot(slot, (key, record) -> indexed(key, Siblings.empty(), decode(record)));
            if (slot + 1 >= Engine.SLOTS) {
                break;
            }
        }
    }

    /** Records that read as keys: every record but those holding only tombstones (DBSIZE). */
    public long keyCount() {
        return engine.size() - deadRecords.sum();
    }

    /** Keys with a value that carries an expiry (INFO keyspace "expires="). */
    public long volatileCount() {
        return volatileKeys.size();
    }

    /** Records removed by {@link #expireCycle} (INFO expired_keys). */
    public long expiredRecords() {
        return expiredRecords.sum();
    }

    /**
     * One active-expiry pass (Redis's slow cycle, as the single node runs it): looks at up to
     * {@code sample} keys with an expiry and removes those whose every version is an expired
     * value. Each replica does this on its own, from the same absolute times, so they agree; a
     * key that also has a tombstone or a live version is left for a write to supersede.
     * Returns the records removed.
     */
    public synchronized int expireCycle(int sample, long nowMillis) {
        int removed = 0;
        for (int seen = 0; seen < sample; seen++) {
            // The walk goes on where the last pass stopped, so every key is reached in turn.
            if (expireCursor == null || !expireCursor.hasNext()) {
                expireCursor = volatileKeys.iterator();
                if (!expireCursor.hasNext()) {
                    break;
                }
            }
            ByteKey k = expireCursor.next();
            if (expire(io.ringkv.cluster.ring.Slots.slot(k.bytes()), k.bytes(), nowMillis)) {
                removed++;
            }
        }
        return removed;
    }

    /**
     * Removes this replica's record of {@code key} if every version of it is an expired value:
     * active expiry, and the lazy expiry of a read that found the key expired (as Redis deletes
     * an expired key it meets). Returns true when it removed the record.
     */
    public boolean expire(int slot, byte[] key, long nowMillis) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            Siblings<StoredValue> s = read(slot, key);
            boolean allExpired = !s.isEmpty();
            for (Versioned<StoredValue> v : s.versions()) {
                if (v.value().isTombstone() || v.value().isLiveAt(nowMillis)) {
                    allExpired = false;
                }
            }
            if (allExpired) {
                engine.remove(slot, key);
                volatileKeys.remove(new ByteKey(key));
                expiredRecords.increment();
                return true;
            }
            if (!expiring(s)) {
                volatileKeys.remove(new ByteKey(key));
            }
            return false;
        } finally {
            lock.unlock();
        }
    }


    /** Keys whose siblings reached a quarter of max-siblings when written (INFO). */
    public long siblingWarnings() {
        return siblingWarnings.sum();
    }

    private void warnIfCrowded(byte[] key, Siblings<StoredValue> s) {
        int threshold = Math.max(2, maxSiblings.getAsInt() / 4);
        if (s.size() == threshold) {
            siblingWarnings.increment();
            warn.accept("Key '" + printable(key) + "' has " + s.size() + " siblings (max-siblings "
                + maxSiblings.getAsInt() + "): concurrent writes are not being resolved;"
                + " read them with KV.GET and write back with its CONTEXT");
        }
    }

    private void store(int slot, byte[] key, Siblings<StoredValue> s) {
        engine.put(slot, key, Record.persistent(VersionCodec.encode(s)));
    }

    /** Decodes a stored record; a record that is not siblings is a bug or corruption. */
    public static Siblings<StoredValue> decode(Record record) {
        return record == null ? Siblings.empty() : VersionCodec.decode(record.value());
    }

    /**
     * The single value a plain read shows: the winner among the siblings (docs/cluster.md: the
     * latest timestamp, then node, counter and value), or null when the winner is a tombstone or
     * has expired at {@code nowMillis}. Siblings stay in place; a later write resolves them.
     */
    public static Versioned<StoredValue> winner(Siblings<StoredValue> s, long nowMillis) {
        if (s.isEmpty()) {
            return null;
        }
        Versioned<StoredValue> w = s.winner(StoredValue::compare);
        return w.value().isLiveAt(nowMillis) ? w : null;
    }

    private ReentrantLock lockFor(byte[] key) {
        return locks[(Arrays.hashCode(key) & 0x7fffffff) % LOCK_STRIPES];
    }

    private static String printable(byte[] key) {
        String s = new String(key, 0, Math.min(key.length, 64), java.nio.charset.StandardCharsets.UTF_8);
        return key.length > 64 ? s + "..." : s;
    }
}
