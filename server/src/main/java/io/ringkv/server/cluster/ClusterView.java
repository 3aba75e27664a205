package io.ringkv.server.cluster;

import io.ringkv.cluster.membership.Topology;

/**
 * What the CLUSTER and INFO commands need to know of the cluster this node is in. Null in the
 * server context when cluster-enabled is no.
 */
public interface ClusterView {

    /** The current view of the members and the ring; replaced as a whole when it changes. */
    Topology topology();

    /**
     * True when this node has a working link to {@code nodeId} (always true for itself): the
     * "connected"/"disconnected" column of CLUSTER NODES.
     */
    boolean connected(String nodeId);

    /**
     * Failure detection's verdict on {@code nodeId} as Redis Cluster flags it: "" when up,
     * "fail?" while only this node suspects it (Redis's PFAIL), "fail" once it is marked down.
     */
    default String failFlag(String nodeId) {
        return "";
    }

    /** This node's place in the ring. */
    default io.ringkv.cluster.membership.RingStatus ringStatus() {
        return io.ringkv.cluster.membership.RingStatus.NORMAL;
    }

    /** CLUSTER LEAVE: starts decommissioning this node; an error text, or null once under way. */
    default String leave() {
        return "CLUSTER LEAVE is not supported here";
    }

    /** CLUSTER FORGET: removes a failed member for good; an error text, or null when done. */
    default String forget(String nodeId) {
        return "CLUSTER FORGET is not supported here";
    }

    /** In the ring for reads (joined or normal): one of the readiness probe's conditions. */
    default boolean ready() {
        return true;
    }

    /** The number of nodes this node has a working link to, itself excluded (INFO cluster_connections). */
    default int connectedPeers() {
        int n = 0;
        for (var node : topology().nodes()) {
            if (!node.id().equals(topology().selfId()) && connected(node.id())) {
                n++;
            }
        }
        return n;
    }
}
