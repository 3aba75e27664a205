package io.ringkv.storage.sstable;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded data blocks, shared by every table reader of one engine, evicted least recently used
 * first once their bytes pass the capacity. Keyed by (table id, block offset): table ids are never
 * reused within an engine, so a block of a deleted table can only linger until evicted (readers
 * also drop their blocks on close).
 *
 * <p>One lock over a LinkedHashMap in access order: a hit is a hash lookup and a list relink,
 * far cheaper than the decode a miss costs, so on a few cores the lock is not the bottleneck;
 * LevelDB's 16 shards would matter only with many more reader threads. Sizes count block bytes
 * (the uncompressed block contents), not the small per-entry object overhead.
 */
public final class BlockCache {

    private record Key(long table, long offset) {
    }

    private final long capacityBytes;
    private final LinkedHashMap<Key, Block> blocks = new LinkedHashMap<>(256, 0.75f, true);
    private long sizeBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public BlockCache(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must not be negative: " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public synchronized long sizeBytes() {
        return sizeBytes;
    }

    synchronized Block get(long table, long offset) {
        Block b = blocks.get(new Key(table, offset));
        if (b == null) {
            misses.increment();
        } else {
            hits.increment();
        }
        return b;
    }

    /** Caches a block; one larger than the whole capacity is not kept (it would evict everything). */
    synchronized void put(long table, long offset, Block block) {
        if (block.sizeBytes() > capacityBytes) {
            return;
        }
        Block previous = blocks.put(new Key(table, offset), block);
        sizeBytes += block.sizeBytes();
        if (previous != null) {
            sizeBytes -= previous.sizeBytes();
        }
        Iterator<Map.Entry<Key, Block>> eldest = blocks.entrySet().iterator();
        while (sizeBytes > capacityBytes && eldest.hasNext()) {
            sizeBytes -= eldest.next().getValue().sizeBytes();
            eldest.remove();
        }
    }

    /** Drops every block of one table (closed, about to be deleted). */
    synchronized void evictTable(long table) {
        Iterator<Map.Entry<Key, Block>> it = blocks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Block> e = it.next();
            if (e.getKey().table() == table) {
                sizeBytes -= e.getValue().sizeBytes();
                it.remove();
            }
        }
    }
}
