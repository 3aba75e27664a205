package io.ringkv.cluster.ring;

import java.util.Objects;

/**
 * One physical node as the ring sees it. {@code weight} scales the number of tokens the node
 * places (a weight-2 machine places twice the vnodes, so it heads about twice the slots);
 * {@code rack} and {@code datacenter} are only used to spread a slot's replicas. A rack name is
 * scoped by its datacenter: "r1" in "dc1" and "r1" in "dc2" are different racks.
 */
public record Member(String nodeId, int weight, String rack, String datacenter) {

    public static final String DEFAULT_RACK = "rack1";
    public static final String DEFAULT_DATACENTER = "dc1";

    public Member {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(rack, "rack");
        Objects.requireNonNull(datacenter, "datacenter");
        if (nodeId.isEmpty()) {
            throw new IllegalArgumentException("nodeId must not be empty");
        }
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1, got " + weight + " for " + nodeId);
        }
    }

    /** A weight-1 member in the default rack and datacenter. */
    public static Member of(String nodeId) {
        return new Member(nodeId, 1, DEFAULT_RACK, DEFAULT_DATACENTER);
    }
}
