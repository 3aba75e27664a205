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
        StreamMessages.ReadRequest r = StreamMessages.readRequest(StreamMessages.readRequest(16383, "k".getBytes(), 4096));
        assertEquals(16383, r.slot());
        assertArrayEquals("k".getBytes(), r.after());
        assertEquals(4096, r.maxBytes());
        assertNull(StreamMessages.readRequest(StreamMessages.readRequest(7, null, 1)).after());

        StreamMessages.Page page = new StreamMessages.Page(9, List.of(new StreamMessages.Entry("a".getBytes(), new byte[] {1, 2}),
            new StreamMessages.Entry(new byte[0], new byte[300])), true);
        StreamMessages.Page read = StreamMessages.readReply(9, StreamMessages.readReply(page));
        assertEquals(true, read.more());
        assertEquals(2, read.entries().size());
        assertArrayEquals(new byte[] {1, 2}, read.entries().get(0).siblings());
        assertEquals(302 + 1, read.bytes());
        StreamMessages.Page written = StreamMessages.writeRequest(StreamMessages.writeRequest(page));
        assertEquals(9, written.slot());
        assertArrayEquals(new byte[300], written.entries().get(1).siblings());
    }

    @Test
    void malformedInputIsAnErrorNeverACrash() {
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readRequest(new byte[] {0x40, 0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readRequest(new byte[] {0, 1, 2, 1}));
        assertThrows(IllegalArgumentException.class,
            () -> StreamMessages.readRequest(StreamMessages.readRequest(1, null, StreamMessages.MAX_PAGE_BYTES + 1)));
        assertThrows(IllegalArgumentException.class, () -> StreamMessages.readReply(1, new byte[] {0, (byte) 0xFF, 0x7F}));
        byte[] good = StreamMessages.writeRequest(new StreamMessages.Page(3, List.of(
            new StreamMessages.Entry("key".getBytes(), "value".getBytes())), false));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            byte[] cut = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
            try {
                StreamMessages.writeRequest(cut);
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
    }
}
