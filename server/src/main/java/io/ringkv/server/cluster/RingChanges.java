package io.ringkv.server.cluster;

import io.ringkv.cluster.membership.RingStatus;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.stream.StreamCopier;
import io.ringkv.cluster.stream.StreamPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Moves this node through a ring change: joining (WAITING, JOINING, JOINED, NORMAL) and leaving
 * (NORMAL, LEAVING, DRAINED, LEFT), and restores the replication factor after a member is
 * forgotten. docs/elasticity.md has the protocol and why it keeps quorums intersecting.
 *
 * <p>One step at a time, from one thread (the node's ring-change thread calls {@link #step}
 * every few hundred milliseconds). Every step that moves the status on first waits for the
 * barrier: every live member has shown, in a digest it sent, the current status of this node,
 * so no node is more than one phase behind. Only one change runs in the cluster at a time: a
 * node starts one only when it sees no other, and of two announced at once the one with the
 * later (ring version, id) withdraws before it streams.
 */
public final class RingChanges {

    /** What the driver needs of its node: the gossip state and membership behind a lock. */
    public interface Node {
        Topology topology();

        RingStatus selfRing();

        /** Sets this node's ring status (gossip, membership and the nodes file). */
        void announce(RingStatus status);

        /** True when every live member has echoed this node's current ring version. */
        boolean echoedByAll();

        /** Another member's change that goes before this node's: its description, if any. */
        Optional<String> earlierChange();

        /** True when some other member is in a ring change (joining or leaving). */
        boolean otherChangeInProgress();

        /** True unless failure detection holds the member down (this node is always live). */
        boolean live(String nodeId);

        /** The change is over and this node has left: it departs for good. */
        void departSelf();

        /** A new node whose address is among its seeds, that has not decided yet to found or join. */
        boolean founding();

        /** Some seed has answered (its view is known), or there are no seeds. */
        boolean metASeed();

        /** Members at this node's own address under another id: its former identities. */
        List<String> formerIdentities();

        /** Removes a former identity for good (its data is lost; the survivors re-replicate). */
        void forgetFormer(String nodeId);
    }

    private final Node node;
    private final StreamCopier copier;
    private final Consumer<String> notice;
    private final Consumer<String> warning;
    private volatile boolean leaveRequested;
    /** Re-replication plans to run after members were forgotten. */
    private final ConcurrentLinkedQueue<List<StreamPlan.Transfer>> repairs = new ConcurrentLinkedQueue<>();
    private volatile String phase = "";
    private volatile boolean streaming;

    public RingChanges(Node node, StreamCopier copier, Consumer<String> notice, Consumer<String> warning) {
        this.node = node;
        this.copier = copier;
        this.notice = notice;
        this.warning = warning;
    }

    /**
     * CLUSTER LEAVE: decommission this node. Returns an error text, or null when the leave is
     * under way (it goes on in the background; INFO's cluster_ring_status shows where it is).
     */
    public String requestLeave() {
        RingStatus s = node.selfRing();
        switch (s) {
            case NORMAL, LEAVING, DRAINED -> {
                leaveRequested = true;
                return null;
            }
            case LEFT -> {
                return "this node has left the cluster already";
            }
            default -> {
                return "this node is " + s.label() + ": only a node in the ring (normal) can leave";
            }
        }
    }

    /** Queues the transfers that give this node the slots it gained when members were forgotten. */
    public void reReplicate(List<StreamPlan.Transfer> transfers) {
        if (!transfers.isEmpty()) {
            repairs.add(transfers);
        }
    }

    public boolean streaming() {
        return streaming;
    }

    public StreamCopier copier() {
        return copier;
    }

    /** One step; never throws (a failure is logged and the step is tried again later). */
    public void step() throws InterruptedException {
        List<StreamPlan.Transfer> repair = repairs.poll();
        if (repair != null) {
            run("re-replication", repair);
        }
        if (node.founding()) {
            found();
            return;
        }
        Topology t = node.topology();
        if (!t.complete() && node.selfRing() != RingStatus.WAITING) {
            return;
        }
        switch (node.selfRing()) {
            case WAITING -> {
                if (!t.complete()) {
                    return;
                }
                if (node.otherChangeInProgress()) {
                    waiting("another node is joining or leaving; waiting for its turn to join");
                    return;
                }
                notice.accept("Joining the ring: announcing this node's tokens");
                node.announce(RingStatus.JOINING);
            }
            case JOINING -> {
                Optional<String> earlier = node.earlierChange();
                if (earlier.isPresent()) {
                    notice.accept("Withdrawing the join: " + earlier.get() + " goes first");
                    node.announce(RingStatus.WAITING);
                    return;
                }
                if (!node.echoedByAll()) {
                    return;
                }
                if (stream("join")) {
                    notice.accept("Join: the slots are streamed; taking reads");
                    node.announce(RingStatus.JOINED);
                }
            }
            case JOINED -> {
                if (node.echoedByAll()) {
                    notice.accept("Joined the ring");
                    node.announce(RingStatus.NORMAL);
                }
            }
            case NORMAL -> {
                if (!leaveRequested) {
                    return;
                }
                if (node.otherChangeInProgress()) {
                    waiting("another node is joining or leaving; waiting for its turn to leave");
                    return;
                }
                notice.accept("Leaving the ring (CLUSTER LEAVE)");
                node.announce(RingStatus.LEAVING);
            }
            case LEAVING -> {
                Optional<String> earlier = node.earlierChange();
                if (earlier.isPresent()) {
                    notice.accept("Postponing the leave: " + earlier.get() + " goes first");
                    node.announce(RingStatus.NORMAL);
                    return;
                }
                if (!node.echoedByAll()) {
                    return;
                }
                if (stream("leave")) {
                    notice.accept("Leave: the slots are handed over; no longer taking reads");
                    node.announce(RingStatus.DRAINED);
                }
            }
            case DRAINED -> {
                if (node.echoedByAll()) {
                    notice.accept("Left the ring: this node holds no data for the cluster any more");
                    node.announce(RingStatus.LEFT);
                    node.departSelf();
                    leaveRequested = false;
                }
            }
            case LEFT -> {
            }
        }
    }

    /*
     * A new node whose address is among its seeds founds the cluster with the other seeds as
     * soon as one seed has answered, so a cluster's first start takes no streaming. Unless the
     * cluster knows a member at this very address under another id: this node's former
     * identity, whose data is gone (a seed started again on an empty volume). No process can
     * hold that address but this one, so the former identity is forgotten (the survivors
     * re-replicate its slots) and this node joins like any other, streaming its share. The
     * decision is kept: announcing WAITING again moves the ring version past 0.
     */
    private void found() {
        if (!node.metASeed()) {
            return;
        }
        List<String> former = node.formerIdentities();
        if (former.isEmpty()) {
            notice.accept("Founding the cluster with the other seeds");
            node.announce(RingStatus.NORMAL);
            return;
        }
        for (String id : former) {
            warning.accept("Node " + id + " had this node's address: it is this node's former identity, whose data"
                + " is lost; forgetting it, and joining as a new node");
            node.forgetFormer(id);
        }
        node.announce(RingStatus.WAITING);
    }

    private String lastWaiting;

    private void waiting(String why) {
        if (!why.equals(lastWaiting)) {
            notice.accept(why);
            lastWaiting = why;
        }
    }

    /** Streams the change in progress; true when every transfer succeeded. */
    private boolean stream(String what) throws InterruptedException {
        Topology t = node.topology();
        List<StreamPlan.Transfer> plan = StreamPlan.forChange(t, node::live);
        return run(what, plan);
    }

    private boolean run(String what, List<StreamPlan.Transfer> plan) throws InterruptedException {
        long slots = plan.stream().mapToInt(StreamPlan.Transfer::slot).distinct().count();
        notice.accept("Streaming for the " + what + ": " + plan.size() + " transfer(s) of " + slots + " slot(s)");
        streaming = true;
        phase = what;
        long start = System.nanoTime();
        StreamCopier.Result result;
        try {
            result = copier.run(plan, () -> false);
        } finally {
            streaming = false;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (result.ok()) {
            notice.accept("Streaming for the " + what + " done: " + result.keys() + " keys, " + result.bytes()
                + " bytes in " + ms + " ms");
            return true;
        }
        List<String> sample = new ArrayList<>(result.failures().subList(0, Math.min(3, result.failures().size())));
        warning.accept("Streaming for the " + what + ": " + result.failed() + " of " + result.transfers()
            + " transfer(s) failed (" + String.join("; ", sample) + "); trying again");
        if (what.equals("re-replication")) {
            repairs.add(plan);
        }
        return false;
    }

    /** What INFO shows as this node's ring change: "" when none. */
    public String phase() {
        return streaming ? phase : "";
    }
}
