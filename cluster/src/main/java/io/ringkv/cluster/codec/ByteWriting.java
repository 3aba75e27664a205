package io.ringkv.cluster.codec;

import java.io.ByteArrayOutputStream;

/**
 * The integer encodings every cluster format shares (version vectors, stored siblings, replica
 * requests, gossip digests, anti-entropy messages): unsigned LEB128 varints and big-endian
 * fixed-width integers. Readers stay with each format, because each reports its own errors.
 */
public final class ByteWriting {

    private ByteWriting() {
    }

    /** Unsigned LEB128: 7 bits per byte, low group first, at most 10 bytes. */
    public static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** Big-endian 16 bits. */
    public static void u16(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }
}
