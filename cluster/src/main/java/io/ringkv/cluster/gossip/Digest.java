package io.ringkv.cluster.gossip;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One gossip message: the sender's whole view of the membership, each member with the
 * sender's own verdict on it. The verdicts are how a receiver learns which members the sender
 * suspects (its suspect set: the members it reports SUSPECT or DOWN). {@link DigestCodec} is the
 * wire form.
 */
public record Digest(String senderId, List<MemberState> members) {

    public Digest {
        Objects.requireNonNull(senderId, "senderId");
        if (senderId.isEmpty()) {
            throw new IllegalArgumentException("empty sender id");
        }
        members = List.copyOf(members);
        Set<String> seen = new HashSet<>();
        for (MemberState m : members) {
            if (!seen.add(m.id())) {
                throw new IllegalArgumentException("member " + m.id() + " appears twice in a digest");
            }
        }
    }
}
