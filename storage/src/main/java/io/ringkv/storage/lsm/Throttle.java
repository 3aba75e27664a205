package io.ringkv.storage.lsm;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Paces one compaction's output to a byte rate, so that its disk writes leave room for the
 * foreground's log appends and table reads (RocksDB's rate limiter, in its simplest form).
 *
 * <p>It measures elapsed time with a monotonic tick source, not the engine's wall {@link
 * java.time.Clock}: pacing is about real elapsed time on this machine and must not jump with
 * clock adjustments (or stop in tests, where the clock is frozen; tests run unthrottled).
 */
final class Throttle {

    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private long bytes;

    Throttle(long bytesPerSecond, LongSupplier nanoTime) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    void wrote(long n) {
        if (bytesPerSecond <= 0) {
            return;
        }
        bytes += n;
        long dueNanos = (long) (bytes * 1e9 / bytesPerSecond);
        long ahead = dueNanos - (nanoTime.getAsLong() - startNanos);
        // Sleeping in slices of at least a millisecond keeps the number of wake-ups low.
        if (ahead > 1_000_000) {
            LockSupport.parkNanos(ahead);
        }
    }
}
