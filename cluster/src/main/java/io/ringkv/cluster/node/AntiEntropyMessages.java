package io.ringkv.cluster.node;

import io.ringkv.cluster.codec.ByteWriting;
import io.ringkv.cluster.antientropy.HashRequest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * The payloads of the anti-entropy requests ({@link Messages#AE_HASHES}, {@link Messages#AE_DIGESTS},
 * {@link Messages#AE_READ}); docs/antientropy.md "Transport requests" has the bytes. Integers are
 * big-endian; "bytes" is a varint length and then the bytes.
 *
 * <pre>
 *   tree:       u64 exchange id, u16 sub-buckets, u16 fan-out, u32 n, n bytes: the shared slots (RoaringBitmap portable format)
 *   AE_HASHES   tree, HashRequest              -> HashResponse
 *   AE_DIGESTS  tree, HashRequest at the leaf level (the leaves) -> KeyDigests
 *   AE_READ     varint n, n times (u16 slot, bytes key) -> varint m, m times bytes siblings (empty: none)
 *               of the first m <= n keys (fewer past MAX_READ_REPLY_BYTES)
 * </pre>
 *
 * Every request names the whole tree it expects, so the answering node keeps no session: it
 * builds (or finds in a short-lived cache) its tree over the same slots and answers.
 */
public final class AntiEntropyMessages {

    /** Keys per {@link Messages#AE_READ}: bounds one reply to this many keys' siblings. */
    public static final int MAX_READ_KEYS = 1024;
    /**
     * An AE_READ reply stops adding keys once it holds this many bytes of siblings (it always has
     * at least one): it answers a prefix of the keys asked, and the asker asks for the rest.
     */
    public static final int MAX_READ_REPLY_BYTES = 16 * 1024 * 1024;

    private AntiEntropyMessages() {
    }

    /** The tree a request names, and the request that follows it. */
    public record TreeRequest(long exchangeId, RoaringBitmap slots, int subBuckets, int fanOut, HashRequest request) {
    }

    /**
     * @param exchangeId names one exchange (one pass): the answering node builds one tree per
     *                   exchange, so a new pass never sees a tree built before the last repair
     */
    public static byte[] treeRequest(long exchangeId, RoaringBitmap slots, int subBuckets, int fanOut,
                                     HashRequest request) {
        RoaringBitmap copy = slots.clone();
        copy.runOptimize();
        ByteBuffer bitmap = ByteBuffer.allocate(copy.serializedSizeInBytes());
        copy.serialize(bitmap);
        byte[] req = request.encode();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + bitmap.capacity() + req.length);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (exchangeId >>> shift));
        }
        ByteWriting.u16(out, subBuckets);
        ByteWriting.u16(out, fanOut);
        int n = bitmap.capacity();
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.write(bitmap.array(), 0, n);
        out.write(req, 0, req.length);
        return out.toByteArray();
    }

    public static TreeRequest treeRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        if (in.remaining() < 16) {
            throw new IllegalArgumentException("tree request: truncated");
        }
        long exchangeId = in.getLong();
        int subBuckets = in.getShort() & 0xFFFF;
        int fanOut = in.getShort() & 0xFFFF;
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("tree request: slot set length " + n + " past the end");
        }
        RoaringBitmap slots = new RoaringBitmap();
        try {
            slots.deserialize(new DataInputStream(new java.io.ByteArrayInputStream(payload, in.position(), n)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("tree request: bad slot set: " + e.getMessage());
        }
        if (!slots.isEmpty() && (slots.last() & 0xFFFFFFFFL) >= 16384) {
            throw new IllegalArgumentException("tree request: slot out of range");
        }
        in.position(in.position() + n);
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        return new TreeRequest(exchangeId, slots, subBuckets, fanOut, HashRequest.decode(rest));
    }

    /** A key of an {@link Messages#AE_READ}. */
    public record SlotKey(int slot, byte[] key) {
    }

    public static byte[] readRequest(List<SlotKey> keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(keys.size() * 24 + 4);
        ByteWriting.varint(out, keys.size());
        for (SlotKey k : keys) {
            ByteWriting.u16(out, k.slot());
            writeBytes(out, k.key());
        }
        return out.toByteArray();
    }

    public static List<SlotKey> readRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        int n = (int) readVarint(in, MAX_READ_KEYS);
        List<SlotKey> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (in.remaining() < 2) {
                throw new IllegalArgumentException("read request: truncated");
            }
            int slot = in.getShort() & 0xFFFF;
            if (slot >= 16384) {
                throw new IllegalArgumentException("read request: bad slot " + slot);
            }
            keys.add(new SlotKey(slot, readBytes(in)));
        }
        expectEnd(in);
        return keys;
    }

    public static byte[] readReply(List<byte[]> siblings) {
        int size = 4;
        for (byte[] s : siblings) {
            size += s.length + 4;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        ByteWriting.varint(out, siblings.size());
        for (byte[] s : siblings) {
            writeBytes(out, s);
        }
        return out.toByteArray();
    }

    public static List<byte[]> readReply(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        int n = (int) readVarint(in, MAX_READ_KEYS);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(readBytes(in));
        }
        expectEnd(in);
        return out;
    }



    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        ByteWriting.varint(out, b.length);
        out.write(b, 0, b.length);
    }

    private static long readVarint(ByteBuffer in, long max) {
        long v = 0;
        int shift = 0;
        while (true) {
            if (!in.hasRemaining() || shift > 35) {
                throw new IllegalArgumentException("bad varint");
            }
            int b = in.get() & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        if (v > max) {
            throw new IllegalArgumentException("count " + v + " over " + max);
        }
        return v;
    }

    private static byte[] readBytes(ByteBuffer in) {
        long len = readVarint(in, Integer.MAX_VALUE);
        if (len > in.remaining()) {
            throw new IllegalArgumentException("length " + len + " past the end");
        }
        byte[] out = new byte[(int) len];
        in.get(out);
        return out;
    }

    private static void expectEnd(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
    }
}
