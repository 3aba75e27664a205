package io.ringkv.storage.sstable;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the SSTable file format shared by writer and reader (byte layout in
 * docs/formats.md, section "SSTable").
 *
 * <pre>
 *   data block 0 | trailer      each block: stored bytes, then a 5-byte trailer:
 *   ...                          codec (1 byte), CRC32C over stored bytes + codec (4 bytes BE)
 *   data block n-1 | trailer
 *   meta block | trailer         table summary (SSTableInfo without fileBytes)
 *   bloom block | trailer        the filter
 *   index block | trailer        last key + handle of each data block
 *   footer (52 bytes)            three handles, version, CRC32C, magic
 * </pre>
 */
final class TableFormat {

    private TableFormat() {
    }

    /** "ringkvST": the last 8 bytes, so a truncated or foreign file fails before anything else is read. */
    static final long MAGIC = bytesToLong("ringkvST".getBytes(StandardCharsets.US_ASCII));
    static final int VERSION = 1;

    static final int FOOTER_BYTES = 52;
    static final int FOOTER_CRC_OFFSET = 40;
    static final int TRAILER_BYTES = 5;

    static final byte CODEC_NONE = 0;
    static final byte CODEC_LZ4 = 1;

    /** No decoded block may claim more than this (a corrupt LZ4 length must not allocate 2 GiB). */
    static final int MAX_BLOCK_BYTES = 1 << 30;

    private static long bytesToLong(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xFF);
        }
        return v;
    }
}
