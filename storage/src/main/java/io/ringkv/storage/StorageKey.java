package io.ringkv.storage;

import java.util.Arrays;

/**
 * The byte form of a key inside the log-structured engine: the slot as two big-endian bytes,
 * then the key's bytes. Comparing these arrays as unsigned bytes orders entries by (slot, key),
 * so one slot is one contiguous range (DESIGN.md): scanning a slot, counting its keys and
 * building its Merkle leaf are range scans from {@code [slot]} to {@code [slot + 1]}.
 */
public final class StorageKey {

    private StorageKey() {
    }

    public static byte[] encode(int slot, byte[] key) {
        byte[] out = new byte[key.length + 2];
        out[0] = (byte) (slot >>> 8);
        out[1] = (byte) slot;
        System.arraycopy(key, 0, out, 2, key.length);
        return out;
    }

    public static int slot(byte[] storageKey) {
        return ((storageKey[0] & 0xFF) << 8) | (storageKey[1] & 0xFF);
    }

    /** The user key, without the slot prefix. */
    public static byte[] userKey(byte[] storageKey) {
        return Arrays.copyOfRange(storageKey, 2, storageKey.length);
    }

    /** The smallest storage key of {@code slot} (a bound for range scans). */
    public static byte[] slotStart(int slot) {
        return new byte[] {(byte) (slot >>> 8), (byte) slot};
    }

    /** Unsigned lexicographic order: the engine's one key order. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
