package io.ringkv.cluster.coordinator;

import io.ringkv.cluster.membership.NodeInfo;

/**
 * Where a coordinator leaves a write a replica missed (it was marked down, or its MERGE failed or
 * timed out): the node's hint store, which delivers it when the replica is back (hinted handoff,
 * cluster.handoff). Called on the coordinator's threads: it must not wait on the network.
 */
@FunctionalInterface
public interface HintSink {

    /** Keeps nothing: the coordinator without hinted handoff. */
    HintSink NONE = (target, slot, key, encodedVersions) -> {
    };

    /** @param encodedVersions the key's siblings after the write, as the write replica had them */
    void hint(NodeInfo target, int slot, byte[] key, byte[] encodedVersions);
}
