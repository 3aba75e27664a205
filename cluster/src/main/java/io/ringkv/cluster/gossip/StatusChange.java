package io.ringkv.cluster.gossip;

import java.util.Objects;

/**
 * A member's status changed in this node's view. {@code previous} is null for a member this
 * node had not known before (it is then {@code UP}). What {@link GossipState#tick} and
 * {@link GossipState#apply} return, so the caller (the node's gossip driver) can update its
 * topology and tell the coordinator, with no listener to register.
 */
public record StatusChange(String nodeId, MemberStatus previous, MemberStatus current, long atMillis) {

    public StatusChange {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(current, "current");
    }
}
