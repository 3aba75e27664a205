package io.ringkv.cluster.antientropy;

import io.ringkv.cluster.codec.ByteWriting;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The hashes of the nodes a {@link HashRequest} named, in the request's order, with the
 * responder's shape fingerprint. A responder whose shape differs sends its fingerprint and no
 * hashes, and the asker stops: comparing trees over different slot sets would flag everything.
 *
 * Empty subtrees hash to 0, and most nodes are empty where keys are sparse (100,000 keys over
 * 16384 slots x 16 sub-buckets leave ~97% of leaves empty), so zeros cost one bit:
 *
 * <pre>
 *   u64     responder's shape fingerprint
 *   u8      level (as requested)
 *   varint  node count n (as requested, or 0 on a shape mismatch)
 *   ceil(n/8) bytes: bit (i mod 8) of byte (i / 8) is set when hash i is not 0
 *   u64     each non-zero hash, in order
 * </pre>
 */
public record HashResponse(long shape, int level, long[] hashes) {

    public HashResponse {
        if (level < 0 || level > HashRequest.MAX_LEVEL || hashes.length > HashRequest.MAX_NODES) {
            throw new IllegalArgumentException("level " + level + ", " + hashes.length + " hashes");
        }
    }

    public byte[] encode() {
        int nonZero = 0;
        for (long h : hashes) {
            if (h != 0) {
                nonZero++;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + 1 + 3 + (hashes.length + 7) / 8 + 8 * nonZero);
        Wire.writeU64(out, shape);
        out.write(level);
        ByteWriting.varint(out, hashes.length);
        for (int byteIndex = 0; byteIndex < (hashes.length + 7) / 8; byteIndex++) {
            int bits = 0;
            for (int bit = 0; bit < 8 && byteIndex * 8 + bit < hashes.length; bit++) {
                if (hashes[byteIndex * 8 + bit] != 0) {
                    bits |= 1 << bit;
                }
            }
            out.write(bits);
        }
        for (long h : hashes) {
            if (h != 0) {
                Wire.writeU64(out, h);
            }
        }
        return out.toByteArray();
    }

    public static HashResponse decode(byte[] bytes) {
        String what = "hash response";
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long shape = Wire.readU64(in, what);
        int level = Wire.readU8(in, what);
        int n = Wire.readVarint(in, what, HashRequest.MAX_NODES);
        int bitmapBytes = (n + 7) / 8;
        Wire.need(in, bitmapBytes, what);
        byte[] bitmap = new byte[bitmapBytes];
        in.get(bitmap);
        if (n % 8 != 0 && (bitmap[bitmapBytes - 1] & 0xFF) >>> (n % 8) != 0) {
            throw new IllegalArgumentException(what + ": bits set past the last node");
        }
        long[] hashes = new long[n];
        for (int i = 0; i < n; i++) {
            if ((bitmap[i >>> 3] & (1 << (i & 7))) != 0) {
                hashes[i] = Wire.readU64(in, what);
                if (hashes[i] == 0) {
                    throw new IllegalArgumentException(what + ": a hash marked non-zero is 0");
                }
            }
        }
        Wire.expectEnd(in, what);
        return new HashResponse(shape, level, hashes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashResponse r && r.shape == shape && r.level == level && Arrays.equals(r.hashes, hashes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(shape) * 31 * 31 + level * 31 + Arrays.hashCode(hashes);
    }

    @Override
    public String toString() {
        return "HashResponse[level=" + level + ", nodes=" + hashes.length + "]";
    }
}
