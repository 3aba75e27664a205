package io.ringkv.cluster.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The anti-entropy messages byte by byte, as docs/antientropy.md describes them. */
class MessagesTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void requestIsRunsOfIndices() {
        HashRequest r = new HashRequest(0x0102030405060708L, 4, new int[] {16, 17, 18, 19, 300, 1000, 1001});
        byte[] bytes = r.encode();
        // shape, level 4, 3 runs: (gap 16, len-1 3), (gap 300-20=280, 0), (gap 1000-301=699, 1)
        assertEquals("0102030405060708" + "04" + "03" + "10" + "03" + "9802" + "00" + "bb05" + "01", HEX.formatHex(bytes));
        assertEquals(r, HashRequest.decode(bytes));
        assertEquals(new HashRequest(7, 0, new int[] {0}), HashRequest.decode(new HashRequest(7, 0, new int[] {0}).encode()));
        assertEquals(10, new HashRequest(7, 0, new int[0]).encode().length);
    }

    @Test
    void responseSendsZerosAsBits() {
        HashResponse r = new HashResponse(0x0A0B0C0D0E0F1011L, 5, new long[] {0, 0x1122334455667788L, 0, 0, 0, 0, 0, 0, 0, -1});
        byte[] bytes = r.encode();
        assertEquals("0a0b0c0d0e0f1011" + "05" + "0a" + "02" + "02" + "1122334455667788" + "ffffffffffffffff",
                HEX.formatHex(bytes));
        assertEquals(r, HashResponse.decode(bytes));
        assertEquals(10, new HashResponse(1, 0, new long[0]).encode().length);
    }

    @Test
    void digestsAreSortedKeysWithHashes() {
        KeyDigests.Entry b = new KeyDigests.Entry(new byte[] {'b'}, 2);
        KeyDigests.Entry a = new KeyDigests.Entry(new byte[] {'a', 'a'}, -1);
        byte[] bytes = KeyDigests.encode(List.of(b, a));
        assertEquals("02" + "02" + "6161" + "ffffffffffffffff" + "01" + "62" + "0000000000000002", HEX.formatHex(bytes));
        assertEquals(List.of(a, b), KeyDigests.decode(bytes));
        assertThrows(IllegalArgumentException.class, () -> KeyDigests.encode(List.of(a, a)));
    }

    @Test
    void differingKeysAreOneSidedOrChanged() {
        List<KeyDigests.Entry> mine = List.of(e("a", 1), e("b", 2), e("c", 3));
        List<KeyDigests.Entry> theirs = List.of(e("b", 2), e("c", 4), e("d", 5));
        assertEquals(List.of("a", "c", "d"), KeyDigests.differingKeys(mine, theirs).stream().map(String::new).toList());
        assertEquals(List.of(), KeyDigests.differingKeys(mine, mine));
    }

    @Test
    void malformedMessagesAreRejected() {
        byte[] request = new HashRequest(1, 2, new int[] {1, 2, 5}).encode();
        byte[] response = new HashResponse(1, 2, new long[] {0, 5, 0}).encode();
        byte[] digests = KeyDigests.encode(List.of(e("a", 1), e("b", 2)));
        for (int cut = 0; cut < request.length; cut++) {
            int n = cut;
            assertThrows(IllegalArgumentException.class, () -> HashRequest.decode(java.util.Arrays.copyOf(request, n)));
        }
        for (int cut = 0; cut < response.length; cut++) {
            int n = cut;
            assertThrows(IllegalArgumentException.class, () -> HashResponse.decode(java.util.Arrays.copyOf(response, n)));
        }
        for (int cut = 0; cut < digests.length; cut++) {
            int n = cut;
            assertThrows(IllegalArgumentException.class, () -> KeyDigests.decode(java.util.Arrays.copyOf(digests, n)));
        }
        assertThrows(IllegalArgumentException.class, () -> HashRequest.decode(concat(request, new byte[] {0})));
        assertThrows(IllegalArgumentException.class, () -> HashResponse.decode(concat(response, new byte[] {0})));
        // runs that touch (not canonical), too many nodes, bits past the end, a "non-zero" zero
        assertThrows(IllegalArgumentException.class, () -> HashRequest.decode(HEX.parseHex("0000000000000001" + "00" + "02" + "0000" + "0000")));
        assertThrows(IllegalArgumentException.class, () -> HashRequest.decode(HEX.parseHex("0000000000000001" + "00" + "01" + "00" + "808004")));
        assertThrows(IllegalArgumentException.class, () -> HashResponse.decode(HEX.parseHex("0000000000000001" + "00" + "01" + "02")));
        assertThrows(IllegalArgumentException.class, () -> HashResponse.decode(HEX.parseHex("0000000000000001" + "00" + "01" + "01" + "0000000000000000")));
        assertThrows(IllegalArgumentException.class, () -> KeyDigests.decode(HEX.parseHex("02" + "0162" + "0000000000000002" + "0161" + "0000000000000001")));
        assertThrows(IllegalArgumentException.class, () -> new HashRequest(1, 0, new int[] {2, 1}));
        assertThrows(IllegalArgumentException.class, () -> new HashRequest(1, 0, new int[HashRequest.MAX_NODES + 1]));
    }

    @Test
    void randomRequestsAndResponsesRoundTrip() {
        Random random = new Random(11);
        for (int round = 0; round < 500; round++) {
            int n = random.nextInt(300);
            int[] indices = new int[n];
            long[] hashes = new long[n];
            int at = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                indices[i] = at;
                at += random.nextInt(3) == 0 ? 1 + random.nextInt(1000) : 1;
                hashes[i] = random.nextBoolean() ? 0 : random.nextLong();
            }
            HashRequest request = new HashRequest(random.nextLong(), random.nextInt(256), indices);
            HashResponse response = new HashResponse(random.nextLong(), random.nextInt(256), hashes);
            assertEquals(request, HashRequest.decode(request.encode()));
            assertEquals(response, HashResponse.decode(response.encode()));
            assertArrayEquals(request.encode(), HashRequest.decode(request.encode()).encode());
        }
    }

    private static KeyDigests.Entry e(String key, long hash) {
        return new KeyDigests.Entry(key.getBytes(), hash);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
