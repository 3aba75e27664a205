package io.ringkv.cluster.version;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.version.VectorClock.Ordering;
import org.junit.jupiter.api.Test;

class VectorClockTest {

    private static VectorClock clock(Object... nodeCounterPairs) {
        VectorClock c = VectorClock.empty();
        for (int i = 0; i < nodeCounterPairs.length; i += 2) {
            c = c.withCounter((String) nodeCounterPairs[i], ((Number) nodeCounterPairs[i + 1]).longValue(), 100 + i);
        }
        return c;
    }

    @Test
    void incrementAddsOneEventAndStampsIt() {
        VectorClock c = VectorClock.empty().increment("a", 10).increment("a", 20).increment("b", 30);
        assertEquals(2, c.counter("a"));
        assertEquals(20, c.entries().get("a").updatedMillis());
        assertEquals(1, c.counter("b"));
        assertEquals(0, c.counter("z"));
        assertEquals(0, VectorClock.empty().size(), "the original is unchanged");
    }

    @Test
    void compareCoversAllFourOrderings() {
        VectorClock a1 = clock("a", 1);
        VectorClock a2 = clock("a", 2);
        VectorClock a1b1 = clock("a", 1, "b", 1);
        VectorClock b1 = clock("b", 1);
        assertEquals(Ordering.BEFORE, a1.compare(a2));
        assertEquals(Ordering.AFTER, a2.compare(a1));
        assertEquals(Ordering.AFTER, a1b1.compare(a1));
        assertEquals(Ordering.EQUAL, a1.compare(clock("a", 1)));
        assertEquals(Ordering.CONCURRENT, a2.compare(a1b1));
        assertEquals(Ordering.CONCURRENT, a1.compare(b1));
        assertEquals(Ordering.EQUAL, VectorClock.empty().compare(VectorClock.empty()));
        assertEquals(Ordering.BEFORE, VectorClock.empty().compare(a1));
        assertTrue(a2.descends(a1));
        assertTrue(a1.descends(a1));
        assertFalse(a1.descends(a2));
        assertFalse(a1.descends(b1));
    }

    @Test
    void compareIgnoresTimestamps() {
        VectorClock x = VectorClock.empty().increment("a", 1);
        VectorClock y = VectorClock.empty().increment("a", 999);
        assertEquals(Ordering.EQUAL, x.compare(y));
    }

    @Test
    void mergeIsPointwiseMaxAndKeepsTheWinningStamp() {
        VectorClock x = VectorClock.empty().increment("a", 10).increment("a", 11).increment("b", 5);
        VectorClock y = VectorClock.empty().increment("a", 50).increment("c", 7);
        VectorClock m = x.merge(y);
        assertEquals(2, m.counter("a"));
        assertEquals(11, m.entries().get("a").updatedMillis(), "stamp of the larger counter");
        assertEquals(1, m.counter("b"));
        assertEquals(1, m.counter("c"));
        assertTrue(m.descends(x) && m.descends(y));
    }

    @Test
    void pruneDropsOldestUpdatedFirst() {
        VectorClock c = VectorClock.empty().increment("new", 300).increment("old", 100).increment("mid", 200);
        VectorClock p = c.prune(2);
        assertEquals(2, p.size());
        assertFalse(p.entries().containsKey("old"));
        assertEquals(1, c.prune(1).size());
        assertTrue(c.prune(1).entries().containsKey("new"));
        assertSame(c, c.prune(3));
        assertEquals(0, c.prune(0).size());
        assertThrows(IllegalArgumentException.class, () -> c.prune(-1));
    }

    @Test
    void pruneDropsOnlyWhatItMay() {
        // "old" is a live node: only "mid" (retired) may go, so one entry too many stays.
        VectorClock c = VectorClock.empty().increment("new", 300).increment("old", 100).increment("mid", 200);
        VectorClock p = c.prune(1, node -> node.equals("mid"));
        assertEquals(2, p.size());
        assertTrue(p.entries().containsKey("old"));
        assertFalse(p.entries().containsKey("mid"));
        assertSame(c, c.prune(1, node -> false));
    }

    @Test
    void pruneTiesBreakOnNodeIdSoReplicasAgree() {
        VectorClock c = VectorClock.empty().increment("b", 100).increment("a", 100).increment("c", 100);
        assertEquals(java.util.Set.of("b", "c"), c.prune(2).entries().keySet());
    }

    @Test
    void prunedDescendantLooksConcurrentNeverDominated() {
        // The documented cost of pruning: a descendant can look concurrent (a sibling), never older.
        VectorClock ancestor = VectorClock.empty().increment("a", 1).increment("b", 2);
        VectorClock descendant = ancestor.increment("c", 3).prune(2);
        assertEquals(Ordering.CONCURRENT, descendant.compare(ancestor));
    }

    @Test
    void encodingRoundTripsAndIsCanonical() {
        VectorClock c = VectorClock.empty().increment("node-b", 1_700_000_000_000L)
                .withCounter("node-a", 300, 5).withCounter("\uD83D\uDE00", Long.MAX_VALUE, Long.MAX_VALUE)
                .withCounter("\uFFFF", 1, 0);
        assertEquals(c, VectorClock.fromBytes(c.toBytes()));
        assertArrayEquals(c.toBytes(), VectorClock.fromBytes(c.toBytes()).toBytes());
        assertEquals(VectorClock.empty(), VectorClock.fromBytes(VectorClock.empty().toBytes()));
        assertArrayEquals(new byte[] {1, 0}, VectorClock.empty().toBytes());
    }

    @Test
    void decodingRejectsMalformedBytes() {
        byte[] good = clock("a", 1, "b", 2).toBytes();
        assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(new byte[] {2, 0}));
        for (int len = 1; len < good.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(cut), "truncated at " + len);
        }
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(trailing));
        // entries out of order: b then a
        assertThrows(IllegalArgumentException.class,
                () -> VectorClock.fromBytes(new byte[] {1, 2, 1, 'b', 1, 0, 1, 'a', 1, 0}));
        // duplicate node id
        assertThrows(IllegalArgumentException.class,
                () -> VectorClock.fromBytes(new byte[] {1, 2, 1, 'a', 1, 0, 1, 'a', 1, 0}));
        // zero counter, empty node id, invalid UTF-8, non-canonical varint, huge count
        assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(new byte[] {1, 1, 1, 'a', 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(new byte[] {1, 1, 0, 1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> VectorClock.fromBytes(new byte[] {1, 1, 1, (byte) 0xC3, 1, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> VectorClock.fromBytes(new byte[] {1, 1, 1, 'a', (byte) 0x81, 0, 0}));
        assertThrows(IllegalArgumentException.class,
                () -> VectorClock.fromBytes(new byte[] {1, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        assertThrows(IllegalArgumentException.class, () -> VectorClock.fromBytes(new byte[] {1,
                1, 1, 'a', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, 0}));
    }
}
