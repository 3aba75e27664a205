package io.ringkv.compat.history;

import java.util.List;

/**
 * What {@link HistoryChecker} found. Every listed anomaly is a definite violation of a
 * linearizable register (see the checker for the exact rules); {@link #valid()} is true when
 * there is none.
 *
 * @param operations operations checked
 * @param acknowledgedWrites writes that returned OK
 * @param failedWrites writes that definitely failed
 * @param indeterminateWrites writes whose effect is unknown (including those still pending)
 * @param okReads reads that returned a value (or missing)
 * @param unsuccessfulReads reads that failed or are indeterminate (not checked)
 * @param lostWrites acknowledged (or observed) writes that the final value does not reflect
 * @param staleReads reads that returned a value older than one they had to see
 * @param unknownValueReads reads (or final values) returning a value no write on the key wrote
 * @param failedWriteReads reads (or final values) returning the value of a write that reported failure
 * @param futureReads reads returning the value of a write invoked only after the read completed
 */
public record HistoryReport(
    int operations,
    int acknowledgedWrites,
    int failedWrites,
    int indeterminateWrites,
    int okReads,
    int unsuccessfulReads,
    List<LostWrite> lostWrites,
    List<StaleRead> staleReads,
    List<Operation> unknownValueReads,
    List<ReadOfWrite> failedWriteReads,
    List<ReadOfWrite> futureReads) {

    /** How many anomalies of each kind {@link #toString()} spells out. */
    private static final int EXAMPLES = 5;

    public HistoryReport {
        lostWrites = List.copyOf(lostWrites);
        staleReads = List.copyOf(staleReads);
        unknownValueReads = List.copyOf(unknownValueReads);
        failedWriteReads = List.copyOf(failedWriteReads);
        futureReads = List.copyOf(futureReads);
    }

    /** True when no anomaly was found. */
    public boolean valid() {
        return lostWrites.isEmpty() && staleReads.isEmpty() && unknownValueReads.isEmpty()
            && failedWriteReads.isEmpty() && futureReads.isEmpty();
    }

    /**
     * A write the final value does not reflect.
     *
     * @param write the lost write: acknowledged, or indeterminate but returned by some read
     * @param finalValue the key's final value (null: missing)
     * @param finalWrite the write of the final value, null if missing
     */
    public record LostWrite(Operation write, String finalValue, Operation finalWrite) {
        @Override
        public String toString() {
            return "lost " + write + ": final value "
                + (finalWrite == null ? "(missing)" : finalValue + " from " + finalWrite + ", completed before it was invoked");
        }
    }

    /**
     * A read that went back in time.
     *
     * @param read the stale read
     * @param valueWrite the write of the value it returned, null if it returned missing
     * @param witness why a newer value was due: an acknowledged write that completed before the
     *     read was invoked, or a read that completed before it and returned a newer value
     */
    public record StaleRead(Operation read, Operation valueWrite, Operation witness) {
        @Override
        public String toString() {
            return "stale " + read + ": its value "
                + (valueWrite == null ? "(missing)" : "from " + valueWrite)
                + " is strictly older than " + (witness.isWrite() ? "" : "the value of ") + witness
                + ", which completed before the read was invoked";
        }
    }

    /** A read (id -1, client "final" for a key's final value) and the write whose value it returned. */
    public record ReadOfWrite(Operation read, Operation write) {
        @Override
        public String toString() {
            return read + " returned the value of " + write;
        }
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder()
            .append(valid() ? "valid" : "INVALID").append(": ").append(operations).append(" operations; writes ")
            .append(acknowledgedWrites).append(" ok, ").append(failedWrites).append(" failed, ")
            .append(indeterminateWrites).append(" indeterminate; reads ").append(okReads).append(" ok, ")
            .append(unsuccessfulReads).append(" unsuccessful; ")
            .append(lostWrites.size()).append(" lost writes, ").append(staleReads.size()).append(" stale reads, ")
            .append(unknownValueReads.size()).append(" reads of unwritten values, ")
            .append(failedWriteReads.size()).append(" reads of failed writes, ")
            .append(futureReads.size()).append(" reads from the future");
        examples(out, "lost writes", lostWrites);
        examples(out, "stale reads", staleReads);
        examples(out, "reads of values never written", unknownValueReads);
        examples(out, "reads of failed writes", failedWriteReads);
        examples(out, "reads of writes invoked after the read completed", futureReads);
        return out.toString();
    }

    private static void examples(StringBuilder out, String title, List<?> items) {
        if (items.isEmpty()) {
            return;
        }
        out.append("\n").append(title).append(":");
        items.stream().limit(EXAMPLES).forEach(item -> out.append("\n  ").append(item));
        if (items.size() > EXAMPLES) {
            out.append("\n  ... and ").append(items.size() - EXAMPLES).append(" more");
        }
    }
}
