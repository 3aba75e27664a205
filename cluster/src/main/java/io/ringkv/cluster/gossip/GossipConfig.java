package io.ringkv.cluster.gossip;

/**
 * The knobs of gossip and failure detection. {@link #defaults()} is what docs/gossip.md
 * measures: a round every second to 3 peers; phi-accrual with Akka's threshold 8, a 3 s
 * acceptable pause and a 200 ms minimum deviation; DOWN needs one node besides this one.
 *
 * @param gossipIntervalMillis  time between two rounds of a node (its heartbeat period)
 * @param fanout                live peers a node sends its digest to each round
 * @param phiThreshold          phi at or above which this node suspects a member
 * @param windowSize            inter-arrival times the detector remembers
 * @param minStdDeviationMillis floor of the detector's standard deviation
 * @param acceptablePauseMillis silence beyond the usual interval that is not yet suspicious
 * @param maxSampleMillis       longer intervals are outages, left out of the detector's window
 * @param confirmingSources     other nodes that must report suspecting a member before this
 *                              node, suspecting it too, marks it DOWN (1: two sources in all)
 * @param reportTtlMillis       how long another node's report of suspicion stays usable
 */
public record GossipConfig(long gossipIntervalMillis, int fanout, double phiThreshold, int windowSize,
                           long minStdDeviationMillis, long acceptablePauseMillis, long maxSampleMillis,
                           int confirmingSources, long reportTtlMillis) {

    public GossipConfig {
        if (gossipIntervalMillis < 1) {
            throw new IllegalArgumentException("gossipIntervalMillis must be >= 1: " + gossipIntervalMillis);
        }
        if (fanout < 1) {
            throw new IllegalArgumentException("fanout must be >= 1: " + fanout);
        }
        if (!(phiThreshold > 0)) {
            throw new IllegalArgumentException("phiThreshold must be > 0: " + phiThreshold);
        }
        if (confirmingSources < 1) {
            // Zero would let one node's detector alone mark a member DOWN, which is exactly
            // what the design forbids (DESIGN.md "Failure handling").
            throw new IllegalArgumentException("confirmingSources must be >= 1: " + confirmingSources);
        }
        if (reportTtlMillis < gossipIntervalMillis) {
            throw new IllegalArgumentException("reportTtlMillis must be >= gossipIntervalMillis");
        }
        // The detector's own arguments are checked when the first one is made, here, so that a
        // bad config fails at construction rather than at the first member learned.
        newDetector(gossipIntervalMillis, windowSize, minStdDeviationMillis, acceptablePauseMillis, maxSampleMillis);
    }

    public static GossipConfig defaults() {
        return new GossipConfig(1000, 3, 8.0, 100, 200, 3000, 10_000, 1, 30_000);
    }

    public GossipConfig withFanout(int newFanout) {
        return new GossipConfig(gossipIntervalMillis, newFanout, phiThreshold, windowSize, minStdDeviationMillis,
            acceptablePauseMillis, maxSampleMillis, confirmingSources, reportTtlMillis);
    }

    /** A detector for one member; its first-heartbeat estimate is the gossip interval. */
    public PhiAccrualFailureDetector newDetector() {
        return newDetector(gossipIntervalMillis, windowSize, minStdDeviationMillis, acceptablePauseMillis,
            maxSampleMillis);
    }

    private static PhiAccrualFailureDetector newDetector(long interval, int window, long minStd, long pause,
                                                         long maxSample) {
        return new PhiAccrualFailureDetector(window, minStd, pause, interval, maxSample);
    }
}
