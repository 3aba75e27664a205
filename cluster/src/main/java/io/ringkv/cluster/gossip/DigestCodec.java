package io.ringkv.cluster.gossip;

import io.ringkv.cluster.codec.ByteWriting;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.RingStatus;
import io.ringkv.cluster.ring.Member;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes of a {@link Digest}, as a gossip message carries it (docs/gossip.md "Wire format"
 * is the byte-level description):
 *
 * <pre>
 *   u8      format version (2)
 *   id      sender id
 *   varint  member count (0..MAX_MEMBERS)
 *   per member:
 *     id      node id
 *     str     host
 *     u16     port, u16 cluster port
 *     varint  generation, varint heartbeat (unsigned LEB128, up to 2^63 - 1)
 *     u8      status (MemberStatus.code)
 *     u8      ring status (RingStatus.code), varint ring version
 *     varint  weight (>= 1)
 *     str     rack, str datacenter
 *   varint  departed count (0..MAX_MEMBERS), then that many ids
 *   u32     CRC32C of every byte before it
 *
 *   str = varint length (0..255), then UTF-8 bytes
 *   id  = varint (length << 1 | packed); packed = 1: the id is lower-case hex of even length
 *         (node ids are 40 hex digits) and length / 2 bytes follow; else length UTF-8 bytes
 * </pre>
 *
 * A member costs about 56 bytes with a 40-hex id (21 of them), an IPv4 host and short rack
 * and datacenter names. The checksum makes every truncation and every flipped bit an error
 * rather than a plausible, wrong digest; decoding also checks every length against what is
 * left, every limit and every field's range, and throws IllegalArgumentException on anything
 * malformed, so bytes from the network can never make it read out of bounds or allocate
 * without limit.
 */
public final class DigestCodec {

    static final int FORMAT_VERSION = 2;
    /** More members than any ring will have; bounds what a malformed count can make us allocate. */
    public static final int MAX_MEMBERS = 16_384;
    /** Longest id, host, rack or datacenter, in bytes (ids and hex digits counted as characters). */
    public static final int MAX_STRING_BYTES = 255;
    // The smallest encoded member: 2 (a non-empty id) + 2 (a non-empty host) + 4 (ports)
    // + 2 (versions) + 1 (status) + 2 (ring status and version) + 1 (weight) + 2 (empty names).
    private static final int MIN_MEMBER_BYTES = 16;
    private static final int CHECKSUM_BYTES = 4;

    private DigestCodec() {
    }

    public static byte[] encode(Digest digest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + digest.members().size() * 56);
        out.write(FORMAT_VERSION);
        writeId(out, digest.senderId());
        ByteWriting.varint(out, digest.members().size());
        for (MemberState m : digest.members()) {
            Member member = m.node().member();
            NodeAddress address = m.node().address();
            writeId(out, member.nodeId());
            writeString(out, address.host());
            ByteWriting.u16(out, address.port());
            ByteWriting.u16(out, address.clusterPort());
            ByteWriting.varint(out, m.generation());
            ByteWriting.varint(out, m.heartbeat());
            out.write(m.status().code());
            out.write(m.ring().code());
            ByteWriting.varint(out, m.ringVersion());
            ByteWriting.varint(out, member.weight());
            writeString(out, member.rack());
            writeString(out, member.datacenter());
        }
        ByteWriting.varint(out, digest.departed().size());
        for (String id : new java.util.TreeSet<>(digest.departed())) {
            writeId(out, id);
        }
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body);
        long sum = crc.getValue();
        byte[] bytes = new byte[body.length + CHECKSUM_BYTES];
        System.arraycopy(body, 0, bytes, 0, body.length);
        for (int i = 0; i < CHECKSUM_BYTES; i++) {
            bytes[body.length + i] = (byte) (sum >>> (8 * (CHECKSUM_BYTES - 1 - i)));
        }
        return bytes;
    }

    public static Digest decode(byte[] bytes) {
        if (bytes.length < 1 + CHECKSUM_BYTES) {
            throw new IllegalArgumentException("digest too short: " + bytes.length + " bytes");
        }
        int bodyLength = bytes.length - CHECKSUM_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bodyLength);
        long stored = 0;
        for (int i = 0; i < CHECKSUM_BYTES; i++) {
            stored = (stored << 8) | (bytes[bodyLength + i] & 0xFF);
        }
        if (stored != crc.getValue()) {
            throw new IllegalArgumentException("digest checksum mismatch");
        }
        Reader in = new Reader(bytes, bodyLength);
        int version = in.u8();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("unknown digest format version " + version);
        }
        String sender = in.id();
        long count = in.varint();
        if (count > MAX_MEMBERS || count * MIN_MEMBER_BYTES > in.remaining()) {
            throw new IllegalArgumentException("digest member count " + count + " impossible in "
                + in.remaining() + " bytes");
        }
        List<MemberState> members = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            String id = in.id();
            String host = in.string();
            int port = in.u16();
            int clusterPort = in.u16();
            long generation = in.varint();
            long heartbeat = in.varint();
            MemberStatus status = MemberStatus.ofCode(in.u8());
            RingStatus ring = RingStatus.ofCode(in.u8());
            long ringVersion = in.varint();
            long weight = in.varint();
            if (weight > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("weight out of range: " + weight);
            }
            String rack = in.string();
            String datacenter = in.string();
            NodeInfo node = new NodeInfo(new Member(id, (int) weight, rack, datacenter),
                new NodeAddress(host, port, clusterPort));
            members.add(new MemberState(node, generation, heartbeat, status, ring, ringVersion));
        }
        long departedCount = in.varint();
        // An id is at least 2 bytes.
        if (departedCount > MAX_MEMBERS || departedCount * 2 > in.remaining()) {
            throw new IllegalArgumentException("departed count " + departedCount + " impossible in "
                + in.remaining() + " bytes");
        }
        java.util.Set<String> departed = new java.util.HashSet<>();
        for (int i = 0; i < departedCount; i++) {
            departed.add(in.id());
        }
        if (in.remaining() != 0) {
            throw new IllegalArgumentException(in.remaining() + " trailing bytes after the digest");
        }
        return new Digest(sender, members, departed);
    }

    // ---- writing ----

    private static void writeId(ByteArrayOutputStream out, String id) {
        if (isPackableHex(id)) {
            ByteWriting.varint(out, ((long) id.length() << 1) | 1);
            for (int i = 0; i < id.length(); i += 2) {
                out.write(Character.digit(id.charAt(i), 16) << 4 | Character.digit(id.charAt(i + 1), 16));
            }
        } else {
            byte[] b = utf8(id);
            ByteWriting.varint(out, (long) b.length << 1);
            out.write(b, 0, b.length);
        }
    }

    private static boolean isPackableHex(String id) {
        if (id.isEmpty() || id.length() % 2 != 0 || id.length() > MAX_STRING_BYTES) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = utf8(s);
        ByteWriting.varint(out, b.length);
        out.write(b, 0, b.length);
    }

    private static byte[] utf8(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("longer than " + MAX_STRING_BYTES + " bytes: '" + s + "'");
        }
        return b;
    }



    // ---- reading ----

    /** A bounds-checked cursor over the body (the bytes before the checksum). */
    private static final class Reader {
        private final byte[] bytes;
        private final int limit;
        private int pos;

        Reader(byte[] bytes, int limit) {
            this.bytes = bytes;
            this.limit = limit;
        }

        int remaining() {
            return limit - pos;
        }

        private void need(int n) {
            if (n > limit - pos) {
                throw new IllegalArgumentException("digest truncated at byte " + pos);
            }
        }

        int u8() {
            need(1);
            return bytes[pos++] & 0xFF;
        }

        int u16() {
            need(2);
            int v = (bytes[pos] & 0xFF) << 8 | (bytes[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        /**
         * An unsigned LEB128 value in its shortest form, of at most 9 bytes (63 bits: every
         * field is a non-negative long), so the value can never overflow into the sign bit.
         */
        long varint() {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (b == 0 && shift > 0) {
                        throw new IllegalArgumentException("overlong varint at byte " + (pos - 1));
                    }
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 63 bits at byte " + pos);
        }

        String string() {
            long length = varint();
            if (length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("string of " + length + " bytes, more than " + MAX_STRING_BYTES);
            }
            return utf8((int) length);
        }

        String id() {
            long header = varint();
            long length = header >>> 1;
            if (length == 0 || length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("node id of " + length + " characters");
            }
            if ((header & 1) == 0) {
                return utf8((int) length);
            }
            if (length % 2 != 0) {
                throw new IllegalArgumentException("packed hex id of odd length " + length);
            }
            int n = (int) length / 2;
            need(n);
            char[] hex = new char[(int) length];
            for (int i = 0; i < n; i++) {
                int b = bytes[pos + i] & 0xFF;
                hex[2 * i] = Character.forDigit(b >>> 4, 16);
                hex[2 * i + 1] = Character.forDigit(b & 0xF, 16);
            }
            pos += n;
            return new String(hex);
        }

        private String utf8(int length) {
            need(length);
            try {
                // Strict decoding: a malformed sequence is an error, not a replacement character
                // that would make two different byte strings the same name.
                String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, pos, length)).toString();
                pos += length;
                return s;
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("malformed UTF-8 at byte " + pos);
            }
        }
    }
}
