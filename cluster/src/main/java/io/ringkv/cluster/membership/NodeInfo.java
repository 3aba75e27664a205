package io.ringkv.cluster.membership;

import io.ringkv.cluster.ring.Member;
import java.util.Objects;

/** A member of the cluster: its place on the ring ({@link Member}) and where to reach it. */
public record NodeInfo(Member member, NodeAddress address) {

    public NodeInfo {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(address, "address");
    }

    public String id() {
        return member.nodeId();
    }
}
