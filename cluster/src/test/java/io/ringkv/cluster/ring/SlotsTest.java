package io.ringkv.cluster.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SlotsTest {

    private static int slot(String key) {
        return Slots.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void crc16MatchesTheRedisClusterSpecTestVector() {
        // The Redis Cluster specification: CRC16 of "123456789" is 0x31C3.
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x31C3, Slots.crc16(digits, 0, digits.length));
    }

    @Test
    void slotsMatchWhatRedisAnswersToClusterKeyslot() {
        // Values from Redis 7's CLUSTER KEYSLOT.
        assertEquals(12182, slot("foo"));
        assertEquals(5061, slot("bar"));
        assertEquals(0, slot(""));
        assertEquals(15495, slot("a"));
    }

    @Test
    void hashTagsHashOnlyTheTag() {
        assertEquals(slot("user1000"), slot("{user1000}.following"));
        assertEquals(slot("user1000"), slot("foo{user1000}bar"));
        // An empty tag "{}" does not count: the whole key is hashed.
        assertEquals(Slots.crc16("foo{}{bar}".getBytes(), 0, 10) & 16383, slot("foo{}{bar}"));
        // Only the first '{' and the first '}' after it.
        assertEquals(slot("{bar"), slot("foo{{bar}}zap"));
        assertEquals(slot("bar"), slot("foo{bar}{zap}"));
    }
}
