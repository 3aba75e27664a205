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
 */
public final class Topology {

    private final String selfId;
    private final Map<String, NodeInfo> nodes;
    private final Ring ring;
    private final ReplicationFactor replicationFactor;
    private final Placement placement;
    private final boolean complete;

    public Topology(String selfId, List<NodeInfo> members, int vnodes, ReplicationFactor replicationFactor, long epoch,
                    boolean complete) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.replicationFactor = Objects.requireNonNull(replicationFactor, "replicationFactor");
        List<NodeInfo> sorted = new ArrayList<>(members);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        Map<String, NodeInfo> byId = new LinkedHashMap<>();
        List<Member> ringMembers = new ArrayList<>();
        for (NodeInfo n : sorted) {
            if (byId.put(n.id(), n) != null) {
                throw new IllegalArgumentException("duplicate node id " + n.id());
            }
            ringMembers.add(n.member());
        }
        if (!byId.containsKey(selfId)) {
            throw new IllegalArgumentException("the topology must contain this node " + selfId);
        }
        this.nodes = Collections.unmodifiableMap(byId);
        this.ring = Ring.of(ringMembers, vnodes, epoch);
        this.placement = ring.placement(replicationFactor);
        // Every slot must have a replica; ClusterNode refuses a per-datacenter factor that does
        // not list the node's own datacenter, which guarantees it.
        if (placement.replicasPerSlot() == 0) {
            throw new IllegalArgumentException("replication-factor " + replicationFactor
                + " lists no datacenter that has a member");
        }
        this.complete = complete;
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
        return ring.epoch();
    }

    /** The configured factor: N, or a count per datacenter. */
    public ReplicationFactor replicationFactor() {
        return replicationFactor;
    }

    /** Every slot's replicas under the factor, on this ring. */
    public Placement placement() {
        return placement;
    }

    /**
     * The replicas per slot in use: the configured factor, or fewer when the cluster (or a listed
     * datacenter) has fewer members.
     */
    public int effectiveReplicas() {
        return placement.replicasPerSlot();
    }

    public boolean complete() {
        return complete;
    }

    /** The nodes holding {@code slot}, head first: its {@link #effectiveReplicas()} replicas. */
    public List<NodeInfo> replicas(int slot) {
        List<Member> list = placement.replicas(slot);
        List<NodeInfo> out = new ArrayList<>(list.size());
        for (Member m : list) {
            out.add(nodes.get(m.nodeId()));
        }
        return out;
    }

    /** True when this node is one of {@code slot}'s replicas. */
    public boolean holds(int slot) {
        for (Member m : placement.replicas(slot)) {
            if (m.nodeId().equals(selfId)) {
                return true;
            }
        }
        return false;
    }
}
