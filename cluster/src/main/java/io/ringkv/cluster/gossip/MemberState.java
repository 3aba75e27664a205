package io.ringkv.cluster.gossip;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.RingStatus;
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
 *
 * <p>{@code ring} is the member's place in the ring and {@code ringVersion} the member's stamp of
 * it (milliseconds of the member's clock when it set it, forced to grow): written by the member
 * alone, like the heartbeat, and carried with it. The version is what a member waits to see
 * echoed by every other node before its ring change moves on (docs/elasticity.md), and what
 * orders two changes announced at once.
 */
public record MemberState(NodeInfo node, long generation, long heartbeat, MemberStatus status, RingStatus ring,
                          long ringVersion) {

    public MemberState {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ring, "ring");
        if (ringVersion < 0) {
            throw new IllegalArgumentException("ringVersion must be >= 0: " + ringVersion);
        }
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0: " + generation);
        }
        if (heartbeat < 0) {
            throw new IllegalArgumentException("heartbeat must be >= 0: " + heartbeat);
        }
    }

    /** A NORMAL member at ring version 0: the founding members of a cluster. */
    public MemberState(NodeInfo node, long generation, long heartbeat, MemberStatus status) {
        this(node, generation, heartbeat, status, RingStatus.NORMAL, 0);
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
        return new MemberState(node, generation, newHeartbeat, status, ring, ringVersion);
    }

    MemberState withStatus(MemberStatus newStatus) {
        return newStatus == status ? this : new MemberState(node, generation, heartbeat, newStatus, ring, ringVersion);
    }
}
