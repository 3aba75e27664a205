package io.ringkv.compat.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A thread-safe recorder of the operations concurrent clients perform on registers, for
 * {@link HistoryChecker}. A client calls {@code invoke*} just before it sends a request and one
 * outcome method just after it learns the result:
 *
 * <pre>
 * long id = history.invokeWrite("c1", "k3", "c1-17");
 * try {
 *     jedis.set("k3", "c1-17");
 *     history.ok(id);
 * } catch (JedisDataException e) {          // e.g. a syntax error: definitely not applied
 *     history.fail(id);
 * } catch (RuntimeException e) {            // timeout, connection lost, UNAVAILABLE
 *     history.indeterminate(id);
 * }
 * </pre>
 *
 * Every time is read from one monotonic clock (System.nanoTime unless another is injected), and
 * read outside the lock: an invocation's time is then never later than the request it stamps, and
 * an outcome's time never earlier than the reply, which is what the checker's reasoning needs.
 */
public final class History {

    private final LongSupplier clock;
    private final Object lock = new Object();
    // Index = operation id. Guarded by lock.
    private final ArrayList<Operation> operations = new ArrayList<>();

    public History() {
        this(System::nanoTime);
    }

    public History(LongSupplier clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records the invocation of a write of {@code value} (unique for its key); returns its id. */
    public long invokeWrite(String client, String key, String value) {
        Objects.requireNonNull(value, "value");
        return invoke(client, key, Operation.Kind.WRITE, value);
    }

    /** Records the invocation of a read; returns its id. */
    public long invokeRead(String client, String key) {
        return invoke(client, key, Operation.Kind.READ, null);
    }

    /** The write {@code id} was acknowledged. */
    public void ok(long id) {
        complete(id, Operation.Outcome.OK, Operation.Kind.WRITE, null);
    }

    /** The read {@code id} returned {@code value} (null: the key was missing). */
    public void okRead(long id, String value) {
        complete(id, Operation.Outcome.OK, Operation.Kind.READ, value);
    }

    /** The operation {@code id} definitely had no effect. */
    public void fail(long id) {
        complete(id, Operation.Outcome.FAIL, null, null);
    }

    /** The operation {@code id}'s effect is unknown (timeout, connection lost, UNAVAILABLE). */
    public void indeterminate(long id) {
        complete(id, Operation.Outcome.INDETERMINATE, null, null);
    }

    /** A snapshot of every operation so far, in id order. */
    public List<Operation> operations() {
        synchronized (lock) {
            return List.copyOf(operations);
        }
    }

    public int size() {
        synchronized (lock) {
            return operations.size();
        }
    }

    private long invoke(String client, String key, Operation.Kind kind, String value) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(key, "key");
        long now = clock.getAsLong();
        synchronized (lock) {
            long id = operations.size();
            operations.add(new Operation(id, client, key, kind, value, now, Long.MAX_VALUE, Operation.Outcome.PENDING));
            return id;
        }
    }

    private void complete(long id, Operation.Outcome outcome, Operation.Kind expectedKind, String value) {
        long now = clock.getAsLong();
        synchronized (lock) {
            if (id < 0 || id >= operations.size()) {
                throw new IllegalArgumentException("no operation " + id);
            }
            Operation op = operations.get((int) id);
            if (op.outcome() != Operation.Outcome.PENDING) {
                throw new IllegalStateException("operation already completed: " + op);
            }
            if (expectedKind != null && op.kind() != expectedKind) {
                throw new IllegalStateException(
                    (expectedKind == Operation.Kind.READ ? "okRead" : "ok") + " on a " + op.kind() + ": " + op);
            }
            // A write keeps the value it wrote whatever its outcome; a read holds what it returned.
            String newValue = op.isWrite() ? op.value() : value;
            operations.set((int) id, op.withOutcome(outcome, newValue, now));
        }
    }
}
