package io.ringkv.cluster.ring;

import java.util.List;

/**
 * Every slot's replicas on one {@link Ring} under one {@link ReplicationFactor}, head first:
 * what the request path asks for each key, so it is read from arrays, never walked. A plain N
 * uses the ring's own precomputed preference lists ({@link Ring#preferenceList(int, int)}); a
 * per-datacenter factor uses the table {@link Ring#placement} computed. Immutable.
 */
public final class Placement {

    private final Ring ring;
    private final ReplicationFactor factor;
    private final int perSlot;
    /** Per-datacenter factors only: per slot, perSlot member indices (into ring.members()). */
    private final int[] table;
    /** Per-datacenter factors only: per member index, the number of slots it heads. */
    private final int[] headed;

    Placement(Ring ring, ReplicationFactor factor, int perSlot, int[] table, int[] headed) {
        this.ring = ring;
        this.factor = factor;
        this.perSlot = perSlot;
        this.table = table;
        this.headed = headed;
    }

    public Ring ring() {
        return ring;
    }

    public ReplicationFactor factor() {
        return factor;
    }

    /**
     * Replicas per slot: min(N, members) for a plain N; the sum over the listed datacenters of
     * min(count, the datacenter's members) for a per-datacenter factor (0 when none of them has
     * a member).
     */
    public int replicasPerSlot() {
        return perSlot;
    }

    /** The slot's replicas, head first (for a per-datacenter factor, in walk order). */
    public List<Member> replicas(int slot) {
        if (table == null) {
            return ring.preferenceList(slot, perSlot);
        }
        checkSlot(slot);
        List<Member> members = ring.members();
        Member[] out = new Member[perSlot];
        for (int i = 0; i < perSlot; i++) {
            out[i] = members.get(table[slot * perSlot + i]);
        }
        return List.of(out);
    }

    /** The first replica of the slot, or null when it has none. */
    public Member head(int slot) {
        if (perSlot == 0) {
            checkSlot(slot);
            return null;
        }
        if (table == null) {
            return ring.head(slot);
        }
        checkSlot(slot);
        return ring.members().get(table[slot * perSlot]);
    }

    /** How many slots {@code nodeId} heads. */
    public int headedCount(String nodeId) {
        if (table == null) {
            return ring.ownedCount(nodeId);
        }
        int m = ring.memberIndex(nodeId);
        return m < 0 ? 0 : headed[m];
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= Slots.COUNT) {
            throw new IllegalArgumentException("slot out of range [0, " + Slots.COUNT + "): " + slot);
        }
    }

    @Override
    public String toString() {
        return "Placement{" + factor + ", " + perSlot + " per slot, " + ring + "}";
    }
}
