package io.ringkv.cluster.handoff;

import io.ringkv.cluster.coordinator.ReplicaClient;
import io.ringkv.cluster.membership.NodeInfo;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Delivers stored hints to the nodes they were meant for, as MERGE requests: on every
 * {@link #tick} (the node calls it every second) to each target not marked down, and at once
 * when a target is seen alive again ({@link #nodeUp}). A target's hints go one segment at a time,
 * at most {@link #MAX_IN_FLIGHT} requests outstanding; the segment is deleted once every hint in
 * it was acknowledged. On the first failure the target's delivery stops until the next try, which
 * starts that segment over: a MERGE is idempotent, so hints delivered twice do no harm.
 *
 * <p>Hints older than {@code max-hint-window} are dropped, not delivered: by then the target has
 * been gone so long that anti-entropy, not a replay of everything it missed, should bring it level
 * (Cassandra's max_hint_window, 3 hours by default).
 */
public final class HintReplayer {

    /** MERGE requests outstanding per target during a replay. */
    public static final int MAX_IN_FLIGHT = 256;

    private final HintStore store;
    private final ReplicaClient client;
    private final Function<String, NodeInfo> nodes;
    private final Predicate<String> down;
    private final Clock clock;
    private final LongSupplier windowMillis;
    private final long timeoutMillis;
    private final Consumer<String> warn;
    private final Set<String> delivering = ConcurrentHashMap.newKeySet();
    private final LongAdder replayed = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    /**
     * @param nodes        a node by id (null when it is not a member)
     * @param down         the nodes failure detection marked down: not tried on a tick
     * @param windowMillis max-hint-window; hints older than this are dropped
     */
    public HintReplayer(HintStore store, ReplicaClient client, Function<String, NodeInfo> nodes,
                        Predicate<String> down, Clock clock, LongSupplier windowMillis, long timeoutMillis,
                        Consumer<String> warn) {
        this.store = store;
        this.client = client;
        this.nodes = nodes;
        this.down = down;
        this.clock = clock;
        this.windowMillis = windowMillis;
        this.timeoutMillis = timeoutMillis;
        this.warn = warn;
    }

    public long replayed() {
        return replayed.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    /** Drops expired hints and starts delivering to every target that is not marked down. */
    public void tick() {
        try {
            dropped.add(store.dropOlderThan(clock.millis() - windowMillis.getAsLong()));
        } catch (IOException e) {
            warn.accept("Could not drop expired hints: " + e.getMessage());
        }
        for (String target : store.targets()) {
            if (!down.test(target)) {
                deliver(target);
            }
        }
    }

    /** The target was seen alive again: deliver its hints now. */
    public void nodeUp(String target) {
        if (store.pendingCount(target) > 0) {
            deliver(target);
        }
    }

    private void deliver(String target) {
        NodeInfo node = nodes.apply(target);
        if (node == null || !delivering.add(target)) {
            return;
        }
        nextBatch(node);
    }

    private void nextBatch(NodeInfo node) {
        String target = node.id();
        HintStore.Batch batch;
        try {
            batch = store.oldest(target);
        } catch (IOException | RuntimeException e) {
            warn.accept("Could not read the hints for " + target + ": " + e.getMessage());
            delivering.remove(target);
            return;
        }
        if (batch == null) {
            delivering.remove(target);
            return;
        }
        long cutoff = clock.millis() - windowMillis.getAsLong();
        List<Hint> live = new ArrayList<>(batch.hints().size());
        for (Hint h : batch.hints()) {
            if (h.createdMillis() >= cutoff) {
                live.add(h);
            }
        }
        long expired = batch.hints().size() - live.size();
        new Delivery(node, batch, live, expired).start();
    }

    /** One segment's hints on their way: a window of requests, refilled as each is acknowledged. */
    private final class Delivery {
        final NodeInfo node;
        final HintStore.Batch batch;
        final List<Hint> hints;
        final long expired;
        int next;
        int outstanding;
        boolean failed;

        Delivery(NodeInfo node, HintStore.Batch batch, List<Hint> hints, long expired) {
            this.node = node;
            this.batch = batch;
            this.hints = hints;
            this.expired = expired;
        }

        void start() {
            if (hints.isEmpty()) {
                finished();
                return;
            }
            List<Hint> first;
            synchronized (this) {
                int n = Math.min(MAX_IN_FLIGHT, hints.size());
                first = hints.subList(0, n);
                next = n;
                outstanding = n;
            }
            for (Hint h : first) {
                send(h);
            }
        }

        void send(Hint h) {
            client.merge(node, h.slot(), h.key(), h.versions(), timeoutMillis).whenComplete((ok, error) -> acked(error == null));
        }

        void acked(boolean ok) {
            Hint more = null;
            boolean done;
            synchronized (this) {
                outstanding--;
                if (!ok) {
                    failed = true;
                } else if (!failed && next < hints.size()) {
                    more = hints.get(next++);
                    outstanding++;
                }
                done = outstanding == 0;
            }
            if (more != null) {
                send(more);
            } else if (done) {
                if (failed) {
                    delivering.remove(node.id());
                } else {
                    finished();
                }
            }
        }

        void finished() {
            try {
                store.delivered(batch);
            } catch (IOException | RuntimeException e) {
                warn.accept("Could not delete delivered hints for " + node.id() + ": " + e.getMessage());
                delivering.remove(node.id());
                return;
            }
            replayed.add(hints.size());
            dropped.add(expired);
            nextBatch(node);
        }
    }
}
