package io.ringkv.bench;

/**
 * What the harness needs of an engine, so that every workload runs the very same loop against
 * ringkv and RocksDB and only the calls at the bottom differ. Keys come with the slot the caller
 * computed (ringkv's Engine API takes it; the RocksDB store puts it in front of the key as the
 * same two big-endian bytes, so both order data as (slot, key) and scans compare like with like).
 */
interface BenchStore extends AutoCloseable {

    String name();

    void put(int slot, byte[] key, byte[] value) throws Exception;

    /** The value's length, or -1 when the key is absent (the caller checks hits and misses). */
    int get(int slot, byte[] key) throws Exception;

    /** Visits every key in (slot, key) order; returns how many it saw. */
    long fullScan(ScanVisitor visitor) throws Exception;

    /**
     * Visits at most {@code limit} keys in (slot, key) order, from the first key of slot
     * {@code fromSlot} on (crossing into later slots as needed); returns how many it saw.
     */
    int shortScan(int fromSlot, int limit, ScanVisitor visitor) throws Exception;

    /**
     * Waits until flushes and compactions that the writes so far made necessary are done (or
     * {@code timeoutMillis} passed), so that reads and the on-disk size are measured on a settled
     * store. Returns true if it settled in time.
     */
    boolean awaitIdle(long timeoutMillis) throws Exception;

    /** Writes the memtable out to a table now and waits for it (for the on-disk size of the data alone). */
    void flush() throws Exception;

    /** A line of the engine's own counters (tables, levels, flushes, compactions) for the report. */
    String describe() throws Exception;

    @Override
    void close() throws Exception;

    @FunctionalInterface
    interface ScanVisitor {
        void visit(byte[] key, int valueLength);
    }
}
