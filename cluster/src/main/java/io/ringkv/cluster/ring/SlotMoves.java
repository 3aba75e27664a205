package io.ringkv.cluster.ring;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.roaringbitmap.RoaringBitmap;

/**
 * The head-ownership changes between two rings, as bitmap differences per node: a node gains
 * {@code after.owned - before.owned} and loses {@code before.owned - after.owned}. A slot lost by
 * one node is gained by exactly one other (every slot has exactly one head in each ring), so the
 * union of all gains equals the union of all losses equals {@link #moved()}.
 *
 * <p>An immutable value: the bitmaps are copied on the way in and on the way out, because
 * RoaringBitmap itself is mutable.
 */
public final class SlotMoves {

    private final Map<String, RoaringBitmap> gained;
    private final Map<String, RoaringBitmap> lost;
    private final RoaringBitmap moved;

    private SlotMoves(Map<String, RoaringBitmap> gained, Map<String, RoaringBitmap> lost) {
        this.gained = gained;
        this.lost = lost;
        this.moved = RoaringBitmap.or(gained.values().iterator());
    }

    /** The moves that turn {@code before}'s head ownership into {@code after}'s. */
    public static SlotMoves between(Ring before, Ring after) {
        Set<String> nodes = new TreeSet<>(before.nodeIds());
        nodes.addAll(after.nodeIds());
        Map<String, RoaringBitmap> gained = new TreeMap<>();
        Map<String, RoaringBitmap> lost = new TreeMap<>();
        for (String node : nodes) {
            RoaringBitmap was = before.ownedSlots(node);
            RoaringBitmap is = after.ownedSlots(node);
            RoaringBitmap gain = RoaringBitmap.andNot(is, was);
            RoaringBitmap loss = RoaringBitmap.andNot(was, is);
            if (!gain.isEmpty()) {
                gained.put(node, gain);
            }
            if (!loss.isEmpty()) {
                lost.put(node, loss);
            }
        }
        return new SlotMoves(gained, lost);
    }

    /** Slots {@code nodeId} heads after the change but not before (empty if none). */
    public RoaringBitmap gained(String nodeId) {
        RoaringBitmap b = gained.get(nodeId);
        return b == null ? new RoaringBitmap() : b.clone();
    }

    /** Slots {@code nodeId} headed before the change but not after (empty if none). */
    public RoaringBitmap lost(String nodeId) {
        RoaringBitmap b = lost.get(nodeId);
        return b == null ? new RoaringBitmap() : b.clone();
    }

    /** Nodes that gain at least one slot, in id order. */
    public Set<String> gainers() {
        return Collections.unmodifiableSet(gained.keySet());
    }

    /** Nodes that lose at least one slot, in id order. */
    public Set<String> losers() {
        return Collections.unmodifiableSet(lost.keySet());
    }

    /** Every slot whose head changed. */
    public RoaringBitmap moved() {
        return moved.clone();
    }

    public int movedCount() {
        return moved.getCardinality();
    }

    @Override
    public String toString() {
        return "SlotMoves{moved=" + movedCount() + ", gainers=" + gained.keySet() + ", losers=" + lost.keySet() + "}";
    }
}
