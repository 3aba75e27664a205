package io.ringkv.storage.sstable;

/**
 * A bounds-checked reader over a byte array region: the decoding counterpart of
 * {@link ByteSink}. Every overrun or malformed varint throws {@link IllegalArgumentException}; the
 * table reader turns that into a CorruptionException naming the block, so a damaged block can
 * never read outside itself or be returned as data.
 */
final class ByteSource {

    private final byte[] buf;
    private int pos;
    private final int limit;

    ByteSource(byte[] buf, int pos, int limit) {
        if (pos < 0 || limit > buf.length || pos > limit) {
            throw new IllegalArgumentException("bad region " + pos + ".." + limit + " of " + buf.length);
        }
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return limit - pos;
    }

    private void need(int n) {
        if (n < 0 || limit - pos < n) {
            throw new IllegalArgumentException("truncated: need " + n + " bytes at " + pos + ", limit " + limit);
        }
    }

    int readByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at " + pos);
    }

    /** A varint that must fit a non-negative int (a length or count). */
    int readLength() {
        long v = readVarint();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("length out of range: " + v);
        }
        return (int) v;
    }

    int readInt() {
        need(4);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    long readLong() {
        return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
    }

    byte[] readBytes(int n) {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    /** A varint length then that many bytes. */
    byte[] readBytes() {
        return readBytes(readLength());
    }

    void skip(int n) {
        need(n);
        pos += n;
    }
}
