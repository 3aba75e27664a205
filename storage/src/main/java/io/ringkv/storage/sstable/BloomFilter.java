package io.ringkv.storage.sstable;

import net.openhft.hashing.LongHashFunction;

/**
 * A Bloom filter over a table's keys, so a point read of a key the table does not hold (the
 * common case for all but one table) costs no disk read about 99% of the time at 10 bits per key.
 *
 * <p>One xxHash64 per key; the k probe positions come from its two 32-bit halves by double
 * hashing, {@code h1 + i * h2} (Kirsch and Mitzenmacher: as good as k independent hashes for a
 * filter's false-positive rate, at the cost of one). k = round(bitsPerKey * ln 2), the optimum.
 * Immutable once built; safe to share between threads.
 */
public final class BloomFilter {

    /** Past 64 bits per key the false-positive rate is already below 1e-13. */
    public static final int MAX_BITS_PER_KEY = 64;
    static final int MAX_HASHES = 30;

    private static final LongHashFunction XX = LongHashFunction.xx();

    private final long[] words;
    private final long bitCount;
    private final int hashCount;

    private BloomFilter(long[] words, int hashCount) {
        this.words = words;
        this.bitCount = (long) words.length * 64;
        this.hashCount = hashCount;
    }

    /** The key hash the filter is built from (xxHash64, seed 0). */
    public static long hash(byte[] key) {
        return XX.hashBytes(key);
    }

    /**
     * An empty filter sized for {@code expectedKeys}; keys go in with {@link #addHash}. Lets a
     * writer that knows its key count (or a bound on it) fill the filter as it goes instead of
     * holding every key's hash until the end, which for a compaction of ten million keys was a
     * 128 MB array (and a 64 MB copy each time it grew) on a 512 MB heap.
     */
    public static BloomFilter sizedFor(long expectedKeys, int bitsPerKey) {
        return build(new long[0], 0, bitsPerKey, Math.max(0, expectedKeys));
    }

    /** Adds the key whose {@link #hash} is {@code h}. */
    public void addHash(long h) {
        add(h);
    }

    /** A filter holding the keys whose {@link #hash}es are {@code hashes[0..count)}. */
    public static BloomFilter build(long[] hashes, int count, int bitsPerKey) {
        return build(hashes, count, bitsPerKey, count);
    }

    private static BloomFilter build(long[] hashes, int count, int bitsPerKey, long sizedForKeys) {
        if (bitsPerKey < 1 || bitsPerKey > MAX_BITS_PER_KEY) {
            throw new IllegalArgumentException("bitsPerKey must be in 1.." + MAX_BITS_PER_KEY + ": " + bitsPerKey);
        }
        // At least 64 bits so a tiny table does not get a filter that is all ones; capped so the
        // probe arithmetic stays in ints (2^31 bits = 200M keys at 10 bits a key).
        long bits = Math.max(64, sizedForKeys * bitsPerKey);
        bits = Math.min(bits, 1L << 31);
        long[] words = new long[(int) ((bits + 63) / 64)];
        int k = Math.max(1, Math.min(MAX_HASHES, (int) Math.round(bitsPerKey * 0.69)));
        BloomFilter filter = new BloomFilter(words, k);
        for (int i = 0; i < count; i++) {
            filter.add(hashes[i]);
        }
        return filter;
    }

    private void add(long h) {
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        for (int i = 1; i <= hashCount; i++) {
            int combined = h1 + i * h2;
            long bit = (combined & 0x7FFFFFFFL) % bitCount;
            words[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    public boolean mightContain(byte[] key) {
        return mightContainHash(hash(key));
    }

    public boolean mightContainHash(long h) {
        int h1 = (int) h;
        int h2 = (int) (h >>> 32);
        for (int i = 1; i <= hashCount; i++) {
            int combined = h1 + i * h2;
            long bit = (combined & 0x7FFFFFFFL) % bitCount;
            if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    public int hashCount() {
        return hashCount;
    }

    public long bitCount() {
        return bitCount;
    }

    /** hash count (1 byte), then the bit array as big-endian 64-bit words. */
    byte[] toBytes() {
        ByteSink out = new ByteSink(1 + words.length * 8);
        out.write(hashCount);
        for (long w : words) {
            out.writeLong(w);
        }
        return out.toByteArray();
    }

    /** Throws IllegalArgumentException for bytes {@link #toBytes()} cannot have produced. */
    static BloomFilter fromBytes(byte[] bytes) {
        ByteSource in = new ByteSource(bytes, 0, bytes.length);
        int k = in.readByte();
        if (k < 1 || k > MAX_HASHES || in.remaining() == 0 || in.remaining() % 8 != 0) {
            throw new IllegalArgumentException("bad bloom filter: " + k + " hashes, " + in.remaining() + " bytes of bits");
        }
        long[] words = new long[in.remaining() / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = in.readLong();
        }
        return new BloomFilter(words, k);
    }

    @Override
    public String toString() {
        return "BloomFilter[" + bitCount + " bits, " + hashCount + " hashes]";
    }
}
