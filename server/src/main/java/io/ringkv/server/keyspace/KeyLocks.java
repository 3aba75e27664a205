package io.ringkv.server.keyspace;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks that serialise the writers of a key. Redis gets atomic INCR, SET NX, GETSET and
 * MSET from running every command on one thread; ringkv runs commands on several event loops
 * (and expires keys on another thread), so each read-modify-write holds its key's stripe.
 * Multi-key commands take their stripes in ascending order, which rules out deadlock. Plain
 * reads take no lock: records are immutable and the engine's single-key operations are atomic.
 */
public final class KeyLocks {

    private final ReentrantLock[] stripes;
    private final int mask;

    /** @param stripes a power of two */
    public KeyLocks(int stripes) {
        if (Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes must be a power of two: " + stripes);
        }
        this.stripes = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new ReentrantLock();
        }
        this.mask = stripes - 1;
    }

    public ReentrantLock lockFor(byte[] key) {
        return stripes[stripeOf(key)];
    }

    private int stripeOf(byte[] key) {
        int h = Arrays.hashCode(key);
        return (h ^ (h >>> 16)) & mask;
    }

    /** The distinct stripes of {@code keys}, ascending; lock with {@link #lockAll}. */
    public int[] stripesOf(byte[][] keys) {
        int[] ids = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            ids[i] = stripeOf(keys[i]);
        }
        return Arrays.stream(ids).sorted().distinct().toArray();
    }

    public void lockAll(int[] stripeIds) {
        for (int id : stripeIds) {
            stripes[id].lock();
        }
    }

    public void unlockAll(int[] stripeIds) {
        for (int i = stripeIds.length - 1; i >= 0; i--) {
            stripes[stripeIds[i]].unlock();
        }
    }

    /** Runs {@code action} holding the stripe of {@code key}. */
    public <T> T withLock(byte[] key, java.util.function.Supplier<T> action) {
        ReentrantLock lock = lockFor(key);
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code action} holding the stripes of every key in {@code keys}. */
    public <T> T withLocks(byte[][] keys, java.util.function.Supplier<T> action) {
        int[] ids = stripesOf(keys);
        lockAll(ids);
        try {
            return action.get();
        } finally {
            unlockAll(ids);
        }
    }

    /** Locks every stripe, for commands that touch the whole keyspace (FLUSHALL). */
    public int[] all() {
        int[] ids = new int[stripes.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return ids;
    }
}
