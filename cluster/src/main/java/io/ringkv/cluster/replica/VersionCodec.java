package io.ringkv.cluster.replica;

import io.ringkv.cluster.codec.ByteWriting;
import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.storage.Record;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a key's siblings, as a replica stores them (the engine record's value) and as
 * nodes exchange them. docs/formats.md "Stored siblings" is the byte-level description:
 *
 * <pre>
 *   u8      format version (1)
 *   varint  version count n
 *   n times:
 *     varint  context length, then VectorClock.toBytes() of the version's context
 *     varint  dot node id length (1..255), then its UTF-8 bytes
 *     varint  dot counter (>= 1)
 *     varint  timestamp millis
 *     u8      flags: bit 0 tombstone, bit 1 has expiry
 *     [varint expiry millis]            when bit 1
 *     [varint value length, then value] unless bit 0
 * </pre>
 *
 * Decoding checks every length against what is left and throws IllegalArgumentException on any
 * malformed input, so bytes from the network or a client can never make it read out of bounds.
 */
public final class VersionCodec {

    static final int FORMAT_VERSION = 1;
    private static final int TOMBSTONE = 1;
    private static final int HAS_EXPIRY = 2;

    private VersionCodec() {
    }

    public static byte[] encode(Siblings<StoredValue> siblings) {
        int estimate = 2;
        for (Versioned<StoredValue> v : siblings.versions()) {
            StoredValue sv = v.value();
            estimate += 64 + v.context().size() * 56 + (sv.value() == null ? 0 : sv.value().length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimate);
        out.write(FORMAT_VERSION);
        ByteWriting.varint(out, siblings.size());
        for (Versioned<StoredValue> v : siblings.versions()) {
            byte[] context = v.context().toBytes();
            ByteWriting.varint(out, context.length);
            out.write(context, 0, context.length);
            byte[] node = v.dot().node().getBytes(StandardCharsets.UTF_8);
            ByteWriting.varint(out, node.length);
            out.write(node, 0, node.length);
            ByteWriting.varint(out, v.dot().counter());
            ByteWriting.varint(out, v.timestampMicros());
            StoredValue sv = v.value();
            boolean expiry = sv.expireAtMillis() != Record.NO_EXPIRY;
            out.write((sv.isTombstone() ? TOMBSTONE : 0) | (expiry ? HAS_EXPIRY : 0));
            if (expiry) {
                ByteWriting.varint(out, sv.expireAtMillis());
            }
            if (!sv.isTombstone()) {
                ByteWriting.varint(out, sv.value().length);
                out.write(sv.value(), 0, sv.value().length);
            }
        }
        return out.toByteArray();
    }

    public static Siblings<StoredValue> decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes), true);
    }

    /** Decodes from {@code in}'s position; with {@code whole}, trailing bytes are an error. */
    public static Siblings<StoredValue> decode(ByteBuffer in, boolean whole) {
        if (!in.hasRemaining() || (in.get() & 0xFF) != FORMAT_VERSION) {
            throw new IllegalArgumentException("siblings: unknown format");
        }
        long n = readVarint(in);
        if (n > in.remaining()) {
            throw new IllegalArgumentException("siblings: bad count " + n);
        }
        List<Versioned<StoredValue>> versions = new ArrayList<>((int) n);
        for (long i = 0; i < n; i++) {
            VectorClock context = VectorClock.fromBytes(readBytes(in, "context"));
            byte[] node = readBytes(in, "node id");
            if (node.length < 1 || node.length > VectorClock.MAX_NODE_ID_BYTES) {
                throw new IllegalArgumentException("siblings: bad node id length " + node.length);
            }
            long counter = readVarint(in);
            long timestamp = readVarint(in);
            if (counter < 1 || timestamp < 0 || !in.hasRemaining()) {
                throw new IllegalArgumentException("siblings: bad version header");
            }
            int flags = in.get() & 0xFF;
            if ((flags & ~(TOMBSTONE | HAS_EXPIRY)) != 0) {
                throw new IllegalArgumentException("siblings: unknown flags " + flags);
            }
            long expireAt = (flags & HAS_EXPIRY) != 0 ? readVarint(in) : Record.NO_EXPIRY;
            byte[] value = (flags & TOMBSTONE) != 0 ? null : readBytes(in, "value");
            versions.add(new Versioned<>(context, new Dot(new String(node, StandardCharsets.UTF_8), counter),
                new StoredValue(value, expireAt), timestamp));
        }
        if (whole && in.hasRemaining()) {
            throw new IllegalArgumentException("siblings: " + in.remaining() + " trailing bytes");
        }
        Siblings<StoredValue> s = Siblings.empty();
        for (Versioned<StoredValue> v : versions) {
            s = s.add(v);
        }
        return s;
    }

    private static byte[] readBytes(ByteBuffer in, String what) {
        long len = readVarint(in);
        if (len > in.remaining()) {
            throw new IllegalArgumentException("siblings: " + what + " length " + len + " past the end");
        }
        byte[] b = new byte[(int) len];
        in.get(b);
        return b;
    }


    static long readVarint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("siblings: truncated");
            }
            int b = in.get() & 0xFF;
            if (shift == 63 && b > 1) {
                throw new IllegalArgumentException("siblings: varint overflow");
            }
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (v < 0) {
                    throw new IllegalArgumentException("siblings: number out of range");
                }
                return v;
            }
        }
        throw new IllegalArgumentException("siblings: varint too long");
    }
}
