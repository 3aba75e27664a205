package io.ringkv.bench;

import java.util.SplittableRandom;

/**
 * Keys and values of the workloads. Key i is unique for every i (its first 8 bytes are a
 * bijective scramble of i), so keys [0, N) are the filled ones and [N, 2N) are sure misses; the
 * scramble spreads consecutive i over the key space and over the slots, as hashed Redis keys are.
 *
 * <p>Values come from db_bench's recipe: a buffer of fragments each made of random printable
 * bytes repeated so that a compressor removes about {@code compressibility} of them, read at
 * random offsets. Fully random values would make LZ4 useless and all-equal ones would flatter it.
 */
final class Keys {

    private static final int BUFFER_BYTES = 1 << 20;

    private final int keySize;
    private final int valueSize;
    private final byte[] data;

    Keys(int keySize, int valueSize, double compressibility, long seed) {
        this.keySize = keySize;
        this.valueSize = valueSize;
        SplittableRandom rnd = new SplittableRandom(seed);
        int fragment = Math.max(valueSize, 1);
        int raw = Math.max(1, (int) Math.round(fragment * (1 - compressibility)));
        data = new byte[BUFFER_BYTES + fragment];
        for (int pos = 0; pos < data.length; pos += fragment) {
            byte[] piece = new byte[raw];
            for (int j = 0; j < raw; j++) {
                piece[j] = (byte) (' ' + rnd.nextInt(95));
            }
            for (int j = 0; j < fragment && pos + j < data.length; j++) {
                data[pos + j] = piece[j % raw];
            }
        }
    }

    /** splitmix64's finaliser: a bijection on longs. */
    static long scramble(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    byte[] key(long i) {
        byte[] k = new byte[keySize];
        long h = scramble(i);
        for (int j = 0; j < 8; j++) {
            k[j] = (byte) (h >>> (56 - 8 * j));
        }
        for (int j = 8; j < keySize; j++) {
            k[j] = j < 16 ? (byte) (i >>> (8 * (15 - j))) : (byte) 'k';
        }
        return k;
    }

    /**
     * A stable hash of the key's bytes, mod 16384. Not CRC16 (that lives in the cluster module and
     * the engine does not care): the engine only needs the same slot for the same key every time.
     */
    static int slot(byte[] key) {
        int h = 0x9E3779B9;
        for (byte b : key) {
            h = h * 31 + b;
        }
        h ^= h >>> 16;
        return h & 16383;
    }

    /** A fresh array per write, as a server would hand over (ringkv's memtable keeps it). */
    byte[] value(SplittableRandom rnd) {
        byte[] v = new byte[valueSize];
        System.arraycopy(data, rnd.nextInt(BUFFER_BYTES), v, 0, valueSize);
        return v;
    }

    int keySize() {
        return keySize;
    }

    int valueSize() {
        return valueSize;
    }
}
