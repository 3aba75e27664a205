package io.ringkv.storage.lsm;

import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import io.ringkv.storage.sstable.EntryIterator;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A k-way merge of sorted sources into one sorted stream with one entry per key: the entry of
 * the newest source that holds the key. Sources are given newest first; their index is their
 * rank, so on equal keys the heap yields the newest first and the others are skipped.
 *
 * <p>Tombstones are returned (compaction needs them); scans skip them.
 */
final class MergingIterator implements EntryIterator {

    /**
     * A source and its current key, fetched once per step: SSTable iterators return a fresh copy
     * from each key() call, and the heap compares keys O(log k) times per step.
     */
    private static final class Head {
        final EntryIterator source;
        final int rank;
        byte[] key;

        Head(EntryIterator source, int rank) {
            this.source = source;
            this.rank = rank;
            this.key = source.key();
        }
    }

    private final List<EntryIterator> sources;
    private final PriorityQueue<Head> heap;
    private byte[] key;
    private Entry entry;
    private boolean started;
    private final List<Head> consumed = new java.util.ArrayList<>();

    MergingIterator(List<EntryIterator> newestFirst) {
        this.sources = newestFirst;
        this.heap = new PriorityQueue<>(Math.max(1, newestFirst.size()), (a, b) -> {
            int c = StorageKey.compare(a.key, b.key);
            return c != 0 ? c : Integer.compare(a.rank, b.rank);
        });
    }

    @Override
    public boolean next() throws IOException {
        if (!started) {
            started = true;
            for (int i = 0; i < sources.size(); i++) {
                if (sources.get(i).next()) {
                    heap.add(new Head(sources.get(i), i));
                }
            }
        }
        // The sources that held the previous key are advanced only now, so that key() and
        // entry() stay valid until this call even if a source reuses its buffers.
        for (Head h : consumed) {
            advance(h);
        }
        consumed.clear();
        Head top = heap.poll();
        if (top == null) {
            key = null;
            entry = null;
            return false;
        }
        key = top.key;
        entry = top.source.entry();
        consumed.add(top);
        while (!heap.isEmpty() && StorageKey.compare(heap.peek().key, key) == 0) {
            consumed.add(heap.poll());
        }
        return true;
    }

    private void advance(Head h) throws IOException {
        if (h.source.next()) {
            h.key = h.source.key();
            heap.add(h);
        }
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public Entry entry() {
        return entry;
    }

    @Override
    public void close() {
        for (EntryIterator s : sources) {
            s.close();
        }
    }

    /** A sorted map range (a memtable's) as a source. The map may change underneath: skip-list iterators are weakly consistent. */
    static EntryIterator of(Iterator<Map.Entry<byte[], Entry>> it) {
        return new EntryIterator() {
            private Map.Entry<byte[], Entry> current;

            @Override
            public boolean next() {
                current = it.hasNext() ? it.next() : null;
                return current != null;
            }

            @Override
            public byte[] key() {
                return current.getKey();
            }

            @Override
            public Entry entry() {
                return current.getValue();
            }

            @Override
            public void close() {
            }
        };
    }
}
