package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import io.ringkv.storage.Record;
import java.util.Arrays;

/**
 * Builds one data block: entries in key order, each key stored as the length of the prefix it
 * shares with the previous key plus the differing suffix. Every {@link #RESTART_INTERVAL}th key is
 * stored whole (a restart point) and the restart offsets are listed at the end of the block, so a
 * lookup binary-searches the restarts and decodes at most {@code RESTART_INTERVAL} keys (LevelDB's
 * block format; byte layout in docs/formats.md).
 */
final class BlockBuilder {

    /**
     * 16 like LevelDB: with 16-byte keys a restart costs ~4 bytes of offset plus the unshared
     * prefix, about 1% of a block of 100-byte values, and a point lookup decodes at most 16 keys.
     */
    static final int RESTART_INTERVAL = 16;

    static final int FLAG_TOMBSTONE = 1;
    static final int FLAG_EXPIRY = 2;

    private final ByteSink out;
    private final ByteSink restarts = new ByteSink(64);
    private int restartCount;
    private int sinceRestart;
    private byte[] lastKey = new byte[0];
    private int entries;

    BlockBuilder(int blockSize) {
        out = new ByteSink(blockSize + blockSize / 4);
    }

    boolean isEmpty() {
        return entries == 0;
    }

    /** The size the block would have if finished now. */
    int estimatedSize() {
        return out.size() + restarts.size() + 4;
    }

    byte[] lastKey() {
        return lastKey;
    }

    void add(byte[] key, Entry entry) {
        int shared = 0;
        if (sinceRestart == RESTART_INTERVAL || entries == 0) {
            restarts.writeInt(out.size());
            restartCount++;
            sinceRestart = 0;
        } else {
            int max = Math.min(lastKey.length, key.length);
            int mismatch = Arrays.mismatch(lastKey, 0, max, key, 0, max);
            shared = mismatch < 0 ? max : mismatch;
        }
        int bodyLength = bodyLength(entry);
        out.writeVarint(shared);
        out.writeVarint(key.length - shared);
        out.writeVarint(bodyLength);
        out.write(key, shared, key.length - shared);
        int before = out.size();
        writeBody(entry);
        assert out.size() - before == bodyLength;
        lastKey = key;
        sinceRestart++;
        entries++;
    }

    /**
     * The entry without Entry.encode()'s fixed 25-byte header: flags, then sequence and write
     * time as varints (a sequence is usually 3-5 bytes, a millisecond time 6) and the expiry only
     * when there is one. That is ~10 bytes instead of 25 per entry, 8% of a 16+100-byte entry.
     */
    private void writeBody(Entry e) {
        boolean expiry = e.expireAtMillis() != Record.NO_EXPIRY;
        out.write((e.tombstone() ? FLAG_TOMBSTONE : 0) | (expiry ? FLAG_EXPIRY : 0));
        out.writeVarint(e.sequence());
        out.writeVarint(e.writeTimeMillis());
        if (expiry) {
            out.writeVarint(e.expireAtMillis());
        }
        out.write(e.value());
    }

    private static int bodyLength(Entry e) {
        int n = 1 + varintLength(e.sequence()) + varintLength(e.writeTimeMillis());
        if (e.expireAtMillis() != Record.NO_EXPIRY) {
            n += varintLength(e.expireAtMillis());
        }
        return n + e.value().length;
    }

    static int varintLength(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Appends the restart array and returns the block's bytes (valid until {@link #reset()}). */
    ByteSink finish() {
        out.write(restarts.array(), 0, restarts.size());
        out.writeInt(restartCount);
        return out;
    }

    void reset() {
        out.reset();
        restarts.reset();
        restartCount = 0;
        sinceRestart = 0;
        entries = 0;
        lastKey = new byte[0];
    }
}
