package io.ringkv.storage.log;

import io.ringkv.storage.Entry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The commit log's bytes, in one place (docs/formats.md, "Commit log", is the byte-by-byte
 * description). A segment file is a header followed by records:
 * <pre>
 *   header   magic "RKLG" (4 bytes) + format version (4 bytes BE, 1)
 *   record   length  4 bytes BE: payload bytes
 *            crc     4 bytes BE: CRC32C over the 4 length bytes, then the payload
 *            payload keyLength (unsigned LEB128 varint, 1..5 bytes) + storage key + Entry.encode()
 * </pre>
 * The CRC covers the length too, so a length garbled by a torn write is caught by the CRC rather
 * than sending the reader off into the middle of another record with a plausible-looking size.
 */
final class LogFormat {

    static final int MAGIC = 0x524B4C47; // "RKLG"
    static final int VERSION = 1;
    static final int SEGMENT_HEADER_BYTES = 8;
    static final int RECORD_HEADER_BYTES = 8;
    /** The smallest valid payload: a 1-byte varint and an entry header (the key may be empty). */
    static final int MIN_PAYLOAD_BYTES = 1 + Entry.HEADER_BYTES;
    /**
     * The largest payload appended or accepted on replay. Redis's proto-max-bulk-len is 512 MB by
     * default, so a key and a value each at that limit fit; a length field above it is garbage.
     */
    static final int MAX_PAYLOAD_BYTES = 1 << 30;

    private LogFormat() {
    }

    static byte[] segmentHeader() {
        return ByteBuffer.allocate(SEGMENT_HEADER_BYTES).putInt(MAGIC).putInt(VERSION).array();
    }

    /** The whole record (header and payload) for one append. */
    static byte[] encodeRecord(byte[] storageKey, Entry entry) {
        long payload = (long) varintLength(storageKey.length) + storageKey.length + entry.encodedLength();
        if (payload > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("commit log record too large: " + payload + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate(RECORD_HEADER_BYTES + (int) payload);
        out.putInt((int) payload);
        out.putInt(0); // the CRC, filled in below once the payload is in place
        putVarint(out, storageKey.length);
        out.put(storageKey);
        entry.encodeTo(out);
        byte[] record = out.array();
        out.putInt(4, crc(record, 0, 4, record, RECORD_HEADER_BYTES, (int) payload));
        return record;
    }

    static int crc(byte[] lengthBytes, int lengthOffset, int lengthLength, byte[] payload, int payloadOffset,
            int payloadLength) {
        CRC32C crc = new CRC32C();
        crc.update(lengthBytes, lengthOffset, lengthLength);
        crc.update(payload, payloadOffset, payloadLength);
        return (int) crc.getValue();
    }

    /** One decoded payload; throws IllegalArgumentException when it does not parse. */
    record Decoded(byte[] storageKey, Entry entry) {
    }

    static Decoded decodePayload(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        int keyLength = getVarint(in);
        if (keyLength < 0 || keyLength > in.remaining() - Entry.HEADER_BYTES) {
            throw new IllegalArgumentException("bad key length " + keyLength);
        }
        byte[] key = new byte[keyLength];
        in.get(key);
        return new Decoded(key, Entry.decode(in, in.remaining()));
    }

    static int varintLength(int value) {
        int n = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    static void putVarint(ByteBuffer out, int value) {
        while ((value & ~0x7F) != 0) {
            out.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.put((byte) value);
    }

    static int getVarint(ByteBuffer in) {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (!in.hasRemaining()) {
                throw new IllegalArgumentException("truncated varint");
            }
            byte b = in.get();
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 5 bytes");
    }
}
