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
 * this node. A few transfers run at once (each waits on round trips, not on the CPU). A transfer
 * that fails is retried a few times, then reported; the caller decides (a ring change tries the
 * whole plan again later, since merging makes copies idempotent).
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
        ConcurrentLinkedQueue<StreamPlan.Transfer> queue = new ConcurrentLinkedQueue<>(transfers);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            workers.add(Thread.ofVirtual().name("stream-" + i).start(() -> {
                StreamPlan.Transfer t;
                while ((t = queue.poll()) != null) {
                    if (cancelled.getAsBoolean()) {
                        failures.add("slot " + t.slot() + ": cancelled");
                        continue;
                    }
                    String failure = copyWithRetries(t);
                    if (failure != null) {
                        failures.add("slot " + t.slot() + " to " + t.target().address() + ": " + failure);
                    }
                    slotsDone.incrementAndGet();
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
        return new Result(transfers.size(), f.size(), keysDone.get(), bytesDone.get(), f);
    }

    private String copyWithRetries(StreamPlan.Transfer t) {
        String failure = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            failure = copy(t);
            if (failure == null) {
                return null;
            }
        }
        return failure;
    }

    /** Copies the slot from every source in turn (one, normally); null on success, else why not. */
    private String copy(StreamPlan.Transfer t) {
        if (t.sources().isEmpty()) {
            return "no live source";
        }
        for (NodeInfo source : t.sources()) {
            byte[] cursor = null;
            boolean more = true;
            while (more) {
                StreamMessages.Page page;
                try {
                    page = read(source, t.slot(), cursor);
                    write(t.target(), page);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    return "from " + source.address() + ": " + cause.getMessage();
                }
                long bytes = page.bytes();
                bytesDone.addAndGet(bytes);
                bytesTotalEver.addAndGet(bytes);
                keysDone.addAndGet(page.entries().size());
                keysTotalEver.addAndGet(page.entries().size());
                more = page.more() && !page.entries().isEmpty();
                if (more) {
                    cursor = page.entries().get(page.entries().size() - 1).key();
                }
            }
        }
        return null;
    }

    private StreamMessages.Page read(NodeInfo source, int slot, byte[] cursor)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (source.id().equals(local.nodeId())) {
            return SlotPages.read(local, slot, cursor, PAGE_BYTES);
        }
        byte[] reply = requester.request(source, Messages.STREAM_READ, StreamMessages.readRequest(slot, cursor, PAGE_BYTES),
            timeoutMillis).get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
        return StreamMessages.readReply(slot, reply);
    }

    private void write(NodeInfo target, StreamMessages.Page page)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (page.entries().isEmpty()) {
            return;
        }
        if (target.id().equals(local.nodeId())) {
            SlotPages.write(local, page);
            return;
        }
        requester.request(target, Messages.STREAM_WRITE, StreamMessages.writeRequest(page), timeoutMillis)
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

    /** Estimated: bytes per slot so far times the slots left. */
    public long bytesLeft() {
        long done = slotsDone.get();
        long left = slotsTotal.get() - done;
        return done == 0 ? 0 : bytesDone.get() / done * left;
    }

    /** Bytes and keys streamed by this copier since it was made, across every plan it ran. */
    public long bytesStreamed() {
        return bytesTotalEver.get();
    }

    public long keysStreamed() {
        return keysTotalEver.get();
    }
}
