package io.ringkv.cluster.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhiAccrualFailureDetectorTest {

    private static final double THRESHOLD = 8.0;

    /** The defaults of GossipConfig: window 100, min deviation 200 ms, pause 3 s, estimate 1 s. */
    private static PhiAccrualFailureDetector detector() {
        return GossipConfig.defaults().newDetector();
    }

    /** Heartbeats every {@code interval} ms from 0; returns the time of the last one. */
    private static long regular(PhiAccrualFailureDetector d, int beats, long interval) {
        long t = 0;
        for (int i = 0; i < beats; i++) {
            t = i * interval;
            d.heartbeat(t);
        }
        return t;
    }

    @Test
    void phiIsZeroBeforeAnyHeartbeat() {
        assertEquals(0.0, detector().phi(1_000_000), 0.0);
        assertTrue(detector().isAvailable(1_000_000, THRESHOLD));
    }

    @Test
    void theFormulaMatchesTheNormalTail() {
        // At the mean, half the heartbeats are later: phi = -log10(0.5).
        assertEquals(Math.log10(2), PhiAccrualFailureDetector.phi(1000, 1000, 100), 1e-4);
        // One deviation later, P(later) = 0.1587 (standard normal): phi = 0.7995.
        assertEquals(0.7995, PhiAccrualFailureDetector.phi(1100, 1000, 100), 2e-3);
        // Three deviations: P = 0.00135, phi = 2.87.
        // (The logistic approximation is within 1.4e-4 of F everywhere, so 2.91 here.)
        assertEquals(2.87, PhiAccrualFailureDetector.phi(1300, 1000, 100), 0.05);
        // Far in the tail phi keeps growing instead of rounding to a constant or NaN.
        double far = PhiAccrualFailureDetector.phi(2000, 1000, 100);
        assertTrue(far > 30 && !Double.isNaN(far), "phi " + far);
        assertEquals(Double.POSITIVE_INFINITY, PhiAccrualFailureDetector.phi(1e9, 1000, 100));
    }

    @Test
    void phiGrowsWithSilence() {
        PhiAccrualFailureDetector d = detector();
        long last = regular(d, 50, 1000);
        double previous = -1;
        for (long silence = 0; silence <= 20_000; silence += 500) {
            double phi = d.phi(last + silence);
            assertTrue(phi >= previous, "phi fell from " + previous + " to " + phi + " at " + silence);
            previous = phi;
        }
        assertTrue(d.phi(last + 10_000) > THRESHOLD);
        assertFalse(d.isAvailable(last + 10_000, THRESHOLD));
    }

    @Test
    void aRegularStreamKeepsPhiLow() {
        PhiAccrualFailureDetector d = detector();
        SplittableRandom random = new SplittableRandom(7);
        long t = 0;
        double worst = 0;
        for (int i = 0; i < 1000; i++) {
            // 1 s intervals with +-300 ms jitter, checked just before each heartbeat lands.
            t += 700 + random.nextInt(601);
            worst = Math.max(worst, d.phi(t));
            d.heartbeat(t);
        }
        assertTrue(worst < 1.0, "worst phi " + worst);
        assertEquals(1000, d.meanMillis(), 40);
    }

    @Test
    void aSingleLateHeartbeatWithinTheAcceptablePauseIsNotAFailure() {
        PhiAccrualFailureDetector d = detector();
        long last = regular(d, 100, 1000);
        // The next heartbeat comes 3.5 s late: 1 s interval + the 3 s allowance, half a second short of it.
        assertTrue(d.isAvailable(last + 3500, THRESHOLD), "phi " + d.phi(last + 3500));
        assertTrue(d.phi(last + 3500) < 1.0);
        d.heartbeat(last + 3500);
        // ...and the rhythm after it is unaffected.
        assertTrue(d.phi(last + 4500) < 1.0);
    }

    @Test
    void withoutTheAllowanceTheSameDelayWouldBeAFailure() {
        PhiAccrualFailureDetector strict = new PhiAccrualFailureDetector(100, 200, 0, 1000, 10_000);
        long last = regular(strict, 100, 1000);
        assertFalse(strict.isAvailable(last + 3500, THRESHOLD), "phi " + strict.phi(last + 3500));
    }

    @Test
    void theMinimumDeviationKeepsAPerfectStreamFromBeingBrittle() {
        // Identical intervals: a true deviation of 0 (once the seeded samples slid out).
        PhiAccrualFailureDetector d = new PhiAccrualFailureDetector(20, 200, 0, 1000, 10_000);
        long last = regular(d, 100, 1000);
        assertEquals(0.0, d.stdDeviationMillis(), 1e-9);
        // 100 ms late is half a minimum deviation: unremarkable.
        assertTrue(d.phi(last + 1100) < 1.0, "phi " + d.phi(last + 1100));
    }

    @Test
    void aMemberNeverHeardFromAgainIsSuspectedFromTheSeededEstimate() {
        PhiAccrualFailureDetector d = detector();
        d.heartbeat(5000);
        assertTrue(d.isAvailable(5000 + 4000, THRESHOLD));
        assertFalse(d.isAvailable(5000 + 10_000, THRESHOLD));
    }

    @Test
    void anOutageIsNotRecordedAsAnInterval() {
        PhiAccrualFailureDetector d = detector();
        long last = regular(d, 100, 1000);
        double mean = d.meanMillis();
        int samples = d.samples();
        d.heartbeat(last + 60_000);
        assertEquals(samples, d.samples());
        assertEquals(mean, d.meanMillis(), 1e-9);
        // Detection after the comeback is as fast as before.
        assertFalse(d.isAvailable(last + 60_000 + 10_000, THRESHOLD));
    }

    @Test
    void theWindowSlides() {
        PhiAccrualFailureDetector d = new PhiAccrualFailureDetector(10, 50, 0, 1000, 10_000);
        long t = regular(d, 50, 1000);
        for (int i = 1; i <= 10; i++) {
            d.heartbeat(t + i * 3000L);
        }
        assertEquals(10, d.samples());
        assertEquals(3000, d.meanMillis(), 1e-9);
    }

    @Test
    void aHeartbeatFromThePastCountsAsZero() {
        PhiAccrualFailureDetector d = detector();
        d.heartbeat(10_000);
        d.heartbeat(9_000);
        assertEquals(10_000, d.lastHeartbeatMillis());
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualFailureDetector(1, 200, 0, 1000, 10_000));
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualFailureDetector(10, 0, 0, 1000, 10_000));
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualFailureDetector(10, 200, -1, 1000, 10_000));
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualFailureDetector(10, 200, 0, 20_000, 10_000));
        assertThrows(IllegalArgumentException.class,
            () -> new PhiAccrualFailureDetector(10, 200, 0, 1000, PhiAccrualFailureDetector.MAX_SAMPLE_LIMIT_MILLIS + 1));
    }
}
