package io.ringkv.cluster.membership;

import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.Placement;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Ring;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable view of the cluster as this node knows it: the members, where they are, the ring
 * built from them, the replication factor and the placement of every slot's replicas. A node replaces its view as a whole when it
 * learns of a member; readers take the current one and use it for a whole request, so a request
 * never mixes two rings.
 *
 * <p>{@code complete} says whether every configured seed has been met. Until then the ring lacks
 * members and would place keys wrongly, so the coordinator refuses requests (CLUSTER INFO's
 * cluster_state says fail).
 *
 * <p>Each member has a {@link RingStatus}; the topology derives from them the read ring and the
 * placements before and after a change in progress (see RingStatus and docs/elasticity.md).
 */
public final class Topology {

    private final String selfId;
    private final Map<String, NodeInfo> nodes;
    /** The read ring. */
    private final Ring ring;
    /** The placements before and after the change in progress; both {@link #ring} without one. */
    private final Ring oldRing;
    private final Ring newRing;
    private final Map<String, RingStatus> statuses;
    private final long epoch;
    private final ReplicationFactor replicationFactor;
    /** The replicas of every slot in the read ring, and in the placements before and after a change. */
    private final Placement placement;
    private final Placement oldPlacement;
    private final Placement newPlacement;
    private final boolean complete;

    public Topology(String selfId, List<NodeInfo> members, int vnodes, ReplicationFactor replicationFactor, long epoch,
                    boolean complete) {
        this(selfId, members, Map.of(), vnodes, replicationFactor, epoch, complete);
    }

    /**
     * @param statuses each member's ring status; a member missing from the map is NORMAL.
     *                 Members in no ring (WAITING, LEFT) are left out, except this node, which
     *                 is always in {@link #nodes()}.
     */
    public Topology(String selfId, List<NodeInfo> members, Map<String, RingStatus> statuses, int vnodes,
                    ReplicationFactor replicationFactor, long epoch, boolean complete) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.replicationFactor = Objects.requireNonNull(replicationFactor, "replicationFactor");
        List<NodeInfo> sorted = new ArrayList<>(members);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        Map<String, NodeInfo> byId = new LinkedHashMap<>();
        Map<String, RingStatus> status = new LinkedHashMap<>();
        List<Member> readMembers = new ArrayList<>();
        List<Member> oldMembers = new ArrayList<>();
        List<Member> newMembers = new ArrayList<>();
        for (NodeInfo n : sorted) {
            RingStatus st = statuses.getOrDefault(n.id(), RingStatus.NORMAL);
            if (!st.holdsData() && !n.id().equals(selfId)) {
                continue;
            }
            if (byId.put(n.id(), n) != null) {
                throw new IllegalArgumentException("duplicate node id " + n.id());
            }
            status.put(n.id(), st);
            if (st.inReadRing()) {
                readMembers.add(n.member());
            }
            if (st.inOldRing()) {
                oldMembers.add(n.member());
            }
            if (st.inNewRing()) {
                newMembers.add(n.member());
            }
        }
        if (!byId.containsKey(selfId)) {
            throw new IllegalArgumentException("the topology must contain this node " + selfId);
        }
        this.nodes = Collections.unmodifiableMap(byId);
        this.statuses = Collections.unmodifiableMap(status);
        // Without a change in progress the three rings are one object, and the write path can
        // tell at a glance that one placement is enough.
        // A ring with no member (a new node that has met no member yet) is replaced by one of
        // this node alone, so that CLUSTER SLOTS and the like still answer, and the topology
        // counts as incomplete: requests would have nowhere to go.
        boolean empty = readMembers.isEmpty() || oldMembers.isEmpty() || newMembers.isEmpty();
        List<Member> alone = List.of(byId.get(selfId).member());
        this.ring = Ring.of(readMembers.isEmpty() ? alone : readMembers, vnodes, epoch);
        this.oldRing = oldMembers.equals(readMembers) ? ring : Ring.of(oldMembers.isEmpty() ? alone : oldMembers, vnodes, epoch);
        this.newRing = newMembers.equals(readMembers) ? ring : newMembers.equals(oldMembers) ? oldRing
            : Ring.of(newMembers.isEmpty() ? alone : newMembers, vnodes, epoch);
        this.epoch = epoch;
        this.placement = ring.placement(replicationFactor);
        this.oldPlacement = oldRing == ring ? placement : oldRing.placement(replicationFactor);
        this.newPlacement = newRing == ring ? placement : newRing == oldRing ? oldPlacement
            : newRing.placement(replicationFactor);
        // Every slot must have a replica; ClusterNode refuses a per-datacenter factor that does
        // not list the node's own datacenter, which guarantees it.
        if (placement.replicasPerSlot() == 0 || oldPlacement.replicasPerSlot() == 0
                || newPlacement.replicasPerSlot() == 0) {
            throw new IllegalArgumentException("replication-factor " + replicationFactor
                + " lists no datacenter that has a member");
        }
        this.complete = complete && !empty;
    }

    public String selfId() {
        return selfId;
    }

    public NodeInfo self() {
        return nodes.get(selfId);
    }

    /** Every member, sorted by id. */
    public List<NodeInfo> nodes() {
        return List.copyOf(nodes.values());
    }

    /** The member with this id, or null. */
    public NodeInfo node(String id) {
        return nodes.get(id);
    }

    public Ring ring() {
        return ring;
    }

    public long epoch() {
        return epoch;
    }

    /** The member's ring status; null for a node not in this topology. */
    public RingStatus status(String id) {
        return statuses.get(id);
    }

    /** True while some member is joining or leaving: writes then go to two placements. */
    public boolean changing() {
        return oldRing != newRing;
    }

    /** The ring before the change in progress (the read ring without one). */
    public Ring oldRing() {
        return oldRing;
    }

    /** The ring after the change in progress (the read ring without one). */
    public Ring newRing() {
        return newRing;
    }

    /** The configured factor: N, or a count per datacenter. */
    public ReplicationFactor replicationFactor() {
        return replicationFactor;
    }

    /** Every slot's replicas under the factor, on the read ring. */
    public Placement placement() {
        return placement;
    }

    /**
     * The replicas per slot in use on the read ring: the configured factor, or fewer when the
     * cluster (or a listed datacenter) has fewer members.
     */
    public int effectiveReplicas() {
        return placement.replicasPerSlot();
    }

    public boolean complete() {
        return complete;
    }

    /** The nodes holding {@code slot}, head first: its preference list of {@link #effectiveReplicas()}. */
    public List<NodeInfo> replicas(int slot) {
        return replicas(placement, slot);
    }

    /** {@code slot}'s replicas in the placement before the change in progress. */
    public List<NodeInfo> oldReplicas(int slot) {
        return replicas(oldPlacement, slot);
    }

    /** {@code slot}'s replicas in the placement after the change in progress. */
    public List<NodeInfo> newReplicas(int slot) {
        return replicas(newPlacement, slot);
    }

    private List<NodeInfo> replicas(Placement p, int slot) {
        List<Member> list = p.replicas(slot);
        List<NodeInfo> out = new ArrayList<>(list.size());
        for (Member m : list) {
            out.add(nodes.get(m.nodeId()));
        }
        return out;
    }

    /** True when this node is one of {@code slot}'s replicas in the read ring. */
    public boolean holds(int slot) {
        for (Member m : placement.replicas(slot)) {
            if (m.nodeId().equals(selfId)) {
                return true;
            }
        }
        return false;
    }
}
