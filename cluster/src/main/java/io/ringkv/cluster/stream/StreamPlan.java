package io.ringkv.cluster.stream;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.ring.Slots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Which slots a ring change moves, from where to where: pure, computed from two placements.
 *
 * <p>For each slot, every node in the placement after the change but not before (a
 * <em>gainer</em>) needs the slot's records. They come from the nodes that lose the slot (the
 * <em>droppers</em>): a write acknowledged by W replicas of the old placement is then on at least
 * W replicas of the new one, because every copy a dropper held moves to a gainer (the argument
 * is in docs/elasticity.md). So one live dropper is enough, this node first when it is one (a
 * leaving node reads its own data). When no dropper is alive, or the slot has none (the new
 * placement is larger), every live old replica is read and merged: the copies that survive
 * are spread over them.
 *
 * <p>{@link #forgotten} plans the re-replication after a dead member is removed: its copies are
 * lost, so a gainer reads every surviving replica.
 */
public final class StreamPlan {

    /** Copy {@code slot} to {@code target} from {@code sources}: one source, or all of them merged. */
    public record Transfer(int slot, NodeInfo target, List<NodeInfo> sources) {
    }

    private StreamPlan() {
    }

    /** The transfers of the change in progress in {@code t} (none without one). */
    public static List<Transfer> forChange(Topology t, Predicate<String> live) {
        if (!t.changing()) {
            return List.of();
        }
        return plan(t::oldReplicas, t::newReplicas, live, t.selfId(), false);
    }

    /**
     * The transfers that restore the replication factor after members were removed for good:
     * {@code before} is the placement with them, {@code after} without.
     */
    public static List<Transfer> forgotten(IntFunction<List<NodeInfo>> before, IntFunction<List<NodeInfo>> after,
                                           Predicate<String> live, String selfId) {
        return plan(before, after, live, selfId, true);
    }

    private static List<Transfer> plan(IntFunction<List<NodeInfo>> before, IntFunction<List<NodeInfo>> after,
                                       Predicate<String> live, String selfId, boolean everySurvivor) {
        List<Transfer> out = new ArrayList<>();
        for (int slot = 0; slot < Slots.COUNT; slot++) {
            List<NodeInfo> old = before.apply(slot);
            List<NodeInfo> next = after.apply(slot);
            List<NodeInfo> gainers = minus(next, old);
            if (gainers.isEmpty()) {
                continue;
            }
            List<NodeInfo> sources = new ArrayList<>();
            if (!everySurvivor) {
                NodeInfo dropper = null;
                for (NodeInfo n : minus(old, next)) {
                    if (n.id().equals(selfId)) {
                        dropper = n;
                        break;
                    }
                    if (dropper == null && live.test(n.id())) {
                        dropper = n;
                    }
                }
                if (dropper != null) {
                    sources.add(dropper);
                }
            }
            if (sources.isEmpty()) {
                for (NodeInfo n : old) {
                    if (n.id().equals(selfId) || live.test(n.id())) {
                        sources.add(n);
                    }
                }
            }
            for (NodeInfo g : gainers) {
                out.add(new Transfer(slot, g, List.copyOf(sources)));
            }
        }
        return out;
    }

    private static List<NodeInfo> minus(List<NodeInfo> a, List<NodeInfo> b) {
        List<NodeInfo> out = new ArrayList<>();
        for (NodeInfo n : a) {
            boolean found = false;
            for (NodeInfo m : b) {
                if (m.id().equals(n.id())) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                out.add(n);
            }
        }
        return out;
    }
}
