package io.ringkv.cluster.membership;

/**
 * A member's place in the ring, which only the member itself changes (except through
 * CLUSTER FORGET, see docs/elasticity.md). Gossip spreads it with the member's heartbeat.
 *
 * <p>A ring change (a node joining or leaving) moves one member through two phases, and every
 * node derives three rings from the statuses it knows:
 * <ul>
 *   <li>the <em>read</em> ring: JOINED, NORMAL and LEAVING members;</li>
 *   <li>the <em>old</em> ring: NORMAL, LEAVING and DRAINED members (the placement before the change);</li>
 *   <li>the <em>new</em> ring: JOINING, JOINED and NORMAL members (the placement after it).</li>
 * </ul>
 * Reads use the read ring; a write is sent to the replicas of both the old and the new ring
 * and needs its quorum in each. So the read ring is the old one until the data has been
 * streamed (JOINING, LEAVING), and the new one after (JOINED, DRAINED), while writes reach
 * both placements for the whole change. Two nodes whose views differ by one phase still
 * intersect: see docs/elasticity.md for the case analysis. Without a change in progress the
 * three rings are the same.
 */
public enum RingStatus {
    /** Known to the cluster but in no ring: a new node waiting for its turn to join. */
    WAITING(0),
    /** Announced: receives writes for the slots it will own while it streams them; no reads. */
    JOINING(1),
    /** Its slots are streamed: takes reads; the old placement still receives writes. */
    JOINED(2),
    NORMAL(3),
    /** Decommissioning: still read; writes also go to the placement without it. */
    LEAVING(4),
    /** Its slots are handed over: no longer read; still written until the change ends. */
    DRAINED(5),
    /** Out of the ring for good. */
    LEFT(6);

    private final int code;

    RingStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RingStatus ofCode(int code) {
        for (RingStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown ring status " + code);
    }

    public boolean inReadRing() {
        return this == JOINED || this == NORMAL || this == LEAVING;
    }

    public boolean inOldRing() {
        return this == NORMAL || this == LEAVING || this == DRAINED;
    }

    public boolean inNewRing() {
        return this == JOINING || this == JOINED || this == NORMAL;
    }

    /** In some ring: it stores data and receives writes. */
    public boolean holdsData() {
        return inOldRing() || inNewRing();
    }

    /** Part of a ring change in progress. */
    public boolean changing() {
        return this == JOINING || this == JOINED || this == LEAVING || this == DRAINED;
    }

    /** Lower-case name, as INFO and CLUSTER NODES show it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
