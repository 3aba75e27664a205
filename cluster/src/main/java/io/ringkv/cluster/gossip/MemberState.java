package io.ringkv.cluster.gossip;

import io.ringkv.cluster.membership.NodeInfo;
import java.util.Objects;

/**
 * What one node knows of one member, and what it gossips about it.
 *
 * <p>{@code node} (id, address, weight, rack, datacenter) is the member's own declaration;
 * {@code generation} and {@code heartbeat} are its version: the generation changes at each
 * restart of the member (its start time in milliseconds, so it grows across restarts) and the
 * heartbeat counter is incremented by the member alone, once per gossip round. Only the member
 * writes either, which is what makes an advance trustworthy evidence that it ran. {@code status}
 * is the holder's own verdict (see {@link MemberStatus}), never merged from others.
 */
public record MemberState(NodeInfo node, long generation, long heartbeat, MemberStatus status) {

    public MemberState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(status, "status");
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0: " + generation);
        }
        if (heartbeat < 0) {
            throw new IllegalArgumentException("heartbeat must be >= 0: " + heartbeat);
        }
    }

    public String id() {
        return node.id();
    }

    /**
     * Whether this state is a later version of the member than {@code other}: a higher
     * generation wins (the member restarted), and within one generation a higher heartbeat.
     */
    public boolean newerThan(MemberState other) {
        return generation != other.generation ? generation > other.generation : heartbeat > other.heartbeat;
    }

    MemberState withHeartbeat(long newHeartbeat) {
        return new MemberState(node, generation, newHeartbeat, status);
    }

    MemberState withStatus(MemberStatus newStatus) {
        return newStatus == status ? this : new MemberState(node, generation, heartbeat, newStatus);
    }
}
