package io.ringkv.storage.sstable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.storage.CorruptionException;
import io.ringkv.storage.Entry;
import io.ringkv.storage.Record;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SSTableTest {

    @TempDir
    Path dir;

    /**
     * A model table: keys spread over a few slots (so slot ranges have neighbours on both sides),
     * every 7th entry a tombstone, every 5th value with an expiry, value sizes 0..200.
     */
    static TreeMap<byte[], Entry> model(int n, long seed) {
        Random random = new Random(seed);
        TreeMap<byte[], Entry> m = new TreeMap<>(StorageKey::compare);
        int i = 0;
        while (m.size() < n) {
            int slot = random.nextInt(64) * 256 + random.nextInt(3);
            byte[] key = StorageKey.encode(slot, ("key:" + random.nextInt(n * 10)).getBytes(StandardCharsets.UTF_8));
            long seq = 1000 + i++;
            Entry e;
            if (i % 7 == 0) {
                e = Entry.tombstone(seq, 1_700_000_000_000L + i);
            } else {
                byte[] value = new byte[random.nextInt(201)];
                random.nextBytes(value);
                long expiry = i % 5 == 0 ? 1_800_000_000_000L + i : Record.NO_EXPIRY;
                e = Entry.value(seq, 1_700_000_000_000L + i, new Record(value, expiry));
            }
            m.put(key, e);
        }
        return m;
    }

    static SSTableInfo write(Path file, Map<byte[], Entry> entries, SSTableOptions options) throws IOException {
        try (SSTableWriter w = new SSTableWriter(file, options)) {
            for (Map.Entry<byte[], Entry> e : entries.entrySet()) {
                w.add(e.getKey(), e.getValue());
            }
            return w.finish();
        }
    }

    static void assertEntry(Entry expected, Entry actual) {
        assertEquals(expected.tombstone(), actual.tombstone());
        assertEquals(expected.sequence(), actual.sequence());
        assertEquals(expected.writeTimeMillis(), actual.writeTimeMillis());
        assertEquals(expected.expireAtMillis(), actual.expireAtMillis());
        assertArrayEquals(expected.value(), actual.value());
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void roundTripOf100kEntriesWithPresentAndAbsentKeys(Compression compression) throws IOException {
        TreeMap<byte[], Entry> m = model(100_000, 1);
        Path file = dir.resolve("t.sst");
        SSTableInfo written = write(file, m, new SSTableOptions(4096, 10, compression));
        assertEquals(100_000, written.entries());
        assertEquals(Files.size(file), written.fileBytes());
        long tombstones = m.values().stream().filter(Entry::tombstone).count();
        assertEquals(tombstones, written.tombstones());
        assertEquals(m.values().stream().mapToLong(Entry::sequence).min().orElseThrow(), written.minSequence());
        assertEquals(m.values().stream().mapToLong(Entry::sequence).max().orElseThrow(), written.maxSequence());

        try (SSTableReader r = SSTableReader.open(file, 1, new BlockCache(1 << 20))) {
            SSTableInfo info = r.info();
            assertEquals(written.entries(), info.entries());
            assertEquals(written.fileBytes(), info.fileBytes());
            assertEquals(written.tombstones(), info.tombstones());
            assertEquals(written.minSequence(), info.minSequence());
            assertEquals(written.maxSequence(), info.maxSequence());
            assertArrayEquals(m.firstKey(), info.firstKey());
            assertArrayEquals(m.lastKey(), info.lastKey());
            for (Map.Entry<byte[], Entry> e : m.entrySet()) {
                assertEntry(e.getValue(), r.get(e.getKey()));
            }
            Random random = new Random(2);
            int absent = 0;
            while (absent < 20_000) {
                byte[] key = StorageKey.encode(random.nextInt(16384), ("key:" + random.nextInt(2_000_000)).getBytes(StandardCharsets.UTF_8));
                if (!m.containsKey(key)) {
                    assertNull(r.get(key));
                    absent++;
                }
            }
            // Keys that sort between neighbours: a prefix and an extension of a stored key.
            for (byte[] key : m.keySet()) {
                byte[] longer = java.util.Arrays.copyOf(key, key.length + 1);
                if (!m.containsKey(longer)) {
                    assertNull(r.get(longer));
                }
                byte[] shorter = java.util.Arrays.copyOf(key, key.length - 1);
                if (!m.containsKey(shorter)) {
                    assertNull(r.get(shorter));
                }
            }
            try (EntryIterator it = r.iterator(null, null)) {
                for (Map.Entry<byte[], Entry> e : m.entrySet()) {
                    assertTrue(it.next());
                    assertArrayEquals(e.getKey(), it.key());
                    assertEntry(e.getValue(), it.entry());
                }
                assertFalse(it.next());
                assertFalse(it.next());
            }
        }
    }

    @Test
    void bloomFilterFalsePositiveRateIsAboutOnePercentAtTenBitsPerKey() {
        int n = 100_000;
        long[] hashes = new long[n];
        for (int i = 0; i < n; i++) {
            hashes[i] = BloomFilter.hash(StorageKey.encode(i % 16384, ("present:" + i).getBytes(StandardCharsets.UTF_8)));
        }
        BloomFilter filter = BloomFilter.build(hashes, n, 10);
        assertEquals(7, filter.hashCount());
        for (int i = 0; i < n; i++) {
            assertTrue(filter.mightContain(StorageKey.encode(i % 16384, ("present:" + i).getBytes(StandardCharsets.UTF_8))));
        }
        int probes = 200_000;
        int falsePositives = 0;
        for (int i = 0; i < probes; i++) {
            if (filter.mightContain(StorageKey.encode(i % 16384, ("absent:" + i).getBytes(StandardCharsets.UTF_8)))) {
                falsePositives++;
            }
        }
        double rate = (double) falsePositives / probes;
        System.out.printf("bloom 10 bits/key, k=%d: false-positive rate %.4f%% (%d of %d)%n",
            filter.hashCount(), rate * 100, falsePositives, probes);
        // Theory for 10 bits/key and k=7: 0.82%.
        assertTrue(rate > 0.004 && rate < 0.015, "false-positive rate " + rate);
    }

    @Test
    void bloomFilterSurvivesSerialisation() {
        long[] hashes = {1, 2, 3, BloomFilter.hash(new byte[] {9})};
        BloomFilter f = BloomFilter.build(hashes, hashes.length, 10);
        BloomFilter g = BloomFilter.fromBytes(f.toBytes());
        assertEquals(f.bitCount(), g.bitCount());
        assertEquals(f.hashCount(), g.hashCount());
        assertTrue(g.mightContain(new byte[] {9}));
        for (long h : hashes) {
            assertTrue(g.mightContainHash(h));
        }
    }

    @Test
    void rangeIterationOverSlotsAndArbitraryBounds() throws IOException {
        TreeMap<byte[], Entry> m = model(20_000, 3);
        Path file = dir.resolve("t.sst");
        // Small blocks: many block boundaries for the ranges to start and end on.
        write(file, m, new SSTableOptions(512, 10, Compression.LZ4));
        try (SSTableReader r = SSTableReader.open(file, 1, new BlockCache(1 << 20))) {
            for (int slot = 0; slot < 64 * 256 + 4; slot++) {
                byte[] from = StorageKey.slotStart(slot);
                byte[] to = StorageKey.slotStart(slot + 1);
                if (slot % 256 > 3 && slot % 97 != 0) {
                    continue;   // empty slots: check only a sample
                }
                assertRange(r, m, from, to);
            }
            Random random = new Random(4);
            List<byte[]> keys = new ArrayList<>(m.keySet());
            for (int i = 0; i < 300; i++) {
                byte[] a = keys.get(random.nextInt(keys.size()));
                byte[] b = keys.get(random.nextInt(keys.size()));
                if (random.nextBoolean()) {
                    a = java.util.Arrays.copyOf(a, a.length + 1);   // between stored keys
                }
                if (StorageKey.compare(a, b) > 0) {
                    byte[] t = a;
                    a = b;
                    b = t;
                }
                assertRange(r, m, a, b);
                assertRange(r, m, b, a);   // empty: from > to
            }
            assertRange(r, m, null, keys.get(500));
            assertRange(r, m, keys.get(19_000), null);
            assertRange(r, m, new byte[] {(byte) 0xFF, (byte) 0xFF, 1}, null);
            assertRange(r, m, new byte[0], new byte[] {0});
        }
    }

    private static void assertRange(SSTableReader r, TreeMap<byte[], Entry> m, byte[] from, byte[] to) throws IOException {
        Map<byte[], Entry> expected;
        if (from != null && to != null && StorageKey.compare(from, to) >= 0) {
            expected = Map.of();
        } else if (from == null) {
            expected = to == null ? m : m.headMap(to, false);
        } else {
            expected = to == null ? m.tailMap(from, true) : m.subMap(from, true, to, false);
        }
        try (EntryIterator it = r.iterator(from, to)) {
            for (Map.Entry<byte[], Entry> e : expected.entrySet()) {
                assertTrue(it.next(), "missing entry");
                assertArrayEquals(e.getKey(), it.key());
                assertEntry(e.getValue(), it.entry());
            }
            assertFalse(it.next());
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void aFlippedBitInADataBlockIsReportedWithTheBlockOffset(Compression compression) throws IOException {
        TreeMap<byte[], Entry> m = model(2_000, 5);
        Path file = dir.resolve("t.sst");
        write(file, m, new SSTableOptions(4096, 10, compression));
        flipBit(file, 100, 3);   // inside the first data block, which starts at offset 0
        BlockCache cache = new BlockCache(1 << 20);
        try (SSTableReader r = SSTableReader.open(file, 1, cache)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> r.get(m.firstKey()));
            assertEquals(file, e.file());
            assertEquals(0, e.offset());
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertEquals(0, cache.sizeBytes());
            try (EntryIterator it = r.iterator(null, null)) {
                CorruptionException e2 = assertThrows(CorruptionException.class, it::next);
                assertEquals(0, e2.offset());
            }
            // Other blocks still read.
            assertEntry(m.lastEntry().getValue(), r.get(m.lastKey()));
        }
    }

    @Test
    void aFlippedBitInALaterBlockNamesThatBlocksOffset() throws IOException {
        TreeMap<byte[], Entry> m = model(2_000, 6);
        Path file = dir.resolve("t.sst");
        SSTableInfo info = write(file, m, new SSTableOptions(4096, 10, Compression.NONE));
        // Find the block holding the middle key by watching which offset the error names.
        flipBit(file, info.fileBytes() / 2, 0);
        try (SSTableReader r = SSTableReader.open(file, 1, null)) {
            CorruptionException e = null;
            int errors = 0;
            for (byte[] key : m.keySet()) {
                try {
                    r.get(key);
                } catch (CorruptionException c) {
                    errors++;
                    e = c;
                }
            }
            assertTrue(e != null && errors < 100, errors + " keys failed");
            assertTrue(e.offset() > 0 && e.offset() <= info.fileBytes() / 2, "offset " + e.offset());
        }
    }

    @Test
    void truncatedFilesBadMagicAndDamagedMetadataFailOpen() throws IOException {
        TreeMap<byte[], Entry> m = model(2_000, 7);
        Path good = dir.resolve("good.sst");
        SSTableInfo info = write(good, m, new SSTableOptions(4096, 10, Compression.LZ4));
        byte[] bytes = Files.readAllBytes(good);
        long[] cuts = {0, 1, 51, 52, bytes.length / 2, bytes.length - 53, bytes.length - 52, bytes.length - 1};
        for (long cut : cuts) {
            Path t = dir.resolve("cut-" + cut + ".sst");
            Files.write(t, java.util.Arrays.copyOf(bytes, (int) cut));
            assertThrows(CorruptionException.class, () -> SSTableReader.open(t, 1, null).close(), "cut at " + cut);
        }
        // Every byte of the footer, the index, the bloom filter and the meta block is covered by a
        // check at open. The metadata starts after the last data block; the file's last 52 bytes
        // are the footer.
        for (int at = bytes.length - 1; at >= bytes.length - 52; at--) {
            Path t = dir.resolve("flip.sst");
            byte[] copy = bytes.clone();
            copy[at] ^= 0x10;
            Files.write(t, copy);
            assertThrows(CorruptionException.class, () -> SSTableReader.open(t, 1, null).close(), "flip at " + at);
        }
        byte[] copy = bytes.clone();
        copy[copy.length - 1] ^= 1;
        Path badMagic = dir.resolve("magic.sst");
        Files.write(badMagic, copy);
        CorruptionException e = assertThrows(CorruptionException.class, () -> SSTableReader.open(badMagic, 1, null));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        assertEquals(info.fileBytes() - 8, e.offset());
    }

    @Test
    void damagedIndexOrBloomBlockFailsOpen() throws IOException {
        TreeMap<byte[], Entry> m = model(2_000, 8);
        Path good = dir.resolve("good.sst");
        write(good, m, new SSTableOptions(4096, 10, Compression.NONE));
        byte[] bytes = Files.readAllBytes(good);
        ByteBuffer footer = ByteBuffer.wrap(bytes, bytes.length - 52, 52);
        long metaOffset = footer.getLong();
        // Everything between the meta block and the footer: meta, bloom, index blocks.
        for (long at = metaOffset; at < bytes.length - 52; at += 7) {
            byte[] copy = bytes.clone();
            copy[(int) at] ^= 0x04;
            Path t = dir.resolve("flip.sst");
            Files.write(t, copy);
            assertThrows(CorruptionException.class, () -> SSTableReader.open(t, 1, null).close(), "flip at " + at);
        }
    }

    @Test
    void blockCacheHitsOnRepeatedGetsAndStaysWithinCapacity() throws IOException {
        TreeMap<byte[], Entry> m = model(20_000, 9);
        Path file = dir.resolve("t.sst");
        write(file, m, new SSTableOptions(4096, 10, Compression.LZ4));
        long capacity = 10 * 4096 + 2000;
        BlockCache cache = new BlockCache(capacity);
        try (SSTableReader r = SSTableReader.open(file, 1, cache)) {
            byte[] key = m.firstKey();
            r.get(key);
            assertEquals(0, cache.hits());
            assertEquals(1, cache.misses());
            for (int i = 0; i < 10; i++) {
                r.get(key);
            }
            assertEquals(10, cache.hits());
            assertEquals(1, cache.misses());
            // Walk the whole table: the cache keeps evicting and never passes its capacity.
            for (byte[] k : m.keySet()) {
                assertEntry(m.get(k), r.get(k));
                assertTrue(cache.sizeBytes() <= capacity, "cache holds " + cache.sizeBytes());
            }
            assertTrue(cache.sizeBytes() > capacity / 2);
        }
        assertEquals(0, cache.sizeBytes(), "a closed table's blocks are dropped");
    }

    @Test
    void theCacheIsSharedByTablesAndKeyedByTableId() throws IOException {
        TreeMap<byte[], Entry> a = model(1_000, 10);
        TreeMap<byte[], Entry> b = model(1_000, 11);
        write(dir.resolve("a.sst"), a, SSTableOptions.defaults());
        write(dir.resolve("b.sst"), b, SSTableOptions.defaults());
        BlockCache cache = new BlockCache(1 << 20);
        try (SSTableReader ra = SSTableReader.open(dir.resolve("a.sst"), 1, cache);
             SSTableReader rb = SSTableReader.open(dir.resolve("b.sst"), 2, cache)) {
            for (int round = 0; round < 2; round++) {
                for (byte[] k : a.keySet()) {
                    assertEntry(a.get(k), ra.get(k));
                }
                for (byte[] k : b.keySet()) {
                    assertEntry(b.get(k), rb.get(k));
                }
            }
            long held = cache.sizeBytes();
            rb.close();
            assertTrue(cache.sizeBytes() < held && cache.sizeBytes() > 0);
        }
    }

    @Test
    void writerRejectsKeysOutOfOrderAndDuplicates() throws IOException {
        Entry e = Entry.tombstone(1, 1);
        try (SSTableWriter w = new SSTableWriter(dir.resolve("t.sst"), SSTableOptions.defaults())) {
            w.add(new byte[] {0, 1, 'b'}, e);
            assertThrows(IllegalArgumentException.class, () -> w.add(new byte[] {0, 1, 'b'}, e));
            assertThrows(IllegalArgumentException.class, () -> w.add(new byte[] {0, 1, 'a'}, e));
            // Unsigned order: 0x80 sorts after 0x7F.
            w.add(new byte[] {0, 1, 'b', 0x7F}, e);
            w.add(new byte[] {0, 1, 'b', (byte) 0x80}, e);
            assertEquals(3, w.finish().entries());
            assertThrows(IllegalStateException.class, () -> w.add(new byte[] {1, 0}, e));
        }
    }

    @Test
    void aWriterToldItsEntryCountFillsItsBloomFilterAsItGoesAndHoldsToTheCount() throws IOException {
        Entry e = Entry.tombstone(1, 1);
        Path file = dir.resolve("presized.sst");
        try (SSTableWriter w = new SSTableWriter(file, SSTableOptions.defaults(), 3)) {
            w.add(new byte[] {0, 1, 'a'}, e);
            w.add(new byte[] {0, 1, 'b'}, e);
            w.add(new byte[] {0, 1, 'c'}, e);
            assertThrows(IllegalArgumentException.class, () -> w.add(new byte[] {0, 1, 'd'}, e));
            assertEquals(3, w.finish().entries());
        }
        try (SSTableReader r = SSTableReader.open(file, 1, null)) {
            for (char c : new char[] {'a', 'b', 'c'}) {
                assertTrue(r.mightContain(new byte[] {0, 1, (byte) c}));
                assertEquals(e.sequence(), r.get(new byte[] {0, 1, (byte) c}).sequence());
            }
            assertNull(r.get(new byte[] {0, 1, 'd'}));
        }
    }

    @Test
    void anEmptyTableOpensAndHoldsNothing() throws IOException {
        Path file = dir.resolve("t.sst");
        SSTableInfo info = write(file, Map.of(), SSTableOptions.defaults());
        assertEquals(0, info.entries());
        assertNull(info.firstKey());
        try (SSTableReader r = SSTableReader.open(file, 7, new BlockCache(1024))) {
            assertEquals(7, r.id());
            assertEquals(0, r.info().entries());
            assertNull(r.get(new byte[] {0, 0, 1}));
            assertFalse(r.mightContain(new byte[] {0, 0, 1}));
            try (EntryIterator it = r.iterator(null, null)) {
                assertFalse(it.next());
            }
        }
    }

    @Test
    void hugeValuesAndEmptyValuesRoundTrip() throws IOException {
        TreeMap<byte[], Entry> m = new TreeMap<>(StorageKey::compare);
        Random random = new Random(12);
        for (int i = 0; i < 50; i++) {
            byte[] value = new byte[i % 5 == 0 ? 100_000 : i % 5 == 1 ? 0 : 10];
            random.nextBytes(value);
            m.put(StorageKey.encode(i, new byte[] {(byte) i}), Entry.value(i, -5, new Record(value, i % 2 == 0 ? Long.MAX_VALUE : -7)));
        }
        Path file = dir.resolve("t.sst");
        write(file, m, new SSTableOptions(256, 10, Compression.LZ4));
        try (SSTableReader r = SSTableReader.open(file, 1, new BlockCache(64 * 1024))) {
            for (Map.Entry<byte[], Entry> e : m.entrySet()) {
                assertEntry(e.getValue(), r.get(e.getKey()));
            }
        }
    }

    @Test
    void concurrentReadersShareOneTable() throws Exception {
        TreeMap<byte[], Entry> m = model(20_000, 13);
        Path file = dir.resolve("t.sst");
        write(file, m, SSTableOptions.defaults());
        List<byte[]> keys = new ArrayList<>(m.keySet());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (SSTableReader r = SSTableReader.open(file, 1, new BlockCache(64 * 1024))) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 20_000; i++) {
                        byte[] k = keys.get(random.nextInt(keys.size()));
                        assertEntry(m.get(k), r.get(k));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInterruptedReaderDoesNotBreakTheTableForOthers() throws Exception {
        TreeMap<byte[], Entry> m = model(5_000, 14);
        Path file = dir.resolve("t.sst");
        write(file, m, SSTableOptions.defaults());
        try (SSTableReader r = SSTableReader.open(file, 1, null)) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(java.nio.channels.ClosedByInterruptException.class, () -> r.get(m.firstKey()));
            } finally {
                Thread.interrupted();
            }
            for (byte[] k : m.keySet()) {
                assertEntry(m.get(k), r.get(k));
            }
        }
    }

    static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.rewind();
            ch.write(b, offset);
        }
    }
}
