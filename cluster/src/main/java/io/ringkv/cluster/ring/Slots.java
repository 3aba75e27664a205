package io.ringkv.cluster.ring;

/**
 * Key to slot, exactly as Redis Cluster computes it: {@code CRC16(key) mod 16384}, where only the
 * part between the first '{' and the next '}' is hashed when that part is non-empty (a hash tag),
 * so that related keys can be forced into one slot. Cluster-aware clients compute the same value,
 * which is what lets them send a key straight to a node that holds it.
 */
public final class Slots {

    public static final int COUNT = 16384;

    /** CRC16-CCITT (XModem): polynomial 0x1021, initial value 0, as in Redis's crc16.c. */
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xFFFF;
        }
    }

    private Slots() {
    }

    public static int slot(byte[] key) {
        int start = 0;
        int end = key.length;
        int open = indexOf(key, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(key, (byte) '}', open + 1);
            if (close > open + 1) {
                start = open + 1;
                end = close;
            }
        }
        return crc16(key, start, end) & (COUNT - 1);
    }

    public static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
