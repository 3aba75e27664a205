package io.ringkv.storage;

import java.nio.ByteBuffer;

/**
 * One version of one key as the log-structured engine stores it: in the commit log, in a
 * memtable, in an SSTable. Either a value (with its expiry) or a tombstone.
 *
 * <p>{@code sequence} is the engine-wide write number: every write gets the next one, so among
 * several entries for the same key (memtable and several SSTables) the highest sequence is the
 * current one. {@code writeTimeMillis} is when the write happened, by the engine's injected
 * clock: compaction keeps a tombstone for {@code tombstone-grace} after it, so that the cluster's
 * anti-entropy (which needs to see deletes) cannot resurrect the key.
 *
 * <p>Encoded form (little-endian is not used anywhere; all integers big-endian), see
 * docs/formats.md:
 * <pre>
 *   kind           1 byte   0 = value, 1 = tombstone
 *   sequence       8 bytes
 *   writeTime      8 bytes  Unix ms
 *   expireAt       8 bytes  Unix ms, or -1 (values only; -1 for tombstones)
 *   value          rest     (values only; empty for tombstones)
 * </pre>
 */
public record Entry(boolean tombstone, long sequence, long writeTimeMillis, long expireAtMillis, byte[] value) {

    public static final int HEADER_BYTES = 1 + 8 + 8 + 8;
    private static final byte[] EMPTY = new byte[0];

    public static Entry value(long sequence, long writeTimeMillis, Record record) {
        return new Entry(false, sequence, writeTimeMillis, record.expireAtMillis(), record.value());
    }

    public static Entry tombstone(long sequence, long writeTimeMillis) {
        return new Entry(true, sequence, writeTimeMillis, Record.NO_EXPIRY, EMPTY);
    }

    /** The record this entry holds, or null for a tombstone. */
    public Record record() {
        return tombstone ? null : new Record(value, expireAtMillis);
    }

    public int encodedLength() {
        return HEADER_BYTES + value.length;
    }

    public void encodeTo(ByteBuffer out) {
        out.put((byte) (tombstone ? 1 : 0));
        out.putLong(sequence);
        out.putLong(writeTimeMillis);
        out.putLong(expireAtMillis);
        out.put(value);
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedLength());
        encodeTo(out);
        return out.array();
    }

    /** Decodes the {@code length} bytes at {@code in}'s position; throws on a malformed entry. */
    public static Entry decode(ByteBuffer in, int length) {
        if (length < HEADER_BYTES) {
            throw new IllegalArgumentException("entry too short: " + length + " bytes");
        }
        byte kind = in.get();
        if (kind != 0 && kind != 1) {
            throw new IllegalArgumentException("unknown entry kind " + kind);
        }
        long sequence = in.getLong();
        long writeTime = in.getLong();
        long expireAt = in.getLong();
        byte[] value = new byte[length - HEADER_BYTES];
        in.get(value);
        return new Entry(kind == 1, sequence, writeTime, expireAt, value);
    }

    public static Entry decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes), bytes.length);
    }
}
