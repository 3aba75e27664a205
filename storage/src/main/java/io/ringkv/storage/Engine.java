package io.ringkv.storage;

import java.util.function.BiConsumer;

/**
 * One node's ordered key-value store: the seam between the command layer (and later the cluster
 * coordinator) and whatever keeps the bytes.
 *
 * <p>Keys are ordered by (slot, key), so that one slot is one contiguous range: scanning a slot,
 * counting its keys and (later) building its Merkle leaf are range operations. The slot is
 * computed by the caller (CRC16 of the key, in the cluster module) and passed in, so that the
 * engine stays free of any placement logic. Callers must always pass the same slot for the same
 * key.
 *
 * <p>Every single-key operation is atomic with respect to the others on the same key. Atomic
 * read-modify-write sequences and multi-key atomicity are the caller's job (the server layer
 * serialises writers of a key with striped locks), which keeps each engine a plain store.
 *
 * <p>The engine knows nothing of time: it never drops expired records on its own. The caller
 * decides what is expired and removes it with {@link #removeIf}.
 */
public interface Engine extends AutoCloseable {

    /** The number of slots keys are partitioned into (Redis Cluster's 16384). */
    int SLOTS = 16384;

    /** The record stored under {@code key}, or {@code null}. */
    Record get(int slot, byte[] key);

    /** Stores {@code record} under {@code key}; returns the record it replaced, or {@code null}. */
    Record put(int slot, byte[] key, Record record);

    /** Removes {@code key}; returns the record removed, or {@code null} if there was none. */
    Record remove(int slot, byte[] key);

    /**
     * Removes {@code key} only if its current record is the very instance {@code expected}
     * (identity, not equality), so that a lazy expiry never deletes a value written concurrently.
     */
    boolean removeIf(int slot, byte[] key, Record expected);

    /** Number of records stored, expired ones included. */
    long size();

    /** Number of records in one slot, expired ones included. */
    long sizeOfSlot(int slot);

    /**
     * Visits every record of {@code slot} in no particular order. The visit sees each record that
     * is present for the whole call at least once; records added or removed during it may or may
     * not be seen.
     */
    void forEachInSlot(int slot, BiConsumer<byte[], Record> visitor);

    /**
     * The first slot at or after {@code fromSlot} that holds at least one record, or -1. Lets
     * scans skip empty slots cheaply.
     */
    int nextNonEmptySlot(int fromSlot);

    /**
     * Lets the calling thread's writes return before they are durable; {@link #awaitDurable} then
     * makes all of them durable at once. A server calls this once per event-loop thread and
     * {@code awaitDurable} once per batch of pipelined commands, before sending their replies, so
     * that a batch costs one log write (and, with appendfsync always, one fsync) instead of one
     * per command. Writes from threads that never call it are durable when they return.
     */
    default void deferDurability() {
    }

    /**
     * Ends {@link #deferDurability} for the calling thread: its later writes are durable when
     * they return again. Writes deferred before stay pending until {@link #awaitDurable}. For a
     * thread that defers only around some of its work (a replica answering a batch of requests
     * on an event loop that also runs other code).
     */
    default void resumeDurability() {
    }

    /**
     * Returns once every write the calling thread made since its last call is as durable as the
     * engine's sync policy promises (written to the OS; on disk for appendfsync always). Throws
     * {@link java.io.UncheckedIOException} if that cannot be done: the writes must then not be
     * acknowledged.
     */
    default void awaitDurable() {
    }

    /** Removes every record. */
    void clear();

    /** Approximate bytes of keys and values held, for INFO. */
    long approximateBytes();

    @Override
    void close();
}
