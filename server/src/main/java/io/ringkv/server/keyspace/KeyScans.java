package io.ringkv.server.keyspace;

import io.ringkv.storage.Engine;
import io.ringkv.storage.Record;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * SCAN, KEYS and RANDOMKEY over one node's engine: walks of the (slot, key) order that skip
 * records which do not read as live keys. What "live" means is the keyspace's: an unexpired
 * record on a single node, a record whose winning version is an unexpired value in a cluster.
 */
public final class KeyScans {

    /** Whether a stored record reads as a live key at a time. */
    public interface Liveness {
        boolean test(Record record, long nowMillis);
    }

    private final Engine engine;
    private final Clock clock;
    private final RandomGenerator random;
    private final Liveness live;

    public KeyScans(Engine engine, Clock clock, RandomGenerator random, Liveness live) {
        this.engine = engine;
        this.clock = clock;
        this.random = random;
        this.live = live;
    }

    /**
     * SCAN over slots: the cursor is the next slot to visit, so a key present for the whole
     * iteration is returned exactly once, and a full iteration ends at cursor 0 after at most
     * 16384 pages. Whole slots are returned, so a page may hold more than {@code count} keys
     * (COUNT is a hint in Redis too). Expired keys are skipped.
     *
     * @param pattern glob or null; @param typeFilter type name or null
     */
    public Keyspace.ScanPage scan(long cursor, long count, byte[] pattern, String typeFilter) {
        List<byte[]> keys = new ArrayList<>();
        if (cursor < 0 || cursor >= Engine.SLOTS) {
            return new Keyspace.ScanPage(0, keys);
        }
        boolean typeMatches = typeFilter == null || typeFilter.equalsIgnoreCase("string");
        long now = clock.millis();
        int slot = (int) cursor;
        long examined = 0;
        while (examined < count) {
            slot = engine.nextNonEmptySlot(slot);
            if (slot < 0) {
                return new Keyspace.ScanPage(0, keys);
            }
            engine.forEachInSlot(slot, (key, record) -> {
                if (live.test(record, now) && typeMatches
                    && (pattern == null || Glob.matches(pattern, key, false))) {
                    keys.add(key);
                }
            });
            examined += Math.max(1, engine.sizeOfSlot(slot));
            slot++;
            if (slot >= Engine.SLOTS) {
                return new Keyspace.ScanPage(0, keys);
            }
        }
        return new Keyspace.ScanPage(slot, keys);
    }

    /** Every live key matching {@code pattern} (KEYS). */
    public List<byte[]> keys(byte[] pattern) {
        List<byte[]> keys = new ArrayList<>();
        long now = clock.millis();
        boolean all = Glob.matchesEverything(pattern);
        for (int slot = engine.nextNonEmptySlot(0); slot >= 0; slot = engine.nextNonEmptySlot(slot + 1)) {
            engine.forEachInSlot(slot, (key, record) -> {
                if (live.test(record, now) && (all || Glob.matches(pattern, key, false))) {
                    keys.add(key);
                }
            });
            if (slot + 1 >= Engine.SLOTS) {
                break;
            }
        }
        return keys;
    }

    /** A random live key, or null when there is none (RANDOMKEY). */
    public byte[] randomKey() {
        long now = clock.millis();
        // Bounded tries, as Redis bounds its own when most keys have expired.
        for (int attempt = 0; attempt < 100; attempt++) {
            int start = random.nextInt(Engine.SLOTS);
            int slot = engine.nextNonEmptySlot(start);
            if (slot < 0) {
                slot = engine.nextNonEmptySlot(0);
            }
            if (slot < 0) {
                return null;
            }
            long size = engine.sizeOfSlot(slot);
            if (size == 0) {
                continue;
            }
            long target = random.nextLong(size);
            byte[][] chosen = new byte[1][];
            Record[] chosenRecord = new Record[1];
            long[] index = {0};
            engine.forEachInSlot(slot, (key, record) -> {
                if (index[0]++ == target) {
                    chosen[0] = key;
                    chosenRecord[0] = record;
                }
            });
            if (chosen[0] != null && live.test(chosenRecord[0], now)) {
                return chosen[0];
            }
        }
        return null;
    }

}
