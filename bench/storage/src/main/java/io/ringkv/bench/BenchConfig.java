package io.ringkv.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The harness's options (bench/storage-bench.sh documents them; --help prints them). */
record BenchConfig(long keys, int keySize, int valueSize, double compressibility, List<Integer> threads,
        List<String> modes, List<Integer> syncThreads, long syncOps, long reads, int rounds, int scans, int scanLength,
        long warmupKeys, long settleSeconds, List<String> engines, long memtableBytes, long blockCacheBytes,
        int bloomBitsPerKey, Path dir, Path out, long seed, boolean verbose) {

    static final String USAGE = """
            StorageBench: ringkv's LsmEngine against RocksDB, same workloads, same process.
              --keys N              keys filled (1000000)
              --key-size B          key bytes, at least 8 (16)
              --value-size B        value bytes (100)
              --compressibility F   fraction of each value LZ4 can squeeze out, as db_bench's (0.5)
              --threads L           client threads for the everysec workloads (1,4)
              --mode L              everysec, always or both (everysec,always)
              --sync-threads L      threads for the always (fsync per write) fills (1,4,16)
              --sync-ops N          writes per always fill (20000)
              --reads N             random reads per timed round (min(keys, 500000))
              --rounds N            timed rounds of reads and scans; the median is reported (3)
              --scans N             short scans per round (1000)
              --scan-length N       keys per short scan (100)
              --warmup-keys N       keys of the JIT warm-up pass on both engines, 0 = none (100000)
              --settle-seconds N    longest wait for flushes and compactions after writes (120)
              --engines L           ringkv,rocksdb
              --memtable-mb N       memtable / write buffer (64)
              --cache-mb N          block cache (256)
              --bloom-bits N        bloom filter bits per key (10)
              --dir PATH            where the engines' directories go (a fresh temp dir)
              --out FILE            also write the report there
              --seed N              random seed (42)
              --verbose             print the engines' log lines
            """;

    static BenchConfig parse(String[] args) {
        long keys = 1_000_000;
        int keySize = 16;
        int valueSize = 100;
        double compressibility = 0.5;
        List<Integer> threads = List.of(1, 4);
        List<String> modes = List.of("everysec", "always");
        List<Integer> syncThreads = List.of(1, 4, 16);
        long syncOps = 20_000;
        long reads = -1;
        int rounds = 3;
        int scans = 1000;
        int scanLength = 100;
        long warmupKeys = 100_000;
        long settleSeconds = 120;
        List<String> engines = List.of("ringkv", "rocksdb");
        long memtableMb = 64;
        long cacheMb = 256;
        int bloomBits = 10;
        Path dir = null;
        Path out = null;
        long seed = 42;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--verbose")) {
                verbose = true;
                continue;
            }
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--keys" -> keys = Long.parseLong(v);
                case "--key-size" -> keySize = Integer.parseInt(v);
                case "--value-size" -> valueSize = Integer.parseInt(v);
                case "--compressibility" -> compressibility = Double.parseDouble(v);
                case "--threads" -> threads = ints(v);
                case "--mode" -> modes = v.equals("both") ? List.of("everysec", "always") : List.of(v.split(","));
                case "--sync-threads" -> syncThreads = ints(v);
                case "--sync-ops" -> syncOps = Long.parseLong(v);
                case "--reads" -> reads = Long.parseLong(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--scans" -> scans = Integer.parseInt(v);
                case "--scan-length" -> scanLength = Integer.parseInt(v);
                case "--warmup-keys" -> warmupKeys = Long.parseLong(v);
                case "--settle-seconds" -> settleSeconds = Long.parseLong(v);
                case "--engines" -> engines = List.of(v.split(","));
                case "--memtable-mb" -> memtableMb = Long.parseLong(v);
                case "--cache-mb" -> cacheMb = Long.parseLong(v);
                case "--bloom-bits" -> bloomBits = Integer.parseInt(v);
                case "--dir" -> dir = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
            }
        }
        if (keySize < 8) {
            throw new IllegalArgumentException("--key-size must be at least 8 (keys are unique by their first 8 bytes)");
        }
        if (keys < 1 || keys > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("--keys must be in 1.." + Integer.MAX_VALUE / 2);
        }
        for (String m : modes) {
            if (!m.equals("everysec") && !m.equals("always")) {
                throw new IllegalArgumentException("--mode is everysec, always or both: " + m);
            }
        }
        for (String e : engines) {
            if (!e.equals("ringkv") && !e.equals("rocksdb")) {
                throw new IllegalArgumentException("--engines takes ringkv and/or rocksdb: " + e);
            }
        }
        if (reads < 0) {
            reads = Math.min(keys, 500_000);
        }
        return new BenchConfig(keys, keySize, valueSize, compressibility, threads, modes, syncThreads, syncOps, reads,
                rounds, scans, scanLength, warmupKeys, settleSeconds, engines, memtableMb << 20, cacheMb << 20, bloomBits,
                dir, out, seed, verbose);
    }

    BenchConfig withKeys(long n, long readCount) {
        return new BenchConfig(n, keySize, valueSize, compressibility, threads, modes, syncThreads, syncOps, readCount,
                1, Math.min(scans, 100), scanLength, warmupKeys, settleSeconds, engines, memtableBytes, blockCacheBytes,
                bloomBitsPerKey, dir, out, seed + 1, verbose);
    }

    private static List<Integer> ints(String v) {
        List<Integer> out = new ArrayList<>();
        for (String s : v.split(",")) {
            out.add(Integer.parseInt(s.trim()));
        }
        return List.copyOf(out);
    }
}
