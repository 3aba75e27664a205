package io.ringkv.storage.lsm;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable view of everything a read must consult, newest first: the active memtable, the
 * frozen memtables waiting for their flush, then the SSTables.
 *
 * <p>Tables are ordered by sequence range, newest first. Flushes only add a table newer than
 * all others and compaction only replaces a run of adjacent tables by one table covering the
 * union of their (contiguous) ranges, so the ranges never interleave and "the first entry found
 * wins" is correct without comparing sequences across sources.
 *
 * <p>Reference counted: the engine's "current" pointer holds one reference, each in-flight read
 * another. When the count drops to zero the version releases its tables.
 */
final class Version {

    final Memtable active;
    final List<Memtable> frozen;   // newest first
    final List<Table> tables;      // newest first
    private final AtomicInteger refs = new AtomicInteger(1);

    Version(Memtable active, List<Memtable> frozen, List<Table> tables) {
        this.active = active;
        this.frozen = List.copyOf(frozen);
        this.tables = List.copyOf(tables);
    }

    /** A successor version shares tables with this one: they get a reference for it. */
    static Version successor(Memtable active, List<Memtable> frozen, List<Table> tables) {
        for (Table t : tables) {
            t.retain();
        }
        return new Version(active, frozen, tables);
    }

    boolean tryRetain() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            for (Table t : tables) {
                t.release();
            }
        }
    }

    long tableBytes() {
        long total = 0;
        for (Table t : tables) {
            total += t.bytes();
        }
        return total;
    }

    long memtableBytes() {
        long total = active.bytes();
        for (Memtable m : frozen) {
            total += m.bytes();
        }
        return total;
    }
}
