package io.ringkv.cluster.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Convergence and failure detection measured on {@link SimCluster}, 20 seeds per cluster size,
 * with the default configuration (a round a second to 3 peers, phi threshold 8, 3 s acceptable
 * pause, DOWN on two sources). Each test prints a row of the tables in docs/gossip.md; a
 * failing seed is named in the assertion message and replays exactly.
 */
class GossipSimulationTest {

    private static final GossipConfig CONFIG = GossipConfig.defaults();
    private static final long ROUND = CONFIG.gossipIntervalMillis();
    private static final int SEEDS = 20;
    /** Every message takes 1..200 ms; none is lost. */
    private static final SimCluster.Network NETWORK = new SimCluster.Network(1, 200, 0.0);

    /** One seed's life of a cluster: rounds to converge, to agree a killed node is DOWN, to see it UP again. */
    private record Lifecycle(double converge, double detect, double recover, long messages) {
    }

    private static Lifecycle lifecycle(int n, long seed, SimCluster.Network network) {
        SimCluster sim = new SimCluster(n, CONFIG, network, seed);
        sim.start();
        // (a) From one seed to everyone knowing everyone.
        long converged = sim.runUntil(() -> sim.allLive(-1, s -> s.members().size() == n), 60 * ROUND);
        assertTrue(converged >= 0, "seed " + seed + ": no convergence in 60 rounds");
        // Let the detectors learn the rhythm before anything fails.
        sim.runUntil(sim.now() + 30 * ROUND);

        // (b) Kill one node: rounds until every live node holds it DOWN.
        int victim = sim.random().nextInt(n);
        String id = sim.id(victim);
        sim.kill(victim);
        long killedAt = sim.now();
        long down = sim.runUntil(
            () -> sim.allLive(victim, s -> s.status(id).orElseThrow() == MemberStatus.DOWN), killedAt + 60 * ROUND);
        assertTrue(down >= 0, "seed " + seed + ": " + id + " not DOWN everywhere 60 rounds after it died");

        // (c) Restart it with a higher generation: rounds until every node holds it UP again.
        sim.runUntil(sim.now() + 10 * ROUND);
        sim.restart(victim);
        long restartedAt = sim.now();
        long up = sim.runUntil(() -> sim.allLive(victim, s -> {
            MemberState m = s.member(id).orElseThrow();
            return m.generation() == restartedAt && m.status() == MemberStatus.UP;
        }), restartedAt + 60 * ROUND);
        assertTrue(up >= 0, "seed " + seed + ": restarted " + id + " not UP everywhere in 60 rounds");
        sim.runUntil(sim.now() + 10 * ROUND);

        assertEquals(List.of(), sim.falseDowns(), "seed " + seed + ": live members marked DOWN");
        return new Lifecycle((double) converged / ROUND, (double) (down - killedAt) / ROUND,
            (double) (up - restartedAt) / ROUND, sim.messages());
    }

    @ParameterizedTest(name = "{0} nodes")
    @CsvSource({"5, 8, 20, 8", "20, 12, 20, 8", "100, 20, 25, 10"})
    void convergeDetectAndRecover(int n, double maxConverge, double maxDetect, double maxRecover) {
        double[] converge = new double[SEEDS];
        double[] detect = new double[SEEDS];
        double[] recover = new double[SEEDS];
        for (int seed = 0; seed < SEEDS; seed++) {
            Lifecycle l = lifecycle(n, 1000L * n + seed, NETWORK);
            converge[seed] = l.converge();
            detect[seed] = l.detect();
            recover[seed] = l.recover();
        }
        System.out.printf(Locale.ROOT, "| %d | %s | %s | %s |%n", n, stats(converge), stats(detect), stats(recover));
        assertTrue(max(converge) <= maxConverge, "convergence took " + stats(converge) + " rounds");
        assertTrue(max(detect) <= maxDetect, "detection took " + stats(detect) + " rounds");
        assertTrue(max(recover) <= maxRecover, "recovery took " + stats(recover) + " rounds");
        // A failure is never noticed faster than the acceptable pause allows.
        assertTrue(Arrays.stream(detect).min().orElseThrow() >= CONFIG.acceptablePauseMillis() / (double) ROUND);
    }

    /** (d) No live member is ever marked DOWN with 5% of messages lost. */
    @ParameterizedTest(name = "{0} nodes, {1} rounds")
    @CsvSource({"5, 1000", "20, 500", "100, 150"})
    void noFalseDownWithFivePercentLoss(int n, int rounds) {
        SimCluster.Network lossy = new SimCluster.Network(1, 200, 0.05);
        long suspicions = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            SimCluster sim = new SimCluster(n, CONFIG, lossy, 7000L * n + seed);
            sim.start();
            sim.runUntil(rounds * ROUND);
            assertEquals(List.of(), sim.falseDowns(), "seed " + (7000L * n + seed));
            assertTrue(sim.allLive(-1, s -> s.members().size() == n), "seed " + (7000L * n + seed));
            suspicions += sim.suspicions();
        }
        System.out.printf(Locale.ROOT, "| %d | %d x %d rounds | %d | 0 |%n", n, SEEDS, rounds, suspicions);
    }

    private static String stats(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f", sorted[0], median, sorted[sorted.length - 1]);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }
}
