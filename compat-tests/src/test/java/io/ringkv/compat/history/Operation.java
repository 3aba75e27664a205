package io.ringkv.compat.history;

/**
 * One recorded client operation on one register (key): its invocation, and its outcome once
 * the client knows it. Immutable; {@link History} replaces an operation's record when its
 * outcome arrives.
 *
 * @param id the operation's number in its history (0, 1, 2... in invocation order)
 * @param client who issued it (free text, for reports)
 * @param key the register
 * @param kind write or read
 * @param value for a write the value written (unique per key); for a read the value it returned,
 *     null if the key was missing or the read has no successful outcome
 * @param invokeNanos clock reading taken before the request was sent
 * @param endNanos clock reading taken after the outcome was known; {@link Long#MAX_VALUE} while
 *     pending
 * @param outcome what the client learnt
 */
public record Operation(
    long id, String client, String key, Kind kind, String value, long invokeNanos, long endNanos, Outcome outcome) {

    public enum Kind { WRITE, READ }

    public enum Outcome {
        /** No outcome recorded yet; the checker treats it as {@link #INDETERMINATE}. */
        PENDING,
        /** Acknowledged: the write was applied, or the read returned {@code value}. */
        OK,
        /** Definitely not applied (e.g. a syntax error); never a quorum failure. */
        FAIL,
        /** Unknown: timeout, connection lost, UNAVAILABLE. A write may or may not have been applied. */
        INDETERMINATE
    }

    public boolean isWrite() {
        return kind == Kind.WRITE;
    }

    public boolean acknowledged() {
        return outcome == Outcome.OK;
    }

    /**
     * When the operation took effect at the latest: its end if acknowledged, +infinity
     * ({@link Long#MAX_VALUE}) otherwise -- an indeterminate write may take effect at any later time.
     */
    public long completion() {
        return outcome == Outcome.OK ? endNanos : Long.MAX_VALUE;
    }

    Operation withOutcome(Outcome newOutcome, String newValue, long end) {
        return new Operation(id, client, key, kind, newValue, invokeNanos, end, newOutcome);
    }

    @Override
    public String toString() {
        String end = endNanos == Long.MAX_VALUE ? "..." : Long.toString(endNanos);
        String what = kind == Kind.WRITE
            ? "write " + key + "=" + value
            : "read " + key + (outcome == Outcome.OK ? " -> " + (value == null ? "(missing)" : value) : "");
        return "#" + id + " " + client + " " + what + " [" + invokeNanos + ", " + end + "] " + outcome;
    }
}
