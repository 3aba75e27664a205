package io.ringkv.cluster.antientropy;

import net.openhft.hashing.LongHashFunction;

/**
 * The hashes a Merkle tree is made of, all seeded xxHash64 (zero-allocation-hashing).
 *
 * A key's sub-bucket is the top bits of its key hash. The key hash covers the WHOLE key, never
 * only its {hash tag}: the slot (CRC16) already honours the tag, so keys sharing a tag all fall in
 * one slot, and hashing the tag again would put them all in one sub-bucket too.
 *
 * An entry's hash mixes the key hash and the value hash: {@code hashLong(kh * GOLDEN ^ vh)}.
 * Multiplying by an odd constant is a bijection, so two entries with the same key and different
 * values, or different keys and the same value, feed different inputs to the final mix; hashing
 * key and value separately also avoids the ambiguity of hashing their concatenation ("ab"+"c"
 * against "a"+"bc"). A leaf sums its entries' hashes (see MerkleTree for why a sum and not XOR).
 *
 * The seed is part of the tree's shape fingerprint, so two nodes with different seeds refuse to
 * compare instead of reporting every leaf as divergent. A cluster could derive it from
 * cluster-secret to make crafted collisions impractical; a fixed default is fine otherwise.
 */
public final class EntryHasher {

    public static final long DEFAULT_SEED = 0x52494E474B564145L; // "RINGKVAE" in ASCII

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final LongHashFunction xx;

    public EntryHasher(long seed) {
        this.seed = seed;
        this.xx = LongHashFunction.xx(seed);
    }

    public long seed() {
        return seed;
    }

    public long keyHash(byte[] key) {
        return xx.hashBytes(key);
    }

    /** The hash a leaf adds for this key holding these encoded siblings (VersionCodec bytes). */
    public long entryHash(byte[] key, byte[] valueBytes) {
        return entryHashFromKeyHash(keyHash(key), valueBytes);
    }

    long entryHashFromKeyHash(long keyHash, byte[] valueBytes) {
        return xx.hashLong(keyHash * GOLDEN ^ xx.hashBytes(valueBytes));
    }

    /** The hash of an inner node: its children's hashes, or 0 when every child is empty. */
    long innerHash(long[] children, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (children[i] != 0) {
                return xx.hashLongs(children, from, count);
            }
        }
        return 0;
    }

    long hashInts(int[] values) {
        return xx.hashInts(values);
    }

    long hashLongs(long[] values) {
        return xx.hashLongs(values);
    }
}
