package io.ringkv.cluster.gossip;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One gossip message: the sender's whole view of the membership, each member with the
 * sender's own verdict on it. The verdicts are how a receiver learns which members the sender
 * suspects (its suspect set: the members it reports SUSPECT or DOWN). {@code departed} is the
 * sender's list of members gone for good (left the ring, or forgotten): a grow-only set that
 * every node merges by union, so a departed member never comes back under its old id.
 * {@link DigestCodec} is the wire form.
 */
public record Digest(String senderId, List<MemberState> members, Set<String> departed) {

    public Digest(String senderId, List<MemberState> members) {
        this(senderId, members, Set.of());
    }

    public Digest {
        Objects.requireNonNull(senderId, "senderId");
        if (senderId.isEmpty()) {
            throw new IllegalArgumentException("empty sender id");
        }
        members = List.copyOf(members);
        departed = Set.copyOf(departed);
        Set<String> seen = new HashSet<>();
        for (MemberState m : members) {
            if (!seen.add(m.id())) {
                throw new IllegalArgumentException("member " + m.id() + " appears twice in a digest");
            }
        }
    }
}
