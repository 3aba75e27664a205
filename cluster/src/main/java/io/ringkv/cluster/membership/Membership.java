package io.ringkv.cluster.membership;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static membership of issue 4: this node, the seed addresses it was configured with, and
 * the nodes it has met. A seed is known once a node at its address has introduced itself (with
 * its id, weight, rack and datacenter, which only it knows); the topology is complete once every
 * seed is known. A node met again under a new id (its data folder was wiped, so it made a new
 * identity) replaces the old entry for its address.
 *
 * <p>Thread-safe: learning is synchronised and the topology is replaced as a whole.
 */
public final class Membership {

    private final NodeInfo self;
    private final List<NodeAddress> seeds;
    private final int vnodes;
    private final int replicationFactor;
    /** Known members other than self, by client address "host:port". */
    private final Map<String, NodeInfo> peers = new LinkedHashMap<>();
    private volatile Topology topology;
    private long epoch;

    /**
     * @param seeds the configured seed addresses; this node's own address may be among them
     * @param remembered members met before a restart (from the nodes file)
     */
    public Membership(NodeInfo self, List<NodeAddress> seeds, int vnodes, int replicationFactor,
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
            if (!n.id().equals(self.id()) && !sameClientAddress(n.address(), self.address())) {
                peers.put(key(n.address()), n);
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

    /** Every member other than this node. */
    public synchronized List<NodeInfo> peers() {
        return List.copyOf(peers.values());
    }

    /** Records that {@code node} introduced itself; returns true when the membership changed. */
    public synchronized boolean learn(NodeInfo node) {
        if (node.id().equals(self.id()) || sameClientAddress(node.address(), self.address())) {
            return false;
        }
        String k = key(node.address());
        NodeInfo old = peers.get(k);
        if (node.equals(old)) {
            return false;
        }
        // The same id at another address: the node moved; drop its old address.
        peers.values().removeIf(n -> n.id().equals(node.id()));
        peers.put(k, node);
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
