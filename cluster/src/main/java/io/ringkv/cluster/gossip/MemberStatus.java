package io.ringkv.cluster.gossip;

/**
 * A member's status as one node sees it. UP, SUSPECT and DOWN are each node's own verdict
 * (docs/gossip.md "Failure handling"); a digest carries the sender's verdicts so that its
 * receivers can count it as a source. LEFT is reserved for issue 6 (a member announcing that it
 * leaves the ring): it is encoded and decoded, but nothing produces it yet.
 */
public enum MemberStatus {
    UP(0),
    /** This node's detector suspects the member; no other node has confirmed it yet. */
    SUSPECT(1),
    /** This node suspects the member and at least one other node does too. */
    DOWN(2),
    LEFT(3);

    private final int code;

    MemberStatus(int code) {
        this.code = code;
    }

    /** Its byte in the digest encoding. */
    public int code() {
        return code;
    }

    public static MemberStatus ofCode(int code) {
        for (MemberStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown member status " + code);
    }

    /** Whether a sender reporting this status about a member suspects it (first hand). */
    public boolean suspects() {
        return this == SUSPECT || this == DOWN;
    }
}
