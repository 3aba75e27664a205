package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import io.ringkv.storage.Record;
import io.ringkv.storage.StorageKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measurements behind the format's choices (docs/formats.md): bytes on disk per stored byte
 * and single-thread get/scan rates, LZ4 against no compression, for 100k entries of 16-byte keys
 * and 100-byte values of three kinds. Not a test: run with -Dsstable.measure=true.
 */
@EnabledIfSystemProperty(named = "sstable.measure", matches = "true")
class SSTableMeasurement {

    @TempDir
    Path dir;

    enum Values { RANDOM_BYTES, RANDOM_ALNUM, JSON_LIKE }

    static byte[] value(Values kind, Random random, int i) {
        byte[] v = new byte[100];
        switch (kind) {
            case RANDOM_BYTES -> random.nextBytes(v);
            case RANDOM_ALNUM -> {
                String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                for (int j = 0; j < v.length; j++) {
                    v[j] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                }
            }
            case JSON_LIKE -> {
                String s = String.format("{\"id\":%d,\"name\":\"user-%d\",\"active\":%b,\"score\":%d,\"tags\":[\"a\",\"b\"],\"pad\":\"",
                    i, random.nextInt(100000), random.nextBoolean(), random.nextInt(1000));
                byte[] b = (s + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(b, 0, v, 0, 99);
                v[99] = '}';
            }
        }
        return v;
    }

    @Test
    void measure() throws IOException {
        // The first round only warms the JIT, so no configuration pays for compiling the code.
        for (int round = 0; round < 2; round++) {
            for (Values kind : Values.values()) {
                measure(kind, round == 1);
            }
        }
    }

    private void measure(Values kind, boolean print) throws IOException {
        {
            Random random = new Random(42);
            TreeMap<byte[], Entry> m = new TreeMap<>(StorageKey::compare);
            long seq = 1;
            while (m.size() < 100_000) {
                byte[] key = String.format("key:%012d", random.nextLong(1_000_000_000_000L)).getBytes(StandardCharsets.US_ASCII);
                m.put(StorageKey.encode(random.nextInt(16384), key),
                    Entry.value(seq, 1_760_000_000_000L + seq, Record.persistent(value(kind, random, (int) seq))));
                seq++;
            }
            long stored = 100_000L * (16 + 100);
            for (Compression c : Compression.values()) {
                Path file = dir.resolve(kind + "-" + c + ".sst");
                long t0 = System.nanoTime();
                SSTableInfo info = SSTableTest.write(file, m, new SSTableOptions(4096, 10, c));
                long writeNanos = System.nanoTime() - t0;
                List<byte[]> keys = new ArrayList<>(m.keySet());
                double warm;
                double cold;
                double scan;
                try (SSTableReader r = SSTableReader.open(file, 1, new BlockCache(64L << 20))) {
                    warm = getsPerSecond(r, keys);   // first pass fills the cache
                    warm = getsPerSecond(r, keys);
                }
                try (SSTableReader r = SSTableReader.open(file, 2, null)) {
                    getsPerSecond(r, keys);
                    cold = getsPerSecond(r, keys);   // every get reads and decodes a block (page cache warm)
                    scan(r);
                    long s0 = System.nanoTime();
                    int n = scan(r);
                    scan = n / ((System.nanoTime() - s0) / 1e9);
                }
                if (print) System.out.printf("%-12s %-4s file %,d bytes = %.3f bytes/stored byte; write %.0f k entries/s; "
                        + "get (cached blocks) %.0f k/s; get (uncached) %.0f k/s; scan %.0f k entries/s%n",
                    kind, c, info.fileBytes(), (double) info.fileBytes() / stored,
                    100_000 / (writeNanos / 1e9) / 1000, warm / 1000, cold / 1000, scan / 1000);
            }
        }
    }

    private static double getsPerSecond(SSTableReader r, List<byte[]> keys) throws IOException {
        Random random = new Random(7);
        int n = 200_000;
        long t0 = System.nanoTime();
        long found = 0;
        for (int i = 0; i < n; i++) {
            if (r.get(keys.get(random.nextInt(keys.size()))) != null) {
                found++;
            }
        }
        if (found != n) {
            throw new AssertionError(found);
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static int scan(SSTableReader r) throws IOException {
        int n = 0;
        try (EntryIterator it = r.iterator(null, null)) {
            while (it.next()) {
                it.key();
                it.entry();
                n++;
            }
        }
        return n;
    }
}
