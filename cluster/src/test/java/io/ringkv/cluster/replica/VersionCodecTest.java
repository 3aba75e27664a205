package io.ringkv.cluster.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.storage.Record;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VersionCodecTest {

    private static Siblings<StoredValue> sample() {
        VectorClock base = VectorClock.empty().increment("a", 5).increment("b", 6);
        return Siblings.of(
            new Versioned<>(base, new Dot("a", 2), new StoredValue(new byte[] {1, 2, 3}, Record.NO_EXPIRY), 100),
            new Versioned<>(base, new Dot("c", 1), StoredValue.TOMBSTONE, 200),
            new Versioned<>(base, new Dot("b", 2), new StoredValue(new byte[0], 1_700_000_000_000L), 300));
    }

    @Test
    void roundTripsValuesTombstonesAndExpiries() {
        Siblings<StoredValue> s = sample();
        Siblings<StoredValue> back = VersionCodec.decode(VersionCodec.encode(s));
        assertEquals(s, back);
        for (int i = 0; i < s.size(); i++) {
            assertEquals(s.versions().get(i).value(), back.versions().get(i).value());
            assertEquals(s.versions().get(i).timestampMicros(), back.versions().get(i).timestampMicros());
        }
        assertArrayEquals(VersionCodec.encode(s), VersionCodec.encode(back));
        assertEquals(Siblings.<StoredValue>empty(), VersionCodec.decode(VersionCodec.encode(Siblings.empty())));
    }

    @Test
    void everyTruncationAndRandomCorruptionIsRejectedOrDecodesCleanly() {
        byte[] good = VersionCodec.encode(sample());
        for (int len = 0; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> VersionCodec.decode(cut), "length " + len);
        }
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            byte[] bad = good.clone();
            bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
            try {
                VersionCodec.decode(bad);
            } catch (IllegalArgumentException expected) {
                // A flipped value byte decodes to other bytes; what matters is no other exception.
            }
        }
    }
}
