package io.ringkv.cluster.gossip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.ring.Member;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class DigestCodecTest {

    private static String hexId(SplittableRandom random) {
        byte[] b = new byte[20];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Digest sample(SplittableRandom random, int members) {
        List<MemberState> list = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            String id = i % 7 == 3 ? "node-" + i + "-ü" : hexId(random);
            NodeInfo node = new NodeInfo(new Member(id, 1 + random.nextInt(4), "rack" + random.nextInt(3), "dc" + (i % 2)),
                new NodeAddress(i % 5 == 0 ? "::1" : "10.0.0." + i, 7000 + i, 17000 + i));
            list.add(new MemberState(node, 1_700_000_000_000L + random.nextInt(1_000_000),
                random.nextLong(Long.MAX_VALUE), MemberStatus.values()[random.nextInt(4)]));
        }
        return new Digest(list.isEmpty() ? "sender" : list.get(0).id(), list);
    }

    @Test
    void roundTrips() {
        SplittableRandom random = new SplittableRandom(11);
        for (int n : new int[] {0, 1, 2, 5, 20, 100}) {
            Digest d = sample(random, n);
            assertEquals(d, DigestCodec.decode(DigestCodec.encode(d)));
        }
        MemberState extreme = new MemberState(GossipStateTest.node("ab", 55535), Long.MAX_VALUE, 0, MemberStatus.LEFT);
        Digest d = new Digest("ab", List.of(extreme));
        assertEquals(d, DigestCodec.decode(DigestCodec.encode(d)));
    }

    @Test
    void isCompact() {
        // 100 members with 40-hex ids, realistic hosts and names.
        SplittableRandom random = new SplittableRandom(12);
        List<MemberState> list = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            NodeInfo node = new NodeInfo(new Member(hexId(random), 1, "rack1", "dc1"),
                new NodeAddress("10.0.0." + i, 7000, 17000));
            list.add(new MemberState(node, 1_700_000_000_000L, 100_000, MemberStatus.UP));
        }
        int size = DigestCodec.encode(new Digest(list.get(0).id(), list)).length;
        // About 56 bytes a member: 21 id, 9 host, 4 ports, 6 + 3 versions, 1 status, 1 weight, 11 names.
        assertTrue(size < 100 * 60, size + " bytes");
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] bytes = DigestCodec.encode(sample(new SplittableRandom(13), 10));
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThrows(IllegalArgumentException.class, () -> DigestCodec.decode(cut), "length " + length);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> DigestCodec.decode(longer));
    }

    @Test
    void everySingleBitFlipIsRejected() {
        byte[] bytes = DigestCodec.encode(sample(new SplittableRandom(14), 10));
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] flipped = bytes.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(IllegalArgumentException.class, () -> DigestCodec.decode(flipped), "bit " + bit);
        }
    }

    /**
     * Past the checksum: corrupted bodies with a recomputed, valid checksum reach the parser,
     * which must reject them with IllegalArgumentException or return a valid digest, never
     * throw anything else or read out of bounds.
     */
    @Test
    void corruptBodiesWithAValidChecksumFailCleanly() {
        SplittableRandom random = new SplittableRandom(15);
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] body = body(DigestCodec.encode(sample(random, random.nextInt(6))));
            switch (random.nextInt(4)) {
                case 0 -> body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                case 2 -> body = Arrays.copyOf(body, random.nextInt(body.length + 1));
                default -> {
                    for (int j = 0; j < 1 + random.nextInt(4); j++) {
                        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                    }
                }
            }
            byte[] bytes = withChecksum(body);
            try {
                Digest d = DigestCodec.decode(bytes);
                assertEquals(d, DigestCodec.decode(DigestCodec.encode(d)));
            } catch (IllegalArgumentException expected) {
                rejected++;
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for " + HexFormat.of().formatHex(bytes), e);
            }
        }
        assertTrue(rejected > 10_000, "rejected " + rejected);
    }

    @Test
    void rejectsWhatBreaksTheLimits() {
        // An absurd member count in a tiny message.
        assertThrows(IllegalArgumentException.class,
            () -> DigestCodec.decode(withChecksum(new byte[] {2, 2, 'a', (byte) 0xFF, (byte) 0xFF, 0x03})));
        // An unknown format version.
        byte[] ok = body(DigestCodec.encode(new Digest("ab", List.of())));
        ok[0] = 1;
        assertThrows(IllegalArgumentException.class, () -> DigestCodec.decode(withChecksum(ok)));
        // An overlong varint (count 0 written in two bytes).
        assertThrows(IllegalArgumentException.class,
            () -> DigestCodec.decode(withChecksum(new byte[] {2, 2, 'a', (byte) 0x80, 0x00})));
        // A string longer than the limit cannot be encoded.
        String longRack = "r".repeat(DigestCodec.MAX_STRING_BYTES + 1);
        NodeInfo n = new NodeInfo(new Member("ab", 1, longRack, "dc"), new NodeAddress("h", 1, 2));
        assertThrows(IllegalArgumentException.class,
            () -> DigestCodec.encode(new Digest("ab", List.of(new MemberState(n, 1, 1, MemberStatus.UP)))));
        // The smallest digest: version, a 2-byte id, count 0, checksum.
        byte[] empty = DigestCodec.encode(new Digest("x", List.of()));
        assertArrayEquals(new byte[] {2, 2, 'x', 0, 0}, Arrays.copyOf(empty, 5));
        assertEquals("x", DigestCodec.decode(empty).senderId());
        assertEquals(9, empty.length);
    }

    @Test
    void ringStatusesAndDepartedMembersRoundTrip() {
        NodeInfo n = new NodeInfo(new Member("ab", 2, "r1", "dc2"), new NodeAddress("h", 1, 2));
        for (io.ringkv.cluster.membership.RingStatus ring : io.ringkv.cluster.membership.RingStatus.values()) {
            Digest d = new Digest("ab", List.of(new MemberState(n, 5, 6, MemberStatus.SUSPECT, ring, 1_700_000_000_123L)),
                java.util.Set.of("0123abcd", "gone-node"));
            assertEquals(d, DigestCodec.decode(DigestCodec.encode(d)));
        }
        // A departed count larger than the bytes left is refused before allocating.
        assertThrows(IllegalArgumentException.class,
            () -> DigestCodec.decode(withChecksum(new byte[] {2, 2, 'a', 0, (byte) 0xFF, 0x7F})));
    }

    private static byte[] body(byte[] encoded) {
        return Arrays.copyOf(encoded, encoded.length - 4);
    }

    private static byte[] withChecksum(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        long sum = crc.getValue();
        byte[] bytes = Arrays.copyOf(body, body.length + 4);
        for (int i = 0; i < 4; i++) {
            bytes[body.length + i] = (byte) (sum >>> (8 * (3 - i)));
        }
        return bytes;
    }
}
