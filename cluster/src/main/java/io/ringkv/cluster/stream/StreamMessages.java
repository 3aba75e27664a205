package io.ringkv.cluster.stream;

import io.ringkv.cluster.codec.ByteWriting;
import io.ringkv.cluster.ring.Slots;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payloads of slot streaming (docs/formats.md "Streaming"). Integers big-endian, "bytes" a
 * varint length then the bytes:
 *
 * <pre>
 *   STREAM_READ request:  u16 slot, u8 has-cursor, [bytes cursor key], varint max bytes
 *   STREAM_READ reply:    u8 more, page
 *   STREAM_WRITE request: u16 slot, page          reply: nothing, once merged
 *   page:                 varint count, count x (bytes key, bytes siblings)
 * </pre>
 *
 * A read answers the slot's records whose keys sort after the cursor (unsigned byte order), in
 * key order, up to about max bytes (at least one record); {@code more} says whether records
 * remain after the last one. "siblings" is a replica's stored bytes (VersionCodec), merged as
 * they are by the receiving replica, tombstones included.
 */
public final class StreamMessages {

    /** A record's key and its stored siblings. */
    public record Entry(byte[] key, byte[] siblings) {
        public int bytes() {
            return key.length + siblings.length;
        }
    }

    public record ReadRequest(int slot, byte[] after, int maxBytes) {
    }

    public record Page(int slot, List<Entry> entries, boolean more) {
        public long bytes() {
            long b = 0;
            for (Entry e : entries) {
                b += e.bytes();
            }
            return b;
        }
    }

    /** Largest page a reader may ask for; bounds what one reply makes the source hold. */
    public static final int MAX_PAGE_BYTES = 8 << 20;
    /** Keys and values are at most 512 MB (proto-max-bulk-len); bounds a malformed length. */
    private static final long MAX_FIELD_BYTES = 1L << 30;

    private StreamMessages() {
    }

    public static byte[] readRequest(int slot, byte[] after, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + (after == null ? 0 : after.length));
        ByteWriting.u16(out, slot);
        out.write(after == null ? 0 : 1);
        if (after != null) {
            bytes(out, after);
        }
        ByteWriting.varint(out, maxBytes);
        return out.toByteArray();
    }

    public static ReadRequest readRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        int slot = slot(in);
        int flag = u8(in);
        if (flag > 1) {
            throw new IllegalArgumentException("bad cursor flag " + flag);
        }
        byte[] after = flag == 1 ? bytes(in) : null;
        long max = varint(in);
        if (max < 1 || max > MAX_PAGE_BYTES) {
            throw new IllegalArgumentException("page size out of range: " + max);
        }
        end(in);
        return new ReadRequest(slot, after, (int) max);
    }

    public static byte[] readReply(Page page) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, page.bytes() + 16));
        out.write(page.more() ? 1 : 0);
        entries(out, page.entries());
        return out.toByteArray();
    }

    public static Page readReply(int slot, byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        int more = u8(in);
        if (more > 1) {
            throw new IllegalArgumentException("bad more flag " + more);
        }
        List<Entry> entries = entries(in);
        end(in);
        return new Page(slot, entries, more == 1);
    }

    public static byte[] writeRequest(Page page) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, page.bytes() + 16));
        ByteWriting.u16(out, page.slot());
        entries(out, page.entries());
        return out.toByteArray();
    }

    public static Page writeRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        int slot = slot(in);
        List<Entry> entries = entries(in);
        end(in);
        return new Page(slot, entries, false);
    }

    // ---- helpers ----

    private static void entries(ByteArrayOutputStream out, List<Entry> entries) {
        ByteWriting.varint(out, entries.size());
        for (Entry e : entries) {
            bytes(out, e.key());
            bytes(out, e.siblings());
        }
    }

    private static List<Entry> entries(ByteBuffer in) {
        long count = varint(in);
        // Each entry takes at least two bytes (two empty lengths).
        if (count > in.remaining() / 2) {
            throw new IllegalArgumentException("entry count " + count + " impossible in " + in.remaining() + " bytes");
        }
        List<Entry> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            out.add(new Entry(bytes(in), bytes(in)));
        }
        return out;
    }

    private static void bytes(ByteArrayOutputStream out, byte[] b) {
        ByteWriting.varint(out, b.length);
        out.write(b, 0, b.length);
    }

    private static byte[] bytes(ByteBuffer in) {
        long n = varint(in);
        if (n > MAX_FIELD_BYTES || n > in.remaining()) {
            throw new IllegalArgumentException("field of " + n + " bytes with " + in.remaining() + " left");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private static int slot(ByteBuffer in) {
        if (in.remaining() < 2) {
            throw new IllegalArgumentException("truncated slot");
        }
        int slot = in.getShort() & 0xFFFF;
        if (slot >= Slots.COUNT) {
            throw new IllegalArgumentException("slot out of range: " + slot);
        }
        return slot;
    }

    private static int u8(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("truncated");
        }
        return in.get() & 0xFF;
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = u8(in);
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static void end(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes");
        }
    }
}
