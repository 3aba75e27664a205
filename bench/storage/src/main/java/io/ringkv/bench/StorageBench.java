package io.ringkv.bench;

import io.ringkv.storage.log.FsyncPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The storage benchmark of issue 3: the same workloads against ringkv's LsmEngine and RocksDB in
 * one process, with matching durability, cache, memtable, bloom filter and compression settings
 * (see {@link RocksStore} for the exact mapping). Run it through bench/storage-bench.sh.
 *
 * <p>Method. Both stores are open side by side on fresh directories and every workload runs on
 * one, then on the other, the order alternating from workload to workload, so that a busy
 * neighbour on a shared machine slows both rather than one. After every write workload the harness
 * waits for that store's flushes and compactions to finish before the other store runs, so
 * neither measures the other's background work; the wait is reported, not timed. Reads and scans
 * have a warm-up round and several timed rounds (the median is reported); fills and overwrites
 * are one pass each, since repeating them would measure a different store. A JIT warm-up pass on
 * a small data set runs first on both engines and is thrown away.
 *
 * <p>Workloads: fill random (keys 0..N-1 in a random order), read random hits, read random misses
 * (keys N..2N-1, never written), full ordered scan, short scans (from the first key of a random
 * slot, {@code scanLength} keys), overwrite (N writes to random existing keys). Bytes on disk per
 * stored byte after the fill and after the overwrite. Then, for "always", fills where every write
 * returns only when it is on disk, from several threads, to compare the two group commits.
 */
public final class StorageBench {

    private final BenchConfig config;
    private final Keys keys;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Consumer<String> engineLog;
    private boolean measuring;
    private String loadAtStart = "?";

    private StorageBench(BenchConfig config) {
        this.config = config;
        this.keys = new Keys(config.keySize(), config.valueSize(), config.compressibility(), config.seed());
        this.engineLog = line -> {
            String lower = line.toLowerCase(Locale.ROOT);
            if (config.verbose() || lower.contains("fail") || lower.contains("error") || lower.contains("corrupt")) {
                System.err.println("  [engine] " + line);
            }
        };
    }

    public static void main(String[] args) throws Exception {
        BenchConfig config;
        try {
            config = BenchConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("StorageBench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path base = config.dir() != null ? Files.createDirectories(config.dir())
                : Files.createTempDirectory("ringkv-storage-bench");
        try {
            new StorageBench(config).run(base);
        } finally {
            deleteTree(base, config.dir() != null);
        }
    }

    // ---------------------------------------------------------------- the run

    private void run(Path base) throws Exception {
        long started = System.nanoTime();
        loadAtStart = loadAverage();
        System.out.printf("storage bench: %,d keys of %d bytes, values of %d bytes (compressibility %.2f), engines %s%n",
                config.keys(), config.keySize(), config.valueSize(), config.compressibility(), config.engines());
        if (config.warmupKeys() > 0 && config.modes().contains("everysec")) {
            long n = Math.min(config.warmupKeys(), config.keys());
            System.out.printf("JIT warm-up: %,d keys on each engine (not reported)%n", n);
            StorageBench warm = new StorageBench(config.withKeys(n, n));
            warm.everysec(base.resolve("warmup"), config.threads().getLast());
        }
        measuring = true;
        if (config.modes().contains("everysec")) {
            for (int threads : config.threads()) {
                everysec(base.resolve("everysec-" + threads), threads);
            }
        }
        if (config.modes().contains("always")) {
            for (int threads : config.syncThreads()) {
                always(base.resolve("always-" + threads), threads);
            }
        }
        String report = report((System.nanoTime() - started) / 1e9);
        System.out.println();
        System.out.print(report);
        if (config.out() != null) {
            Files.createDirectories(config.out().toAbsolutePath().getParent());
            Files.writeString(config.out(), report);
            System.out.println("written to " + config.out());
        }
    }

    /** Every workload at one thread count, with everysec durability on both engines. */
    private void everysec(Path dir, int threads) throws Exception {
        section("everysec, %d thread%s", threads, threads == 1 ? "" : "s");
        List<BenchStore> stores = open(dir, false);
        try {
            long n = config.keys();
            int[] order = permutation(n, config.seed());
            int turn = 0;

            ops(stores, turn++, "fill random", threads, n, true, store -> timed(threads, n, (t, from, to, rnd) -> {
                for (long i = from; i < to; i++) {
                    byte[] k = keys.key(order[(int) i]);
                    store.put(Keys.slot(k), k, keys.value(rnd));
                }
            }));
            diskRow(stores, dir, "bytes on disk / stored byte, after fill", threads);
            // Then every engine writes its memtable out, so that the reads below go to tables
            // (not to a memtable holding half the data) and the on-disk size is that of the
            // data alone, compressed, without the log that still covered the memtable.
            for (BenchStore s : stores) {
                long t0 = System.nanoTime();
                s.flush();
                boolean idle = s.awaitIdle(config.settleSeconds() * 1000);
                System.out.printf("  %-40s %-8s %.1f s%s%n", "flush memtable + settle", s.name(),
                        (System.nanoTime() - t0) / 1e9, idle ? "" : " (TIMED OUT)");
            }
            diskRow(stores, dir, "bytes on disk / stored byte, fill + flush", threads);

            AtomicLong wrong = new AtomicLong();
            long reads = config.reads();
            ops(stores, turn++, "read random (hits)", threads, reads, false, store -> rounds(
                    count -> timed(threads, count, (t, from, to, rnd) -> {
                        for (long i = from; i < to; i++) {
                            byte[] k = keys.key(rnd.nextLong(n));
                            if (store.get(Keys.slot(k), k) != keys.valueSize()) {
                                wrong.incrementAndGet();
                            }
                        }
                    }), reads));
            check(wrong, "read random (hits): keys not found or of the wrong size");

            ops(stores, turn++, "read random (misses)", threads, reads, false, store -> rounds(
                    count -> timed(threads, count, (t, from, to, rnd) -> {
                        for (long i = from; i < to; i++) {
                            byte[] k = keys.key(n + rnd.nextLong(n));
                            if (store.get(Keys.slot(k), k) >= 0) {
                                wrong.incrementAndGet();
                            }
                        }
                    }), reads));
            check(wrong, "read random (misses): never-written keys found");

            // One ordered pass over everything, on one thread (a full scan is one client's job).
            ops(stores, turn++, "full scan (keys/s)", 1, n, false, store -> rounds(count -> {
                long[] bytes = {0};
                long t0 = System.nanoTime();
                long seen = store.fullScan((key, valueLength) -> bytes[0] += key.length + valueLength);
                double rate = seen / ((System.nanoTime() - t0) / 1e9);
                if (seen != n) {
                    wrong.incrementAndGet();
                    note("%s full scan saw %,d keys, expected %,d", store.name(), seen, n);
                }
                return rate;
            }, 0));

            int scans = config.scans();
            int length = config.scanLength();
            ops(stores, turn++, "short scans of " + length + " (scans/s)", threads, scans, false, store -> rounds(
                    count -> timed(threads, count, (t, from, to, rnd) -> {
                        long[] bytes = {0};
                        for (long i = from; i < to; i++) {
                            store.shortScan(rnd.nextInt(16384), length, (key, valueLength) -> bytes[0] += valueLength);
                        }
                    }), scans));

            ops(stores, turn++, "overwrite", threads, n, true, store -> timed(threads, n, (t, from, to, rnd) -> {
                for (long i = from; i < to; i++) {
                    byte[] k = keys.key(rnd.nextLong(n));
                    store.put(Keys.slot(k), k, keys.value(rnd));
                }
            }));
            diskRow(stores, dir, "bytes on disk / stored byte, after overwrite", threads);
            for (BenchStore s : stores) {
                note("everysec %d thread(s), %s at the end: %s", threads, s.name(), s.describe());
            }
        } finally {
            closeAll(stores);
        }
    }

    /** Fills where each write returns only once it is durable: ALWAYS against sync=true. */
    private void always(Path dir, int threads) throws Exception {
        section("always (fsync per acknowledged write), %d thread%s", threads, threads == 1 ? "" : "s");
        List<BenchStore> stores = open(dir, true);
        try {
            long n = config.syncOps();
            int[] order = permutation(n, config.seed() + threads);
            ops(stores, threads, "fill random, always/sync", threads, n, true, store -> timed(threads, n, (t, from, to, rnd) -> {
                for (long i = from; i < to; i++) {
                    byte[] k = keys.key(order[(int) i]);
                    store.put(Keys.slot(k), k, keys.value(rnd));
                }
            }));
        } finally {
            closeAll(stores);
        }
    }

    // ---------------------------------------------------------------- machinery

    @FunctionalInterface
    private interface Measure {
        double opsPerSecond(BenchStore store) throws Exception;
    }

    @FunctionalInterface
    private interface Rate {
        double get(long ops) throws Exception;
    }

    @FunctionalInterface
    private interface Worker {
        void run(int thread, long from, long to, SplittableRandom rnd) throws Exception;
    }

    private List<BenchStore> open(Path dir, boolean syncEveryWrite) throws Exception {
        List<BenchStore> stores = new ArrayList<>();
        try {
            for (String engine : config.engines()) {
                Path d = Files.createDirectories(dir.resolve(engine));
                stores.add(engine.equals("ringkv")
                        ? new RingkvStore(d, syncEveryWrite ? FsyncPolicy.ALWAYS : FsyncPolicy.EVERYSEC, config, engineLog)
                        : new RocksStore(d, syncEveryWrite, config, engineLog));
            }
        } catch (Exception e) {
            closeAll(stores);
            throw e;
        }
        return stores;
    }

    /**
     * Runs one workload on every store, the order alternating with {@code turn}; after a write
     * workload, waits for the store's background work before the next store starts.
     */
    private void ops(List<BenchStore> stores, int turn, String workload, int threads, long ops, boolean writes,
            Measure measure) throws Exception {
        Map<String, Double> result = new LinkedHashMap<>();
        List<BenchStore> order = new ArrayList<>(stores);
        if (turn % 2 == 1) {
            order = order.reversed();
        }
        for (BenchStore store : order) {
            System.gc();
            double rate = measure.opsPerSecond(store);
            result.put(store.name(), rate);
            String settled = "";
            if (writes) {
                long t0 = System.nanoTime();
                boolean idle = store.awaitIdle(config.settleSeconds() * 1000);
                double secs = (System.nanoTime() - t0) / 1e9;
                settled = String.format("; background work settled in %.1f s%s", secs, idle ? "" : " (TIMED OUT)");
                if (measuring && !idle) {
                    note("%s: %s did not settle within %d s after %s", workload, store.name(), config.settleSeconds(), workload);
                }
            }
            System.out.printf("%s  %-40s %-8s %,14.0f ops/s%s%n", measuring ? "" : "[warm-up]", workload, store.name(),
                    rate, settled);
        }
        rows.add(new Row(workload, threads, "ops/s", result.get("ringkv"), result.get("rocksdb")));
    }

    private void diskRow(List<BenchStore> stores, Path dir, String what, int threads) throws IOException {
        double stored = (double) config.keys() * (config.keySize() + config.valueSize());
        Map<String, Double> total = new LinkedHashMap<>();
        for (BenchStore store : stores) {
            long[] sizes = diskBytes(dir.resolve(store.name()));
            total.put(store.name(), sizes[0] / stored);
            System.out.printf("  %-40s %-8s %.3f (tables %.3f; %,d bytes in %d files)%n", what, store.name(),
                    sizes[0] / stored, sizes[1] / stored, sizes[0], sizes[2]);
            if (measuring) {
                note("%s, %d thread(s), %s: %.3f total, %.3f in tables (%,d bytes, %d files)", what, threads, store.name(),
                        sizes[0] / stored, sizes[1] / stored, sizes[0], sizes[2]);
            }
        }
        rows.add(new Row(what, threads, "ratio", total.get("ringkv"), total.get("rocksdb")));
    }

    /**
     * {total bytes, table bytes, files}. RocksDB's text info logs (LOG, LOG.old.*) are left out:
     * they are diagnostics, not data, and ringkv writes its log lines elsewhere.
     */
    private static long[] diskBytes(Path dir) throws IOException {
        long[] out = new long[3];
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(p -> {
                String name = p.getFileName().toString();
                if (name.equals("LOG") || name.startsWith("LOG.old")) {
                    return;
                }
                try {
                    long size = Files.size(p);
                    out[0] += size;
                    if (name.endsWith(".sst")) {
                        out[1] += size;
                    }
                    out[2]++;
                } catch (IOException e) {
                    // A file deleted by a compaction between the listing and the stat.
                }
            });
        }
        return out;
    }

    /** A warm-up round of a fifth of the ops, then config.rounds() timed rounds; the median. */
    private double rounds(Rate rate, long ops) throws Exception {
        if (ops > 0) {
            rate.get(Math.max(1, ops / 5));
        }
        double[] rates = new double[Math.max(1, config.rounds())];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = rate.get(ops);
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    /**
     * Runs {@code ops} operations split evenly over {@code threads} threads, which start together;
     * returns ops/s over the wall time from the start to the last thread's end.
     */
    private double timed(int threads, long ops, Worker worker) throws Exception {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long seedBase = new SplittableRandom().nextLong();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            long from = ops * t / threads;
            long to = ops * (t + 1) / threads;
            workers[t] = new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seedBase + thread);
                ready.countDown();
                try {
                    go.await();
                    worker.run(thread, from, to, rnd);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-" + t);
            workers[t].start();
        }
        ready.await();
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("a benchmark thread failed", failure.get());
        }
        return ops / (elapsed / 1e9);
    }

    private static int[] permutation(long n, long seed) {
        int[] order = new int[(int) n];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    private void check(AtomicLong wrong, String what) {
        long w = wrong.getAndSet(0);
        if (w > 0) {
            note("WRONG RESULTS: %s: %,d", what, w);
            System.out.printf("  WRONG RESULTS: %s: %,d%n", what, w);
        }
    }

    private void note(String format, Object... args) {
        if (measuring) {
            notes.add(String.format(format, args));
        }
    }

    private void section(String format, Object... args) {
        System.out.println((measuring ? "" : "[warm-up] ") + String.format(format, args));
    }

    private static void closeAll(List<BenchStore> stores) {
        for (BenchStore s : stores) {
            try {
                s.close();
            } catch (Exception e) {
                System.err.println("closing " + s.name() + " failed: " + e);
            }
        }
    }

    private static void deleteTree(Path dir, boolean keepRoot) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).filter(p -> !(keepRoot && p.equals(dir))).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    // ---------------------------------------------------------------- the report

    private record Row(String workload, int threads, String unit, Double ringkv, Double rocksdb) {
    }

    private String report(double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ringkv storage engine vs RocksDB\n\n");
        sb.append(String.format("%s; %,d keys of %d bytes, values of %d bytes (compressibility %.2f); %,d reads per round, "
                + "%d rounds (median), %d short scans per round; always/sync fills of %,d writes.%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME.withLocale(Locale.ROOT)).substring(0, 19),
                config.keys(), config.keySize(), config.valueSize(), config.compressibility(), config.reads(),
                config.rounds(), config.scans(), config.syncOps()));
        sb.append(String.format("Java %s, %d CPUs, RocksDB %s; both: memtable/write buffer %d MiB, block cache %d MiB, "
                + "4 KiB blocks, bloom %d bits/key, LZ4. Run took %.0f s; load average at the start %s, at the end %s "
                + "(other processes share the CPUs: ratios from one run are only as steady as that).%n%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), rocksdbVersion(),
                config.memtableBytes() >> 20, config.blockCacheBytes() >> 20, config.bloomBitsPerKey(), seconds,
                loadAtStart, loadAverage()));
        sb.append("| workload | threads | ringkv | rocksdb | ringkv/rocksdb |\n");
        sb.append("|---|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            boolean rate = r.unit().equals("ops/s");
            sb.append(String.format("| %s | %d | %s | %s | %s |%n", r.workload(), r.threads(),
                    format(r.ringkv(), rate), format(r.rocksdb(), rate),
                    r.ringkv() != null && r.rocksdb() != null && r.rocksdb() > 0
                            ? String.format("%.2f", r.ringkv() / r.rocksdb()) : "-"));
        }
        sb.append("\nops/s unless stated; full scan in keys/s, short scans in scans/s; bytes on disk / stored byte = all files "
                + "of the engine's directory (RocksDB's text LOG left out) / (keys x (key + value bytes)), after background "
                + "work settled.\n");
        if (!notes.isEmpty()) {
            sb.append("\nNotes:\n");
            for (String n : notes) {
                sb.append("- ").append(n).append('\n');
            }
        }
        return sb.toString();
    }

    private static String format(Double v, boolean rate) {
        if (v == null) {
            return "-";
        }
        return rate ? String.format("%,.0f", v) : String.format("%.3f", v);
    }

    /** The 1-minute load average (Linux), to tell a quiet machine's run from a busy one's. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String rocksdbVersion() {
        try {
            return org.rocksdb.RocksDB.rocksdbVersion().toString();
        } catch (Throwable e) {
            return "?";
        }
    }
}
