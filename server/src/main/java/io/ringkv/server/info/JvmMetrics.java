package io.ringkv.server.info;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Optional;

/**
 * What INFO reports about the process itself, read from the JVM. Redis reads the same facts from
 * its allocator, getrusage() and uname(); a JVM exposes them through its management beans. A
 * value the running JVM cannot provide is absent (empty or negative), and INFO then leaves the
 * field out instead of printing a made-up number.
 */
public interface JvmMetrics {

    /** Bytes of heap in use: the JVM's counterpart of Redis's used_memory. */
    long heapUsedBytes();

    /**
     * The most heap the JVM will use (-Xmx), or -1 when it has no limit: with heapUsedBytes, how
     * full the node is (Redis's used_memory against maxmemory has no JVM counterpart in INFO).
     */
    long heapMaxBytes();

    /** Physical memory of the machine, or -1 when the JVM does not expose it. */
    long totalSystemMemoryBytes();

    /** CPU time in user mode of all live threads, in nanoseconds, or -1 if not measurable. */
    long userCpuNanos();

    /** CPU time in kernel mode of all live threads, in nanoseconds, or -1 if not measurable. */
    long systemCpuNanos();

    /**
     * CPU time of the whole process (user and kernel, every thread that ever ran), in
     * nanoseconds, or -1 if not measurable. Unlike the per-thread sums above it never goes down,
     * so it can be exported as a counter.
     */
    long processCpuNanos();

    long pid();

    /** The executable of the running process (the java launcher), if the OS reports it. */
    Optional<String> executable();

    /** "sysname release machine", as Redis prints uname() ("Linux 6.1.0 x86_64"). */
    String os();

    int archBits();

    /** The metrics of the running JVM. */
    static JvmMetrics current() {
        return new Current();
    }

    final class Current implements JvmMetrics {

        @Override
        public long heapUsedBytes() {
            Runtime runtime = Runtime.getRuntime();
            return runtime.totalMemory() - runtime.freeMemory();
        }

        @Override
        public long heapMaxBytes() {
            long max = Runtime.getRuntime().maxMemory();
            return max == Long.MAX_VALUE ? -1 : max;
        }

        @Override
        public long totalSystemMemoryBytes() {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return sun.getTotalMemorySize();
            }
            return -1;
        }

        @Override
        public long processCpuNanos() {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
                return sun.getProcessCpuTime();
            }
            return -1;
        }

        @Override
        public long userCpuNanos() {
            return cpu(true);
        }

        @Override
        public long systemCpuNanos() {
            long total = cpu(false);
            long user = cpu(true);
            return total < 0 || user < 0 ? -1 : Math.max(0, total - user);
        }

        /*
         * The sum over live threads. The JVM offers no process-wide user/system split (only the
         * total, in com.sun.management), so threads that have ended are not counted: for a
         * server whose threads are its long-lived event loops and cron, that is a small
         * undercount, never an invented value.
         */
        private static long cpu(boolean userOnly) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
                return -1;
            }
            long sum = 0;
            for (long id : threads.getAllThreadIds()) {
                long t = userOnly ? threads.getThreadUserTime(id) : threads.getThreadCpuTime(id);
                if (t > 0) {
                    sum += t;
                }
            }
            return sum;
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public Optional<String> executable() {
            return ProcessHandle.current().info().command();
        }

        @Override
        public String os() {
            String arch = System.getProperty("os.arch", "");
            // uname -m names; Java reports amd64 for x86_64.
            if (arch.equals("amd64")) {
                arch = "x86_64";
            }
            return System.getProperty("os.name", "") + " " + System.getProperty("os.version", "") + " " + arch;
        }

        @Override
        public int archBits() {
            String model = System.getProperty("sun.arch.data.model");
            if (model != null && !model.equals("unknown")) {
                return Integer.parseInt(model);
            }
            return System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).contains("64") ? 64 : 32;
        }
    }
}
