package io.ringkv.cluster.handoff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HintStoreTest {

    @TempDir
    Path dir;

    private static Hint hint(String target, int i, long created) {
        return new Hint(target, i % 16384, ("key" + i).getBytes(StandardCharsets.UTF_8),
            ("versions" + i).getBytes(StandardCharsets.UTF_8), created);
    }

    private static List<Hint> drain(HintStore store, String target) throws IOException {
        List<Hint> out = new ArrayList<>();
        HintStore.Batch b;
        while ((b = store.oldest(target)) != null) {
            out.addAll(b.hints());
            store.delivered(b);
        }
        return out;
    }

    @Test
    void hintsAreKeptPerTargetInOrderAndDeletedOnceDelivered() throws IOException {
        try (HintStore store = HintStore.open(dir, 1024)) {
            for (int i = 0; i < 100; i++) {
                store.add(hint(i % 2 == 0 ? "a" : "b", i, 1000 + i));
            }
            assertEquals(100, store.pendingCount());
            assertEquals(50, store.pendingCount("a"));
            assertEquals(List.of("a", "b"), store.targets());
            List<Hint> a = drain(store, "a");
            assertEquals(50, a.size());
            for (int j = 0; j < 50; j++) {
                assertArrayEquals(("key" + 2 * j).getBytes(StandardCharsets.UTF_8), a.get(j).key());
                assertEquals(1000 + 2 * j, a.get(j).createdMillis());
                assertEquals(2 * j, a.get(j).slot());
            }
            assertEquals(0, store.pendingCount("a"));
            assertEquals(50, store.pendingCount());
            assertEquals(List.of("b"), store.targets());
            try (Stream<Path> files = Files.list(dir.resolve("a"))) {
                assertEquals(0, files.count());
            }
        }
    }

    @Test
    void anUndeliveredBatchIsHandedOutAgain() throws IOException {
        try (HintStore store = HintStore.open(dir, 1 << 20)) {
            store.add(hint("a", 1, 1));
            HintStore.Batch first = store.oldest("a");
            store.add(hint("a", 2, 2));
            HintStore.Batch again = store.oldest("a");
            assertEquals(first.segmentId(), again.segmentId());
            assertEquals(1, again.hints().size());
            store.delivered(again);
            assertEquals(1, store.pendingCount("a"));
            assertEquals(2, drain(store, "a").get(0).createdMillis());
        }
    }

    @Test
    void hintsSurviveARestart() throws IOException {
        try (HintStore store = HintStore.open(dir, 512)) {
            for (int i = 0; i < 40; i++) {
                store.add(hint("node1", i, i));
            }
            store.add(hint("node2", 99, 99));
        }
        try (HintStore store = HintStore.open(dir, 512)) {
            assertEquals(41, store.pendingCount());
            assertEquals(40, store.pendingCount("node1"));
            store.add(hint("node1", 40, 40));
            List<Hint> all = drain(store, "node1");
            assertEquals(41, all.size());
            for (int i = 0; i < 41; i++) {
                assertEquals(i, all.get(i).createdMillis());
            }
        }
        try (HintStore store = HintStore.open(dir, 512)) {
            assertEquals(1, store.pendingCount());
        }
    }

    @Test
    void aTornTailIsCutAndTheGoodHintsKept() throws IOException {
        try (HintStore store = HintStore.open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                store.add(hint("t", i, i));
            }
        }
        Path segment;
        try (Stream<Path> files = Files.list(dir.resolve("t"))) {
            segment = files.findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3); // the process died in the middle of the last record
        }
        try (HintStore store = HintStore.open(dir, 1 << 20)) {
            assertEquals(9, store.pendingCount());
            assertTrue(store.truncatedBytes() > 0);
            assertEquals(9, drain(store, "t").size());
        }
        // A flipped byte in a record: it and everything after it in the segment are cut.
        try (HintStore store = HintStore.open(dir, 1 << 20)) {
            for (int i = 0; i < 10; i++) {
                store.add(hint("u", i, i));
            }
        }
        try (Stream<Path> files = Files.list(dir.resolve("u"))) {
            segment = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        int recordBytes = bytes.length / 10;
        bytes[recordBytes * 5 + HintStore.RECORD_HEADER_BYTES + 3] ^= 1;
        Files.write(segment, bytes);
        try (HintStore store = HintStore.open(dir, 1 << 20)) {
            assertEquals(5, store.pendingCount("u"));
            assertNull(store.oldest("t"));
        }
    }

    @Test
    void expiredHintsAreDropped() throws IOException {
        try (HintStore store = HintStore.open(dir, 256)) {
            for (int i = 0; i < 20; i++) {
                store.add(hint("a", i, 1000 + i));
            }
            long before = store.pendingCount();
            long dropped = store.dropOlderThan(1010);
            assertTrue(dropped > 0 && dropped < 20, "dropped " + dropped);
            assertEquals(before - dropped, store.pendingCount());
            // Whole segments go, oldest first: what is left is the newest hints, in order.
            List<Hint> left = drain(store, "a");
            assertEquals(20 - dropped, left.size());
            assertEquals(1000 + dropped, left.get(0).createdMillis());
            store.add(hint("a", 1, 5));
            assertEquals(1, store.dropOlderThan(10));
            assertEquals(0, store.pendingCount());
        }
    }
}
