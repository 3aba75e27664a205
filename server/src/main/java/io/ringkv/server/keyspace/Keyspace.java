package io.ringkv.server.keyspace;

import io.ringkv.storage.Record;
import java.util.List;
import java.util.function.Supplier;

/**
 * Database 0 as Redis commands see it: keys with string values and expiry times. The command
 * families are written against this interface alone, so the same GET, INCR or EXPIRE code runs
 * on a single node ({@link LocalKeyspace}: the node's engine) and in a cluster
 * ({@link io.ringkv.server.cluster.ClusterKeyspace}: quorum reads and writes of versioned
 * replicas).
 *
 * <p>Writers hold the key's lock ({@link #locked}) from their read to their write: that is what
 * makes INCR and friends atomic. Reads need no lock. In a cluster the lock is this node's, so the
 * atomicity is among the commands this node runs (docs/cluster.md says what that guarantees).
 */
public interface Keyspace {

    /** One page of SCAN. */
    record ScanPage(long nextCursor, List<byte[]> keys) {
    }

    long now();

    /** Runs {@code action} holding the lock of {@code key}. */
    <T> T locked(byte[] key, Supplier<T> action);

    /** Runs {@code action} holding the locks of every key in {@code keys}. */
    <T> T locked(byte[][] keys, Supplier<T> action);

    /** The live record of {@code key}, or {@code null} if it is missing or expired. */
    Record get(byte[] key);

    /**
     * The live records of several keys, in order. A cluster reads them in parallel; the default
     * reads them one by one.
     */
    default Record[] getAll(byte[][] keys, int from, int step) {
        int n = (keys.length - from + step - 1) / step;
        Record[] out = new Record[Math.max(0, n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(keys[from + i * step]);
        }
        return out;
    }

    /** Stores {@code record} (its expiry included). Caller holds the key's lock. */
    void put(byte[] key, Record record);

    /**
     * {@link #put} of several keys, in argument order (a repeated key ends with its last record).
     * Caller holds the keys' locks. A cluster writes them in parallel.
     */
    default void putAll(byte[][] keys, Record[] records) {
        for (int i = 0; i < keys.length; i++) {
            put(keys[i], records[i]);
        }
    }

    /**
     * {@link #remove} of several keys; returns how many live keys were deleted (a repeated key
     * counts once). Caller holds the keys' locks. A cluster deletes them in parallel.
     */
    default long removeAll(byte[][] keys) {
        long n = 0;
        for (byte[] key : keys) {
            if (remove(key) != null) {
                n++;
            }
        }
        return n;
    }

    /** {@link #put} under the key's own lock: a blind write. */
    void store(byte[] key, Record record);

    /** Deletes {@code key}; returns its live record, or null. Caller holds the key's lock. */
    Record remove(byte[] key);

    /** Deletes every key. */
    void clear();

    /** Keys stored, including expired keys not yet reclaimed (as Redis's DBSIZE). */
    long size();

    /** Keys that carry a TTL (INFO keyspace "expires="). */
    long volatileCount();

    long expiredKeys();

    long approximateBytes();

    /** One active-expiry pass with a time budget; returns the keys deleted. One thread only. */
    int activeExpireCycle(long budgetMillis);

    /** One page of SCAN; {@code pattern} and {@code typeFilter} may be null. */
    ScanPage scan(long cursor, long count, byte[] pattern, String typeFilter);

    /** Every live key matching {@code pattern} (KEYS). */
    List<byte[]> keys(byte[] pattern);

    /** A random live key, or null when there is none (RANDOMKEY). */
    byte[] randomKey();
}
