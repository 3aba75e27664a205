package io.ringkv.cluster.gossip;

/**
 * The phi-accrual failure detector (Hayashibara et al. 2004, in the form Akka and Cassandra
 * use) for one monitored member, as one node sees it. Pure: the caller reports when a fresh
 * heartbeat of the member reached this node and asks, at any time, how suspicious the silence
 * since then is. docs/gossip.md says why phi rather than a fixed timeout.
 *
 * <p>The detector keeps the last {@code windowSize} inter-arrival times and models the next one
 * as a normal distribution with their mean and standard deviation. phi is -log10 of the
 * probability that a heartbeat arrives later than now, given that distribution: phi = 1 means
 * a 10% chance that we are wrong to suspect, phi = 8 about 1 in 10^8. Two allowances keep it
 * from being too eager on a very regular stream:
 * <ul>
 *   <li>{@code minStdDeviationMillis}: a stream of nearly identical intervals has a tiny
 *       deviation, and then a delay of a few milliseconds would send phi to infinity;</li>
 *   <li>{@code acceptablePauseMillis} is added to the mean: a pause this long (a GC pause, a
 *       gossip message that went round a few extra hops) is expected and not a failure.</li>
 * </ul>
 * Until real intervals have been seen the window is seeded, as Akka does, with two samples
 * around {@code firstHeartbeatEstimateMillis} (mean the estimate, deviation a quarter of it),
 * so a member that is never heard from again after it was first learned is still suspected.
 *
 * <p>Intervals longer than {@code maxSampleMillis} are not recorded (Cassandra does the same):
 * such a gap is an outage the member came back from, not the rhythm of its heartbeats, and
 * recording it would inflate the mean and deviation so much that the next real failure would
 * take minutes to notice.
 *
 * <p>Time is whatever monotonic millisecond clock the caller uses; a heartbeat reported with an
 * earlier time than the previous one counts as an interval of zero. Not thread-safe.
 */
public final class PhiAccrualFailureDetector {

    /** Upper bound for {@code maxSampleMillis}: keeps the sum of squares of a full window in a long. */
    public static final long MAX_SAMPLE_LIMIT_MILLIS = 3_600_000L;
    /** Upper bound for the window, for the same reason. */
    public static final int MAX_WINDOW_SIZE = 100_000;

    private final long minStdDeviationMillis;
    private final long acceptablePauseMillis;
    private final long maxSampleMillis;

    // A ring buffer of the last intervals, with running sums so that phi costs O(1): the
    // simulation asks for phi of every member on every node many times a round.
    private final long[] intervals;
    private int count;
    private int next;
    private long sum;
    private long sumOfSquares;

    private long lastHeartbeatMillis;
    private boolean started;

    public PhiAccrualFailureDetector(int windowSize, long minStdDeviationMillis, long acceptablePauseMillis,
                                     long firstHeartbeatEstimateMillis, long maxSampleMillis) {
        if (windowSize < 2 || windowSize > MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("windowSize must be 2.." + MAX_WINDOW_SIZE + ": " + windowSize);
        }
        if (minStdDeviationMillis < 1) {
            throw new IllegalArgumentException("minStdDeviationMillis must be >= 1: " + minStdDeviationMillis);
        }
        if (acceptablePauseMillis < 0) {
            throw new IllegalArgumentException("acceptablePauseMillis must be >= 0: " + acceptablePauseMillis);
        }
        if (firstHeartbeatEstimateMillis < 1 || firstHeartbeatEstimateMillis > maxSampleMillis) {
            throw new IllegalArgumentException("firstHeartbeatEstimateMillis must be 1..maxSampleMillis: "
                + firstHeartbeatEstimateMillis);
        }
        if (maxSampleMillis > MAX_SAMPLE_LIMIT_MILLIS) {
            throw new IllegalArgumentException("maxSampleMillis must be <= " + MAX_SAMPLE_LIMIT_MILLIS);
        }
        this.minStdDeviationMillis = minStdDeviationMillis;
        this.acceptablePauseMillis = acceptablePauseMillis;
        this.maxSampleMillis = maxSampleMillis;
        this.intervals = new long[windowSize];
        long deviation = firstHeartbeatEstimateMillis / 4;
        record(firstHeartbeatEstimateMillis - deviation);
        record(firstHeartbeatEstimateMillis + deviation);
    }

    /** A fresh heartbeat of the member reached this node at {@code nowMillis}. */
    public void heartbeat(long nowMillis) {
        if (started) {
            long interval = Math.max(0, nowMillis - lastHeartbeatMillis);
            if (interval <= maxSampleMillis) {
                record(interval);
            }
            lastHeartbeatMillis = Math.max(lastHeartbeatMillis, nowMillis);
        } else {
            started = true;
            lastHeartbeatMillis = nowMillis;
        }
    }

    private void record(long interval) {
        if (count == intervals.length) {
            long old = intervals[next];
            sum -= old;
            sumOfSquares -= old * old;
        } else {
            count++;
        }
        intervals[next] = interval;
        next = (next + 1) % intervals.length;
        sum += interval;
        sumOfSquares += interval * interval;
    }

    /**
     * How suspicious the silence since the last heartbeat is at {@code nowMillis}: 0 before any
     * heartbeat, small while heartbeats keep their rhythm, growing without bound (up to
     * infinity) with silence.
     */
    public double phi(long nowMillis) {
        if (!started) {
            return 0.0;
        }
        long sinceLast = Math.max(0, nowMillis - lastHeartbeatMillis);
        double mean = meanMillis() + acceptablePauseMillis;
        double deviation = Math.max(stdDeviationMillis(), minStdDeviationMillis);
        return phi(sinceLast, mean, deviation);
    }

    /**
     * -log10(1 - F(t)) for the normal distribution (mean, deviation), with F approximated by
     * the logistic function as in Akka's PhiAccrualFailureDetector (Bowling et al. 2009: within
     * 1.4e-4 of F everywhere, no erf needed; 3 deviations out it gives phi 2.91 for the exact
     * 2.87). The two branches keep the precision on each side of the mean: far in the tail 1 - F
     * is e/(1+e) with e tiny, which would round to 0 written the other way.
     */
    static double phi(double sinceLast, double mean, double deviation) {
        double y = (sinceLast - mean) / deviation;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        if (sinceLast > mean) {
            return -Math.log10(e / (1.0 + e));
        }
        return -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    /** True while phi is below {@code threshold}. */
    public boolean isAvailable(long nowMillis, double threshold) {
        return phi(nowMillis) < threshold;
    }

    public double meanMillis() {
        return (double) sum / count;
    }

    public double stdDeviationMillis() {
        double mean = meanMillis();
        double variance = (double) sumOfSquares / count - mean * mean;
        return variance <= 0 ? 0.0 : Math.sqrt(variance);
    }

    /** Intervals in the window, including the two seeded at construction until they slide out. */
    public int samples() {
        return count;
    }

    /** When the last heartbeat arrived; meaningful once one has. */
    public long lastHeartbeatMillis() {
        return lastHeartbeatMillis;
    }
}
