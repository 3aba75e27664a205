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
 *   STREAM_READ request:  varint max bytes, varint count, count x (u16 slot, u8 has-cursor, [bytes cursor key])
 *   STREAM_READ reply:    varint count, count x page
 *   STREAM_WRITE request: varint count, count x page     reply: nothing, once merged and durable
 *   page:                 u16 slot, u8 more, varint n, n x (bytes key, bytes siblings)
 * </pre>
 *
 * A read asks for several slots at once (a round trip per slot would dominate a join: most
 * slots hold a few records). For each slot, in the order asked, the source answers the records
 * whose keys sort after the slot's cursor (unsigned byte order), in key order; it stops when
 * about max bytes are in the reply (the first page always has at least one record if the slot
 * has any), so the reply may cover only the first slots asked; {@code more} says whether
 * records remain in that slot after its last one. "siblings" is a replica's stored bytes
 * (VersionCodec), merged as they are by the receiving replica, tombstones included.
 */
public final class StreamMessages {

    /** A record's key and its stored siblings. */
    public record Entry(byte[] key, byte[] siblings) {
        public int bytes() {
            return key.length + siblings.length;
        }
    }

    /** A slot to read, from after {@code after} (null: from its first key). */
    public record SlotCursor(int slot, byte[] after) {
    }

    public record ReadRequest(List<SlotCursor> slots, int maxBytes) {
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

    /** Largest reply a reader may ask for; bounds what one reply makes the source hold. */
    public static final int MAX_PAGE_BYTES = 8 << 20;
    /** Most slots one request may name. */
    public static final int MAX_SLOTS = Slots.COUNT;
    /** Keys and values are at most 512 MB (proto-max-bulk-len); bounds a malformed length. */
    private static final long MAX_FIELD_BYTES = 1L << 30;

    private StreamMessages() {
    }

    public static byte[] readRequest(List<SlotCursor> slots, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + slots.size() * 4);
        ByteWriting.varint(out, maxBytes);
        ByteWriting.varint(out, slots.size());
        for (SlotCursor c : slots) {
            ByteWriting.u16(out, c.slot());
            out.write(c.after() == null ? 0 : 1);
            if (c.after() != null) {
                bytes(out, c.after());
            }
        }
        return out.toByteArray();
    }

    public static ReadRequest readRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        long max = varint(in);
        if (max < 1 || max > MAX_PAGE_BYTES) {
            throw new IllegalArgumentException("page size out of range: " + max);
        }
        long count = varint(in);
        if (count < 1 || count > MAX_SLOTS || count * 3 > in.remaining()) {
            throw new IllegalArgumentException("slot count " + count + " impossible in " + in.remaining() + " bytes");
        }
        List<SlotCursor> slots = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            int slot = slot(in);
            int flag = u8(in);
            if (flag > 1) {
                throw new IllegalArgumentException("bad cursor flag " + flag);
            }
            slots.add(new SlotCursor(slot, flag == 1 ? bytes(in) : null));
        }
        end(in);
        return new ReadRequest(slots, (int) max);
    }

    /** A read reply, or a write request: pages. */
    public static byte[] pages(List<Page> pages) {
        long size = 8;
        for (Page p : pages) {
            size += p.bytes() + 8 + 4L * p.entries().size();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 64, size));
        ByteWriting.varint(out, pages.size());
        for (Page p : pages) {
            ByteWriting.u16(out, p.slot());
            out.write(p.more() ? 1 : 0);
            ByteWriting.varint(out, p.entries().size());
            for (Entry e : p.entries()) {
                bytes(out, e.key());
                bytes(out, e.siblings());
            }
        }
        return out.toByteArray();
    }

    public static List<Page> pages(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        long count = varint(in);
        // A page takes at least four bytes.
        if (count > MAX_SLOTS || count * 4 > in.remaining()) {
            throw new IllegalArgumentException("page count " + count + " impossible in " + in.remaining() + " bytes");
        }
        List<Page> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            int slot = slot(in);
            int more = u8(in);
            if (more > 1) {
                throw new IllegalArgumentException("bad more flag " + more);
            }
            out.add(new Page(slot, entries(in), more == 1));
        }
        end(in);
        return out;
    }

    // ---- helpers ----

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
