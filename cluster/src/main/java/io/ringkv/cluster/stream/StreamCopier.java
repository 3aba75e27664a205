package io.ringkv.cluster.stream;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.node.Messages;
import io.ringkv.cluster.replica.ReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Carries out a {@link StreamPlan}: each transfer copies its slot page by page from its source
 * (or each of its sources, merged) to its target, reading and writing locally when an end is
 * this node. Slots with the same source and target are read {@value #SLOTS_PER_READ} per
 * request, and a few such requests run at once (each waits on round trips, not on the CPU).
 * Failed slots are retried a few times, then reported; the caller decides (a ring change tries
 * the whole plan again later, since merging makes copies idempotent).
 *
 * <p>Progress (slots and bytes done and left) is readable from any thread while it runs, for
 * INFO and the log. "Bytes left" is an estimate: the bytes per slot so far times the slots left.
 */
public final class StreamCopier {

    /** Sends one request to a node: the transport, or a test's double. */
    @FunctionalInterface
    public interface Requester {
        CompletableFuture<byte[]> request(NodeInfo node, int type, byte[] payload, long timeoutMillis);
    }

    /** {@code failed}: transfers (slot to a target) not done; {@code failures}: why, a line per batch. */
    public record Result(int transfers, int failed, long keys, long bytes, List<String> failures) {
        public boolean ok() {
            return failed == 0;
        }
    }

    static final int PAGE_BYTES = 1 << 20;
    private static final int ATTEMPTS = 3;

    private final ReplicaStore local;
    private final Requester requester;
    private final int parallelism;
    private final long timeoutMillis;

    private final AtomicLong slotsTotal = new AtomicLong();
    private final AtomicLong slotsDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong keysDone = new AtomicLong();
    private final AtomicLong bytesTotalEver = new AtomicLong();
    private final AtomicLong keysTotalEver = new AtomicLong();

    public StreamCopier(ReplicaStore local, Requester requester, int parallelism, long timeoutMillis) {
        this.local = local;
        this.requester = requester;
        this.parallelism = parallelism;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Runs the transfers and returns when all are done or failed, or when {@code cancelled}
     * turns true (the rest then count as failed).
     */
    public Result run(List<StreamPlan.Transfer> transfers, BooleanSupplier cancelled) throws InterruptedException {
        slotsTotal.set(transfers.size());
        slotsDone.set(0);
        bytesDone.set(0);
        keysDone.set(0);
        ConcurrentLinkedQueue<Unit> queue = new ConcurrentLinkedQueue<>(units(transfers));
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong failedSlots = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            workers.add(Thread.ofVirtual().name("stream-" + i).start(() -> {
                Unit u;
                while ((u = queue.poll()) != null) {
                    if (cancelled.getAsBoolean()) {
                        failedSlots.addAndGet(u.slots.size());
                        failures.add(u.slots.size() + " slot(s) to " + u.target.address() + ": cancelled");
                        continue;
                    }
                    copyWithRetries(u, failures, failedSlots);
                }
            }));
        }
        try {
            for (Thread w : workers) {
                w.join();
            }
        } catch (InterruptedException e) {
            for (Thread w : workers) {
                w.interrupt();
            }
            throw e;
        }
        List<String> f = new ArrayList<>(failures);
        return new Result(transfers.size(), (int) failedSlots.get(), keysDone.get(), bytesDone.get(), f);
    }

    /**
     * Slots to copy from one source to one target, read {@link #SLOTS_PER_READ} at a time. A
     * transfer with several sources (every old replica, merged) makes one unit per source;
     * only the last counts the slot as done.
     */
    private static final class Unit {
        final NodeInfo source;
        final NodeInfo target;
        final List<Integer> slots;
        final boolean countsDone;

        Unit(NodeInfo source, NodeInfo target, List<Integer> slots, boolean countsDone) {
            this.source = source;
            this.target = target;
            this.slots = slots;
            this.countsDone = countsDone;
        }
    }

    static final int SLOTS_PER_READ = 64;

    private List<Unit> units(List<StreamPlan.Transfer> transfers) {
        java.util.Map<List<String>, List<StreamPlan.Transfer>> byPair = new java.util.LinkedHashMap<>();
        List<Unit> units = new ArrayList<>();
        for (StreamPlan.Transfer t : transfers) {
            if (t.sources().size() == 1) {
                byPair.computeIfAbsent(List.of(t.sources().get(0).id(), t.target().id()), k -> new ArrayList<>()).add(t);
            } else if (t.sources().isEmpty()) {
                units.add(new Unit(null, t.target(), List.of(t.slot()), true));
            } else {
                for (int i = 0; i < t.sources().size(); i++) {
                    units.add(new Unit(t.sources().get(i), t.target(), List.of(t.slot()), i == t.sources().size() - 1));
                }
            }
        }
        for (List<StreamPlan.Transfer> group : byPair.values()) {
            for (int i = 0; i < group.size(); i += SLOTS_PER_READ) {
                List<StreamPlan.Transfer> chunk = group.subList(i, Math.min(group.size(), i + SLOTS_PER_READ));
                units.add(new Unit(chunk.get(0).sources().get(0), chunk.get(0).target(),
                    chunk.stream().map(StreamPlan.Transfer::slot).toList(), true));
            }
        }
        return units;
    }

    private void copyWithRetries(Unit u, ConcurrentLinkedQueue<String> failures, AtomicLong failedSlots) {
        java.util.Set<Integer> left = new java.util.LinkedHashSet<>(u.slots);
        String failure = null;
        for (int attempt = 0; attempt < ATTEMPTS && !left.isEmpty(); attempt++) {
            failure = copy(u, left);
        }
        if (!left.isEmpty()) {
            failedSlots.addAndGet(left.size());
            failures.add(left.size() + " slot(s) to " + u.target.address() + ": " + failure);
            if (u.countsDone) {
                slotsDone.addAndGet(left.size());
            }
        }
    }

    /**
     * Copies the unit's slots still in {@code left}, removing each once copied; null when all
     * are, else why not. A slot is copied again from its start after a failure: merging makes
     * that harmless.
     */
    private String copy(Unit u, java.util.Set<Integer> left) {
        if (u.source == null) {
            return "no live source";
        }
        java.util.Map<Integer, byte[]> cursors = new java.util.HashMap<>();
        while (!left.isEmpty()) {
            List<StreamMessages.SlotCursor> ask = new ArrayList<>();
            for (int slot : left) {
                ask.add(new StreamMessages.SlotCursor(slot, cursors.get(slot)));
            }
            List<StreamMessages.Page> pages;
            try {
                pages = read(u.source, ask);
                if (pages.isEmpty()) {
                    return "from " + u.source.address() + ": an empty answer";
                }
                write(u.target, pages);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                return "from " + u.source.address() + ": " + cause.getMessage();
            }
            for (StreamMessages.Page page : pages) {
                if (!left.contains(page.slot())) {
                    return "from " + u.source.address() + ": a page of slot " + page.slot() + ", which was not asked for";
                }
                long bytes = page.bytes();
                bytesDone.addAndGet(bytes);
                bytesTotalEver.addAndGet(bytes);
                keysDone.addAndGet(page.entries().size());
                keysTotalEver.addAndGet(page.entries().size());
                if (page.more() && !page.entries().isEmpty()) {
                    cursors.put(page.slot(), page.entries().get(page.entries().size() - 1).key());
                } else {
                    left.remove(page.slot());
                    if (u.countsDone) {
                        slotsDone.incrementAndGet();
                    }
                }
            }
        }
        return null;
    }

    private List<StreamMessages.Page> read(NodeInfo source, List<StreamMessages.SlotCursor> ask)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<StreamMessages.SlotCursor> batch = ask.subList(0, Math.min(ask.size(), SLOTS_PER_READ));
        if (source.id().equals(local.nodeId())) {
            return SlotPages.read(local, batch, PAGE_BYTES);
        }
        byte[] reply = requester.request(source, Messages.STREAM_READ, StreamMessages.readRequest(batch, PAGE_BYTES),
            timeoutMillis).get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
        return StreamMessages.pages(reply);
    }

    private void write(NodeInfo target, List<StreamMessages.Page> pages)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<StreamMessages.Page> nonEmpty = pages.stream().filter(p -> !p.entries().isEmpty()).toList();
        if (nonEmpty.isEmpty()) {
            return;
        }
        if (target.id().equals(local.nodeId())) {
            SlotPages.write(local, nonEmpty);
            return;
        }
        requester.request(target, Messages.STREAM_WRITE, StreamMessages.pages(nonEmpty), timeoutMillis)
            .get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
    }

    public long slotsTotal() {
        return slotsTotal.get();
    }

    public long slotsDone() {
        return slotsDone.get();
    }

    public long bytesDone() {
        return bytesDone.get();
    }

    public long keysDone() {
        return keysDone.get();
    }

    /** Slots (transfers) of the current plan not done yet. */
    public long slotsLeft() {
        return slotsTotal.get() - slotsDone.get();
    }

    /** Estimated: bytes per slot so far times the slots left. */
    public long bytesLeft() {
        long done = slotsDone.get();
        return done == 0 ? 0 : bytesDone.get() / done * slotsLeft();
    }

    /** Bytes and keys streamed by this copier since it was made, across every plan it ran. */
    public long bytesStreamed() {
        return bytesTotalEver.get();
    }

    public long keysStreamed() {
        return keysTotalEver.get();
    }
}
