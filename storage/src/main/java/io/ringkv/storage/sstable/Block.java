package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import java.util.Arrays;

/**
 * A decoded (uncompressed, checksum-verified) data block, immutable and shared through the
 * {@link BlockCache} by every thread. Cursors over it are cheap, per-thread objects.
 */
final class Block {

    private static final byte[] EMPTY = new byte[0];

    private final byte[] data;
    private final int restartsStart;
    private final int restartCount;

    /** Throws IllegalArgumentException when the restart array does not fit the block. */
    Block(byte[] data) {
        if (data.length < 4) {
            throw new IllegalArgumentException("block of " + data.length + " bytes has no restart count");
        }
        ByteSource tail = new ByteSource(data, data.length - 4, data.length);
        int count = tail.readInt();
        long start = data.length - 4 - 4L * count;
        if (count < 1 || start < 0) {
            throw new IllegalArgumentException("bad restart count " + count + " for a block of " + data.length + " bytes");
        }
        this.data = data;
        this.restartCount = count;
        this.restartsStart = (int) start;
    }

    int sizeBytes() {
        return data.length;
    }

    Cursor cursor() {
        return new Cursor();
    }

    private int restartOffset(int i) {
        int p = restartsStart + 4 * i;
        int off = ((data[p] & 0xFF) << 24) | ((data[p + 1] & 0xFF) << 16) | ((data[p + 2] & 0xFF) << 8) | (data[p + 3] & 0xFF);
        if (off < 0 || off >= restartsStart) {
            throw new IllegalArgumentException("restart offset " + off + " outside the block's entries");
        }
        return off;
    }

    /**
     * Positioned on one entry or invalid. Parsing checks every bound, so a malformed block throws
     * IllegalArgumentException instead of reading past its entries.
     */
    final class Cursor {
        private int next;            // offset of the entry after the current one
        private byte[] key = new byte[32];
        private int keyLength;
        private int bodyStart;
        private int bodyLength;
        private boolean valid;

        boolean valid() {
            return valid;
        }

        void seekToFirst() {
            next = restartOffset(0);
            keyLength = 0;
            advance();
        }

        /** Positions on the first entry with key >= target (invalid if none in this block). */
        void seek(byte[] target) {
            int lo = 0;
            int hi = restartCount - 1;
            // Last restart whose key is < target: every earlier entry is smaller still.
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                next = restartOffset(mid);
                keyLength = 0;
                advance();
                if (compareKey(target) < 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            next = restartOffset(lo);
            keyLength = 0;
            advance();
            while (valid && compareKey(target) < 0) {
                advance();
            }
        }

        /** Moves to the next entry; invalid past the last. */
        void advance() {
            if (next >= restartsStart) {
                valid = false;
                return;
            }
            ByteSource in = new ByteSource(data, next, restartsStart);
            int shared = in.readLength();
            int unshared = in.readLength();
            int body = in.readLength();
            if (shared > keyLength) {
                throw new IllegalArgumentException("entry shares " + shared + " bytes of a " + keyLength + "-byte key");
            }
            int keyStart = in.position();
            in.skip(unshared);
            bodyStart = in.position();
            in.skip(body);
            if (shared + unshared > key.length) {
                key = Arrays.copyOf(key, Math.max(key.length * 2, shared + unshared));
            }
            System.arraycopy(data, keyStart, key, shared, unshared);
            keyLength = shared + unshared;
            bodyLength = body;
            next = in.position();
            valid = true;
        }

        /** Unsigned comparison of the current key with {@code other}. */
        int compareKey(byte[] other) {
            return Arrays.compareUnsigned(key, 0, keyLength, other, 0, other.length);
        }

        byte[] key() {
            return Arrays.copyOf(key, keyLength);
        }

        Entry entry() {
            ByteSource in = new ByteSource(data, bodyStart, bodyStart + bodyLength);
            int flags = in.readByte();
            if ((flags & ~(BlockBuilder.FLAG_TOMBSTONE | BlockBuilder.FLAG_EXPIRY)) != 0) {
                throw new IllegalArgumentException("unknown entry flags " + flags);
            }
            long sequence = in.readVarint();
            long writeTime = in.readVarint();
            long expireAt = (flags & BlockBuilder.FLAG_EXPIRY) != 0 ? in.readVarint() : io.ringkv.storage.Record.NO_EXPIRY;
            boolean tombstone = (flags & BlockBuilder.FLAG_TOMBSTONE) != 0;
            byte[] value = in.remaining() == 0 ? EMPTY : in.readBytes(in.remaining());
            return new Entry(tombstone, sequence, writeTime, expireAt, value);
        }
    }
}
