package io.ringkv.cluster.gossip;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.ring.Member;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A deterministic simulation of N gossiping nodes (FoundationDB style): one simulated clock,
 * one seeded random generator for everything (phases, peer choice, delays, losses), and a
 * network that delivers each digest after a uniform random delay or drops it. One seed replays
 * one run exactly. Digests travel as objects; {@link DigestCodecTest} covers their bytes.
 *
 * <p>Each node runs its rounds every gossip interval from a random phase: tick, then send its
 * digest to the peers {@link GossipState#peersToGossipTo} chose. A killed node's rounds and
 * deliveries stop; a restarted one comes back with a higher generation, knowing every member
 * (as a restarted ringkv node reads nodes.conf), and gossips from its next round.
 */
final class SimCluster {

    /** The network: each message takes minDelay..maxDelay ms and is lost with probability loss. */
    record Network(long minDelayMillis, long maxDelayMillis, double loss) {
    }

    private record Event(long at, long seq, Runnable action) {
    }

    private final class SimNode {
        final int index;
        final NodeInfo info;
        GossipState state;
        boolean alive;
        int incarnation;

        SimNode(int index, NodeInfo info) {
            this.index = index;
            this.info = info;
        }
    }

    private final GossipConfig config;
    private final Network network;
    private final SplittableRandom random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
        (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final List<SimNode> nodes = new ArrayList<>();
    private final Map<String, SimNode> byId = new HashMap<>();
    private long now;
    private long seq;
    private long messages;
    private final List<String> falseDowns = new ArrayList<>();
    private long suspicions;

    /** N nodes, none started; node 0 is the seed every other node is introduced to. */
    SimCluster(int n, GossipConfig config, Network network, long seed) {
        this.config = config;
        this.network = network;
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[20];
            random.nextBytes(id);
            NodeInfo info = new NodeInfo(
                new Member(HexFormat.of().formatHex(id), 1, "rack" + (i % 3), "dc1"),
                new NodeAddress("10.0." + (i / 250) + "." + (i % 250 + 1), 7000, 17000));
            SimNode node = new SimNode(i, info);
            nodes.add(node);
            byId.put(info.id(), node);
        }
    }

    /** Starts every node at once, each knowing only itself and the seed. */
    void start() {
        for (SimNode node : nodes) {
            node.state = new GossipState(node.info, 1, config);
            if (node.index != 0) {
                node.state.introduce(nodes.get(0).info, now);
            }
            node.alive = true;
            scheduleRound(node, now + random.nextLong(config.gossipIntervalMillis()));
        }
    }

    void kill(int index) {
        nodes.get(index).alive = false;
    }

    /** Restarts a killed node with generation = now (higher than any earlier), knowing every member. */
    void restart(int index) {
        SimNode node = nodes.get(index);
        node.incarnation++;
        node.alive = true;
        node.state = new GossipState(node.info, now, config);
        for (SimNode other : nodes) {
            node.state.introduce(other.info, now);
        }
        scheduleRound(node, now + random.nextLong(config.gossipIntervalMillis()));
    }

    private void scheduleRound(SimNode node, long at) {
        int incarnation = node.incarnation;
        schedule(at, () -> round(node, incarnation));
    }

    private void schedule(long at, Runnable action) {
        queue.add(new Event(at, seq++, action));
    }

    private void round(SimNode node, int incarnation) {
        if (!node.alive || node.incarnation != incarnation) {
            return;
        }
        observe(node.state.tick(now));
        Digest digest = node.state.digest();
        for (NodeInfo peer : node.state.peersToGossipTo(random)) {
            messages++;
            if (random.nextDouble() < network.loss()) {
                continue;
            }
            long delay = network.minDelayMillis()
                + random.nextLong(network.maxDelayMillis() - network.minDelayMillis() + 1);
            SimNode target = byId.get(peer.id());
            int targetIncarnation = target.incarnation;
            schedule(now + delay, () -> {
                // A message to a process that died (or died and restarted) meanwhile is lost
                // with it: the connection it travelled on is gone.
                if (target.alive && target.incarnation == targetIncarnation) {
                    observe(target.state.apply(digest, now));
                }
            });
        }
        scheduleRound(node, now + config.gossipIntervalMillis());
    }

    private void observe(List<StatusChange> changes) {
        for (StatusChange c : changes) {
            if (c.current() == MemberStatus.SUSPECT) {
                suspicions++;
            } else if (c.current() == MemberStatus.DOWN && byId.get(c.nodeId()).alive) {
                falseDowns.add(c.nodeId() + " at " + now);
            }
        }
    }

    /** Runs events up to {@code untilMillis}. */
    void runUntil(long untilMillis) {
        while (!queue.isEmpty() && queue.peek().at() <= untilMillis) {
            Event e = queue.poll();
            now = e.at();
            e.action().run();
        }
        now = untilMillis;
    }

    /**
     * Runs until {@code condition} holds (checked every 10 simulated ms) or {@code deadline}
     * passes; returns the time it first held, or -1.
     */
    long runUntil(BooleanSupplier condition, long deadlineMillis) {
        for (long t = now; t <= deadlineMillis; t += 10) {
            runUntil(t);
            if (condition.getAsBoolean()) {
                return t;
            }
        }
        return -1;
    }

    long now() {
        return now;
    }

    int size() {
        return nodes.size();
    }

    String id(int index) {
        return nodes.get(index).info.id();
    }

    GossipState state(int index) {
        return nodes.get(index).state;
    }

    boolean alive(int index) {
        return nodes.get(index).alive;
    }

    /** Whether every live node other than {@code except} (-1: none) satisfies the test. */
    boolean allLive(int except, Predicate<GossipState> test) {
        for (SimNode node : nodes) {
            if (node.alive && node.index != except && !test.test(node.state)) {
                return false;
            }
        }
        return true;
    }

    /** DOWN verdicts reached about members that were alive at the time. */
    List<String> falseDowns() {
        return falseDowns;
    }

    long suspicions() {
        return suspicions;
    }

    long messages() {
        return messages;
    }

    SplittableRandom random() {
        return random;
    }
}
