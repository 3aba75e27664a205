package io.ringkv.server.cluster;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.ring.Slots;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * The slot arithmetic behind CLUSTER NODES, SLOTS and SHARDS: a set of slots as runs of
 * consecutive slots, and the whole slot space as runs that share one replica list. Pure
 * functions of their arguments.
 */
public final class SlotRanges {

    /** The slots {@code start} to {@code end}, both included. */
    public record Range(int start, int end) {

        public Range {
            if (start < 0 || end < start || end >= Slots.COUNT) {
                throw new IllegalArgumentException("bad slot range " + start + "-" + end);
            }
        }

        /** "7" for a single slot, "9-100" for a run: the notation of CLUSTER NODES. */
        @Override
        public String toString() {
            return start == end ? Integer.toString(start) : start + "-" + end;
        }
    }

    /**
     * Consecutive slots with the same replica list, head first. The ranges of
     * {@link #byReplicas} cover every slot exactly once, in slot order.
     */
    public record ReplicaRange(Range range, List<NodeInfo> replicas) {
    }

    private SlotRanges() {
    }

    /** The runs of consecutive slots in {@code slots}, in increasing order. */
    public static List<Range> runs(RoaringBitmap slots) {
        List<Range> out = new ArrayList<>();
        int start = -1;
        int previous = -2;
        for (IntIterator it = slots.getIntIterator(); it.hasNext(); ) {
            int slot = it.next();
            if (slot != previous + 1) {
                if (start >= 0) {
                    out.add(new Range(start, previous));
                }
                start = slot;
            }
            previous = slot;
        }
        if (start >= 0) {
            out.add(new Range(start, previous));
        }
        return out;
    }

    /** The runs as CLUSTER NODES writes them, separated by single spaces: "0-5 7 9-100". */
    public static String format(List<Range> ranges) {
        StringBuilder b = new StringBuilder();
        for (Range r : ranges) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(r);
        }
        return b.toString();
    }

    /**
     * The slot space 0..16383 cut into maximal runs of consecutive slots whose replica lists
     * ({@link Topology#replicas}, head first) are equal, order included. Two neighbouring slots
     * with the same members in another order are different runs: the order is what tells a
     * client which node heads a slot.
     */
    public static List<ReplicaRange> byReplicas(Topology topology) {
        return byReplicas(topology, id -> false);
    }

    /**
     * {@link #byReplicas(Topology)} with the nodes {@code down} accepts moved to the end of each
     * replica list (the others keep their order): what cluster clients are told, so that a slot
     * whose head has failed is advertised with a live replica first and clients send its keys
     * there. When the node is back the lists return to ring order.
     */
    public static List<ReplicaRange> byReplicas(Topology topology, java.util.function.Predicate<String> down) {
        List<ReplicaRange> out = new ArrayList<>();
        int start = 0;
        List<NodeInfo> current = advertised(topology.replicas(0), down);
        for (int slot = 1; slot < Slots.COUNT; slot++) {
            List<NodeInfo> replicas = advertised(topology.replicas(slot), down);
            if (!sameIds(replicas, current)) {
                out.add(new ReplicaRange(new Range(start, slot - 1), current));
                start = slot;
                current = replicas;
            }
        }
        out.add(new ReplicaRange(new Range(start, Slots.COUNT - 1), current));
        return out;
    }

    private static List<NodeInfo> advertised(List<NodeInfo> replicas, java.util.function.Predicate<String> down) {
        boolean any = false;
        for (NodeInfo n : replicas) {
            any |= down.test(n.id());
        }
        if (!any) {
            return replicas;
        }
        List<NodeInfo> out = new ArrayList<>(replicas.size());
        for (NodeInfo n : replicas) {
            if (!down.test(n.id())) {
                out.add(n);
            }
        }
        for (NodeInfo n : replicas) {
            if (down.test(n.id())) {
                out.add(n);
            }
        }
        return out;
    }

    /** The runs each node heads in {@code ranges} (first in the list), by node id. */
    public static java.util.Map<String, List<Range>> headed(List<ReplicaRange> ranges) {
        java.util.Map<String, List<Range>> out = new java.util.HashMap<>();
        for (ReplicaRange r : ranges) {
            List<Range> list = out.computeIfAbsent(r.replicas().get(0).id(), k -> new ArrayList<>());
            // Neighbouring runs with one head (they differ in later replicas) join up.
            if (!list.isEmpty() && list.get(list.size() - 1).end() + 1 == r.range().start()) {
                list.set(list.size() - 1, new Range(list.get(list.size() - 1).start(), r.range().end()));
            } else {
                list.add(r.range());
            }
        }
        return out;
    }

    private static boolean sameIds(List<NodeInfo> a, List<NodeInfo> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).id().equals(b.get(i).id())) {
                return false;
            }
        }
        return true;
    }
}
