package io.ringkv.cluster.antientropy;

import io.ringkv.cluster.codec.ByteWriting;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The few primitives the anti-entropy messages are made of: unsigned LEB128 varints (as in
 * docs/formats.md), big-endian u64, length-checked reads. Every read checks what is left, so a
 * malformed message from the network is an IllegalArgumentException, never an out-of-bounds read.
 */
final class Wire {

    private Wire() {
    }


    static void writeU64(ByteArrayOutputStream out, long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
    }

    static long readVarint(ByteBuffer in, String what) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException(what + ": truncated");
            }
            int b = in.get() & 0xFF;
            if (shift == 63 && b > 1) {
                throw new IllegalArgumentException(what + ": varint overflows 64 bits");
            }
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException(what + ": varint overflows 64 bits");
    }

    /** A varint that must lie in [0, max]. */
    static int readVarint(ByteBuffer in, String what, int max) {
        long v = readVarint(in, what);
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(what + ": " + Long.toUnsignedString(v) + " exceeds " + max);
        }
        return (int) v;
    }

    static long readU64(ByteBuffer in, String what) {
        need(in, 8, what);
        return in.getLong();
    }

    static int readU8(ByteBuffer in, String what) {
        need(in, 1, what);
        return in.get() & 0xFF;
    }

    static void need(ByteBuffer in, long n, String what) {
        if (in.remaining() < n) {
            throw new IllegalArgumentException(what + ": truncated");
        }
    }

    static void expectEnd(ByteBuffer in, String what) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(what + ": " + in.remaining() + " trailing bytes");
        }
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }
}
