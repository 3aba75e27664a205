package io.ringkv.cluster.membership;

import io.ringkv.cluster.ring.ReplicationFactor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static membership of issue 4: this node, the seed addresses it was configured with, and
 * which node answers at each seed. The members are exactly the seeds (and this node): every node
 * is configured with the same list, so every node builds the same ring. Members are learned
 * only by dialing the seeds, never from a node that introduces itself: a node that is not a seed
 * would be unknown to the others and the rings would differ (quorums that do not overlap), and a
 * seed counts only once this node's own link to it works. A seed is known once a node at its
 * address has answered (with its id, weight, rack and datacenter, which only it knows); the topology is
 * complete once every seed is known. A seed that answers under a new id (its data folder was
 * wiped, so it made a new identity) replaces the old entry.
 *
 * <p>Thread-safe: learning is synchronised and the topology is replaced as a whole.
 */
public final class Membership {

    private final NodeInfo self;
    private final List<NodeAddress> seeds;
    private final int vnodes;
    private final ReplicationFactor replicationFactor;
    /** The node known at each seed, by the seed's "host:port" as configured. */
    private final Map<String, NodeInfo> peers = new LinkedHashMap<>();
    private volatile Topology topology;
    private long epoch;

    /**
     * @param seeds the configured seed addresses; this node's own address may be among them
     * @param remembered members met before a restart (from the nodes file)
     */
    public Membership(NodeInfo self, List<NodeAddress> seeds, int vnodes, ReplicationFactor replicationFactor,
                      List<NodeInfo> remembered) {
        this.self = self;
        List<NodeAddress> others = new ArrayList<>();
        for (NodeAddress seed : seeds) {
            if (!sameClientAddress(seed, self.address()) && others.stream().noneMatch(s -> sameClientAddress(s, seed))) {
                others.add(seed);
            }
        }
        this.seeds = List.copyOf(others);
        this.vnodes = vnodes;
        this.replicationFactor = replicationFactor;
        for (NodeInfo n : remembered) {
            NodeAddress seed = seedAt(n.address());
            if (seed != null && !n.id().equals(self.id())) {
                peers.put(key(seed), n);
            }
        }
        rebuild();
    }

    private static boolean sameClientAddress(NodeAddress a, NodeAddress b) {
        return a.host().equals(b.host()) && a.port() == b.port();
    }

    private static String key(NodeAddress a) {
        return a.host() + ":" + a.port();
    }

    /** The configured seed with this client address, or null. */
    private NodeAddress seedAt(NodeAddress address) {
        for (NodeAddress seed : seeds) {
            if (sameClientAddress(seed, address)) {
                return seed;
            }
        }
        return null;
    }

    public NodeInfo self() {
        return self;
    }

    public Topology topology() {
        return topology;
    }

    /** The seeds other than this node. */
    public List<NodeAddress> seeds() {
        return seeds;
    }

    /** True when a node has answered at {@code seed}. */
    public synchronized boolean knows(NodeAddress seed) {
        return peers.containsKey(key(seed));
    }

    /** Every member other than this node. */
    public synchronized List<NodeInfo> peers() {
        return List.copyOf(peers.values());
    }

    /**
     * Records that {@code node} answered when this node dialed {@code seed} (the address that was
     * dialed decides which seed it is, whatever address the node announces); returns true when
     * the membership changed.
     */
    public synchronized boolean learnFromSeed(NodeAddress seed, NodeInfo node) {
        if (node.id().equals(self.id()) || seedAt(seed) == null) {
            return false;
        }
        return put(key(seedAt(seed)), node);
    }

    /** True when {@code node} is a member: this node or the one known at some seed. */
    public synchronized boolean isMember(NodeInfo node) {
        return node.id().equals(self.id()) || peers.values().stream().anyMatch(p -> p.id().equals(node.id()));
    }

    private boolean put(String seedKey, NodeInfo node) {
        NodeInfo old = peers.get(seedKey);
        if (node.equals(old)) {
            return false;
        }
        // The same id at another seed: the node moved; drop its old entry.
        peers.values().removeIf(n -> n.id().equals(node.id()));
        peers.put(seedKey, node);
        rebuild();
        return true;
    }

    private void rebuild() {
        List<NodeInfo> members = new ArrayList<>(peers.values());
        members.add(self);
        boolean complete = true;
        for (NodeAddress seed : seeds) {
            if (!peers.containsKey(key(seed))) {
                complete = false;
            }
        }
        topology = new Topology(self.id(), members, vnodes, replicationFactor, ++epoch, complete);
    }
}
