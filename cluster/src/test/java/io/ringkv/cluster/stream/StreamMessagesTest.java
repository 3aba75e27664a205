package io.ringkv.cluster.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamMessagesTest {

    @Test
    void requestsAndPagesRoundTrip() {
        StreamMessages.ReadRequest r = StreamMessages.readRequest(StreamMessages.readRequest(List.of(
            new StreamMessages.SlotCursor(16383, "k".getBytes()), new StreamMessages.SlotCursor(7, null)), 4096));
        assertEquals(2, r.slots().size());
        assertEquals(16383, r.slots().get(0).slot());
        assertArrayEquals("k".getBytes(), r.slots().get(0).after());
        assertNull(r.slots().get(1).after());
        assertEquals(4096, r.maxBytes());

        StreamMessages.Page page = new StreamMessages.Page(9, List.of(new StreamMessages.Entry("a".getBytes(), new byte[] {1, 2}),
            new StreamMessages.Entry(new byte[0], new byte[300])), true);
        StreamMessages.Page empty = new StreamMessages.Page(10, List.of(), false);
        List<StreamMessages.Page> read = StreamMessages.pages(StreamMessages.pages(List.of(page, empty)));
        assertEquals(2, read.size());
        assertEquals(true, read.get(0).more());
        assertEquals(9, read.get(0).slot());
        assertEquals(2, read.get(0).entries().size());
        assertArrayEquals(new byte[] {1, 2}, read.get(0).entries().get(0).siblings());
        assertArrayEquals(new byte[300], read.get(0).entries().get(1).siblings());
        assertEquals(303, read.get(0).bytes());
        assertEquals(10, read.get(1).slot());
        assertEquals(false, read.get(1).more());
    }

    @Test
    void malformedInputIsAnErrorNeverACrash() {
        // Slot 16384 is out of range; a flag of 2; a page size past the limit; no slots at all.
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readRequest(new byte[] {1, 1, 0x40, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readRequest(new byte[] {1, 1, 0, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readRequest(StreamMessages.readRequest(
            List.of(new StreamMessages.SlotCursor(1, null)), StreamMessages.MAX_PAGE_BYTES + 1)));
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readRequest(new byte[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.pages(new byte[] {(byte) 0xFF, 0x7F, 0}));
        byte[] good = StreamMessages.pages(List.of(new StreamMessages.Page(3, List.of(
            new StreamMessages.Entry("key".getBytes(), "value".getBytes())), false)));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            byte[] cut = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            try {
                StreamMessages.pages(cut);
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
    }
}
