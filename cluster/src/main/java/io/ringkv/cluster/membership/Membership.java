package io.ringkv.cluster.membership;

import io.ringkv.cluster.ring.ReplicationFactor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who is in the cluster, where each member stands in the ring, and the topology built from it.
 *
 * <p>Members are learned through gossip (the node hands every view it merges to {@link #update});
 * each carries its {@link RingStatus}, which only the member itself changes, so the rings every
 * node derives agree once gossip has spread. A member that was never in a ring (WAITING) is
 * known but holds nothing; a departed one (left, or forgotten) is gone for good.
 *
 * <p>Seeds are how a node finds the cluster. A new node whose own address is among its seeds is
 * a founding member: it starts NORMAL, and its topology is complete once every other seed has
 * answered (so that the founders never serve with a ring that lacks some of them). Any other
 * new node starts WAITING and needs one seed's answer: that answer is the seed's whole view,
 * from which the node joins (docs/elasticity.md). A node restarted with its nodes file knows the
 * ring at once. A seed counts as answered only when this node reached it itself, never from
 * hearsay, so the topology is not complete while this node's own link to a seed still fails.
 *
 * <p>Thread-safe: updates are synchronised and the topology is replaced as a whole.
 */
public final class Membership {

    /** One member as this node knows it. */
    public record Entry(NodeInfo node, RingStatus ring, long ringVersion) {
        public Entry {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(ring, "ring");
        }
    }

    private final NodeInfo self;
    private final List<NodeAddress> seeds;
    /** The seeds as configured, this node's own address included if it is there. */
    private final List<NodeAddress> configuredSeeds;
    private final int vnodes;
    private final ReplicationFactor replicationFactor;
    /** Every member but this node, by id. */
    private final Map<String, Entry> peers = new TreeMap<>();
    private final Set<String> departed = new TreeSet<>();
    /** Seeds that answered: the seed's "host:port" as configured, and the id that answered there. */
    private final Map<String, String> answered = new HashMap<>();
    private RingStatus selfRing;
    private long selfRingVersion;
    private boolean everComplete;
    private volatile Topology topology;
    private long epoch;

    /**
     * @param seeds the configured seed addresses; this node's own address may be among them
     * @param selfRing this node's ring status (saved, or the first one of a new node)
     * @param rememberedMembers members met before a restart (from the nodes file); empty for a new node
     * @param rememberedDeparted members known to have departed before the restart
     */
    public Membership(NodeInfo self, List<NodeAddress> seeds, int vnodes, ReplicationFactor replicationFactor,
                      RingStatus selfRing,
                      long selfRingVersion, Collection<Entry> rememberedMembers, Collection<String> rememberedDeparted) {
        this.self = self;
        List<NodeAddress> others = new ArrayList<>();
        for (NodeAddress seed : seeds) {
            if (!seed.sameClientAddress(self.address()) && others.stream().noneMatch(s -> s.sameClientAddress(seed))) {
                others.add(seed);
            }
        }
        this.seeds = List.copyOf(others);
        this.configuredSeeds = List.copyOf(seeds);
        this.vnodes = vnodes;
        this.replicationFactor = replicationFactor;
        this.selfRing = selfRing;
        this.selfRingVersion = selfRingVersion;
        departed.addAll(rememberedDeparted);
        for (Entry e : rememberedMembers) {
            if (!e.node().id().equals(self.id()) && !departed.contains(e.node().id())) {
                peers.put(e.node().id(), e);
                // A member remembered at a seed's address answered there before the restart.
                for (NodeAddress seed : this.seeds) {
                    if (seed.sameClientAddress(e.node().address())) {
                        answered.put(key(seed), e.node().id());
                    }
                }
            }
        }
        rebuild();
    }

    /** A founding member with the static seed list of issue 4: every member NORMAL. */
    public Membership(NodeInfo self, List<NodeAddress> seeds, int vnodes, ReplicationFactor replicationFactor,
                      List<NodeInfo> rememberedMembers) {
        this(self, seeds, vnodes, replicationFactor, RingStatus.NORMAL, 0,
            rememberedMembers.stream().map(n -> new Entry(n, RingStatus.NORMAL, 0)).toList(), List.of());
    }

    /**
     * True when a new node founds the cluster: its own address is among {@code seeds}, or it has
     * no seeds at all (a cluster of one, which others may join later).
     */
    public static boolean isFounder(NodeAddress self, List<NodeAddress> seeds) {
        return seeds.isEmpty() || seeds.stream().anyMatch(s -> s.sameClientAddress(self));
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

    /** True when a node has answered at {@code seed}. */
    public synchronized boolean knows(NodeAddress seed) {
        return answered.containsKey(key(seed));
    }

    /** Every member other than this node, with its ring status (departed ones excluded). */
    public synchronized List<Entry> peers() {
        return List.copyOf(peers.values());
    }

    public synchronized Set<String> departed() {
        return Set.copyOf(departed);
    }

    public synchronized RingStatus selfRing() {
        return selfRing;
    }

    public synchronized long selfRingVersion() {
        return selfRingVersion;
    }

    /**
     * The node {@code answeredId} answered when this node dialed {@code seed} (the address
     * that was dialed decides which seed it is, whatever address the node announces); returns
     * true when the membership changed.
     */
    public synchronized boolean seedAnswered(NodeAddress seed, String answeredId) {
        NodeAddress configured = null;
        for (NodeAddress s : seeds) {
            if (s.sameClientAddress(seed)) {
                configured = s;
            }
        }
        if (configured == null || answeredId.equals(self.id())) {
            return false;
        }
        String before = answered.put(key(configured), answeredId);
        if (answeredId.equals(before)) {
            return false;
        }
        rebuild();
        return true;
    }

    /**
     * Takes a view of the members (gossip's, this node included) and the departed set; returns
     * true when the topology changed.
     */
    public synchronized boolean update(Collection<Entry> members, Collection<String> departedIds) {
        boolean changed = false;
        for (String id : departedIds) {
            if (!id.equals(self.id()) && departed.add(id)) {
                peers.remove(id);
                changed = true;
            }
        }
        for (Entry e : members) {
            String id = e.node().id();
            if (id.equals(self.id())) {
                if (e.ring() != selfRing || e.ringVersion() != selfRingVersion) {
                    selfRing = e.ring();
                    selfRingVersion = e.ringVersion();
                    changed = true;
                }
            } else if (!departed.contains(id) && !e.equals(peers.get(id))) {
                peers.put(id, e);
                changed = true;
            }
        }
        if (changed) {
            rebuild();
        }
        return changed;
    }

    /**
     * A new node whose address is among its seeds (or that has none) and that has not decided
     * yet whether to found the cluster or join it: waiting at ring version 0 (RingChanges).
     */
    public synchronized boolean founderCandidate() {
        return selfRing == RingStatus.WAITING && selfRingVersion == 0 && isFounder(self.address(), configuredSeeds);
    }

    /** True when no seed but this node's own address is configured: a cluster of one. */
    public static boolean alone(NodeAddress self, List<NodeAddress> seeds) {
        return seeds.stream().allMatch(s -> s.sameClientAddress(self));
    }

    public synchronized boolean isDeparted(String nodeId) {
        return departed.contains(nodeId);
    }

    /** True when {@code node} is this node or a known member. */
    public synchronized boolean isMember(NodeInfo node) {
        return node.id().equals(self.id()) || peers.containsKey(node.id());
    }

    private void rebuild() {
        List<NodeInfo> members = new ArrayList<>(peers.size() + 1);
        Map<String, RingStatus> statuses = new LinkedHashMap<>();
        for (Entry e : peers.values()) {
            members.add(e.node());
            statuses.put(e.node().id(), e.ring());
        }
        members.add(self);
        statuses.put(self.id(), selfRing);
        boolean complete;
        if (selfRing == RingStatus.LEFT) {
            complete = false;
        } else if (everComplete) {
            // Once complete, always: a joiner that turned NORMAL needs no more seeds than before.
            complete = true;
        } else if (founderCandidate()) {
            // A founder candidate that has not decided yet: it serves nothing until it is in
            // the ring with every other seed answered (below), so that nothing is acknowledged
            // by a ring that lacks the founders.
            complete = false;
        } else if (selfRing == RingStatus.WAITING) {
            // A new node: one seed's view shows it the cluster it joins.
            complete = !answered.isEmpty() || seeds.isEmpty();
        } else {
            // A founder (or a member restarted): every other seed must have answered and be in
            // the ring, so that the founders never serve with a ring that lacks some of them
            // (a seed that answered may not have founded yet).
            complete = answered.size() == seeds.size();
            for (String id : answered.values()) {
                Entry e = peers.get(id);
                complete &= e != null && e.ring().holdsData();
            }
        }
        topology = new Topology(self.id(), members, statuses, vnodes, replicationFactor, ++epoch, complete);
        // Latched only in the ring: a waiting node's completeness says nothing about the founders.
        everComplete |= topology.complete() && selfRing.holdsData();
    }
}
