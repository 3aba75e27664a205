package io.ringkv.compat.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a recorded {@link History} of reads and writes on registers for anomalies that no
 * linearizable store could produce: lost writes, stale reads, and reads of values that were
 * never (successfully, or yet) written.
 *
 * <h2>Model</h2>
 * Each key is an independent register. Writes store unique values (per key); there are no
 * deletes, so a missing key means "nothing written yet"; a read returns one value. All reasoning
 * uses real-time order only, from one monotonic clock:
 * <ul>
 *   <li>Write x is <em>strictly before</em> write w when x was acknowledged before w was invoked
 *       ({@code x.end < w.invoke}). A missing value is strictly before every write. A write that
 *       was not acknowledged (indeterminate, pending) has no completion time -- it may take effect
 *       at any moment after its invocation -- so nothing is strictly after it; its value may
 *       legally appear at any time after it was invoked.
 *   <li>Equal clock readings are not "before": ties count as concurrent.
 * </ul>
 *
 * <h2>What it reports</h2>
 * <ol>
 *   <li><b>Stale read</b>: read r returned the value of write x (or missing) although some
 *       acknowledged write w on the key completed before r was invoked and x is strictly before w.
 *   <li><b>Stale read, going back in time</b>: read r1 completed before read r2 was invoked and r2
 *       returned a value strictly before r1's value.
 *   <li><b>Lost write</b>: the key's final value (read by the caller after quiescence, with every
 *       replica up, at ALL) is missing or strictly before an acknowledged write w. A write that
 *       was indeterminate but whose value some read returned is held to the same rule: it was
 *       observed, so it happened.
 *   <li><b>Reads of values never written</b> by any write on the key (acknowledged, indeterminate
 *       or failed), <b>reads of a failed write's value</b> (a failure must mean "not applied"; the
 *       client must record quorum failures as indeterminate), and <b>reads from the future</b>
 *       (the value's write was invoked only after the read completed). These include a final value
 *       that is such a value; then the key's lost writes are not judged.
 * </ol>
 *
 * <h2>What that proves, and what not</h2>
 * Every reported anomaly is a real violation of linearizability (of the per-key register),
 * provided the recorded times bracket the real requests (invocation stamped before sending,
 * outcome after the reply) and values are unique. The checker is sound but <em>not complete</em>:
 * it is not a linearizability checker (that search is NP-complete in general), and a history it
 * passes may still not be linearizable. In particular it does not infer orders between
 * overlapping writes from what reads saw: if writes a and b overlap and both complete, one read
 * returning b and a later read returning a is a violation it does not see, since neither write is
 * strictly before the other. It does not check failed or indeterminate reads, anything across
 * keys, deletes or expiry (a DEL would make "missing" ambiguous), or sibling sets (KV.GET);
 * and it only says something about the quorum settings the test chose (with R + W &lt;= N
 * stale reads are expected).
 *
 * <h2>Cost</h2>
 * O(n log n): each key's acknowledged writes and successful reads are sorted by completion time
 * once, with running maxima, and each read looks up its witnesses by binary search.
 */
public final class HistoryChecker {

    private HistoryChecker() {
    }

    /**
     * Checks {@code history}; {@code finalValues} maps each key to its final value, and a key that
     * is absent (or maps to null) was missing at the end.
     */
    public static HistoryReport check(History history, Map<String, String> finalValues) {
        return check(history.operations(), finalValues);
    }

    /** As {@link #check(History, Map)}, on a list of operations (e.g. a saved history). */
    public static HistoryReport check(List<Operation> operations, Map<String, String> finalValues) {
        Findings findings = new Findings();
        // TreeMap: reports list keys in a stable order.
        Map<String, List<Operation>> byKey = new TreeMap<>();
        for (Operation op : operations) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            findings.count(op);
        }
        for (String key : finalValues.keySet()) {
            byKey.computeIfAbsent(key, k -> new ArrayList<>());
        }
        for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
            checkKey(entry.getKey(), entry.getValue(), finalValues.get(entry.getKey()), findings);
        }
        return findings.report(operations.size());
    }

    /** A successful read whose value is a write that may legally be seen (or missing: write null). */
    private record Observation(Operation read, Operation write) {
        /** Invocation of the value's write; a missing value constrains nothing. */
        long valueInvoke() {
            return write == null ? Long.MIN_VALUE : write.invokeNanos();
        }

        /** Completion of the value's write: missing is before everything, unacknowledged after. */
        long valueCompletion() {
            return write == null ? Long.MIN_VALUE : write.completion();
        }
    }

    private static void checkKey(String key, List<Operation> ops, String finalValue, Findings findings) {
        Map<String, Operation> writes = new HashMap<>();
        List<Operation> acknowledged = new ArrayList<>();
        List<Operation> reads = new ArrayList<>();
        for (Operation op : ops) {
            if (op.isWrite()) {
                Operation earlier = writes.putIfAbsent(op.value(), op);
                if (earlier != null) {
                    throw new IllegalArgumentException(
                        "values must be unique per key, but " + earlier + " and " + op + " write the same");
                }
                if (op.acknowledged()) {
                    acknowledged.add(op);
                }
            } else if (op.acknowledged()) {
                reads.add(op);
            }
        }

        List<Observation> observations = new ArrayList<>();
        for (Operation read : reads) {
            Observation seen = classify(read, writes, findings);
            if (seen != null) {
                observations.add(seen);
            }
        }

        // For each prefix of the acknowledged writes in completion order, the one invoked last:
        // the newest write every read invoked after that prefix must see (or see something
        // not strictly before it).
        acknowledged.sort(Comparator.comparingLong(Operation::endNanos));
        long[] writeEnds = new long[acknowledged.size()];
        Operation[] writeWitness = new Operation[acknowledged.size()];
        Operation newest = null;
        for (int i = 0; i < writeEnds.length; i++) {
            Operation w = acknowledged.get(i);
            writeEnds[i] = w.endNanos();
            if (newest == null || w.invokeNanos() > newest.invokeNanos()) {
                newest = w;
            }
            writeWitness[i] = newest;
        }

        // The same over reads that returned a written value, in read completion order: the
        // newest value some earlier read already saw.
        List<Observation> byEnd = new ArrayList<>(observations);
        byEnd.removeIf(o -> o.write() == null);
        byEnd.sort(Comparator.comparingLong(o -> o.read().endNanos()));
        long[] readEnds = new long[byEnd.size()];
        Observation[] readWitness = new Observation[byEnd.size()];
        Observation newestSeen = null;
        for (int i = 0; i < readEnds.length; i++) {
            Observation o = byEnd.get(i);
            readEnds[i] = o.read().endNanos();
            if (newestSeen == null || o.valueInvoke() > newestSeen.valueInvoke()) {
                newestSeen = o;
            }
            readWitness[i] = newestSeen;
        }

        Set<String> observedValues = new HashSet<>();
        for (Observation o : observations) {
            if (o.write() != null) {
                observedValues.add(o.write().value());
            }
            long invoked = o.read().invokeNanos();
            int before = countBefore(writeEnds, invoked);
            if (before > 0 && o.valueCompletion() < writeWitness[before - 1].invokeNanos()) {
                findings.stale.add(new HistoryReport.StaleRead(o.read(), o.write(), writeWitness[before - 1]));
                continue;
            }
            before = countBefore(readEnds, invoked);
            if (before > 0 && o.valueCompletion() < readWitness[before - 1].valueInvoke()) {
                findings.stale.add(new HistoryReport.StaleRead(o.read(), o.write(), readWitness[before - 1].read()));
            }
        }

        checkFinal(key, ops, writes, observedValues, finalValue, findings);
    }

    /** Files reads of impossible values; returns the observation if the value may legally be seen. */
    private static Observation classify(Operation read, Map<String, Operation> writes, Findings findings) {
        if (read.value() == null) {
            return new Observation(read, null);
        }
        Operation write = writes.get(read.value());
        if (write == null) {
            findings.unknown.add(read);
        } else if (write.outcome() == Operation.Outcome.FAIL) {
            findings.failedRead.add(new HistoryReport.ReadOfWrite(read, write));
        } else if (write.invokeNanos() > read.endNanos()) {
            findings.future.add(new HistoryReport.ReadOfWrite(read, write));
        } else {
            return new Observation(read, write);
        }
        return null;
    }

    private static void checkFinal(String key, List<Operation> ops, Map<String, Operation> writes,
                                   Set<String> observedValues, String finalValue, Findings findings) {
        Operation finalWrite = null;
        if (finalValue != null) {
            finalWrite = writes.get(finalValue);
            Operation finalRead = new Operation(
                -1, "final", key, Operation.Kind.READ, finalValue, Long.MAX_VALUE, Long.MAX_VALUE, Operation.Outcome.OK);
            if (finalWrite == null) {
                findings.unknown.add(finalRead);
                return;
            }
            if (finalWrite.outcome() == Operation.Outcome.FAIL) {
                findings.failedRead.add(new HistoryReport.ReadOfWrite(finalRead, finalWrite));
                return;
            }
        }
        long finalCompletion = finalWrite == null ? Long.MIN_VALUE : finalWrite.completion();
        for (Operation w : ops) {
            if (!w.isWrite() || w.outcome() == Operation.Outcome.FAIL) {
                continue;
            }
            boolean happened = w.acknowledged() || observedValues.contains(w.value());
            if (happened && finalCompletion < w.invokeNanos()) {
                findings.lost.add(new HistoryReport.LostWrite(w, finalValue, finalWrite));
            }
        }
    }

    /** How many of the sorted {@code ends} are strictly less than {@code t}. */
    private static int countBefore(long[] ends, long t) {
        int lo = 0;
        int hi = ends.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The report under construction. */
    private static final class Findings {
        int acknowledgedWrites;
        int failedWrites;
        int indeterminateWrites;
        int okReads;
        int unsuccessfulReads;
        final List<HistoryReport.LostWrite> lost = new ArrayList<>();
        final List<HistoryReport.StaleRead> stale = new ArrayList<>();
        final List<Operation> unknown = new ArrayList<>();
        final List<HistoryReport.ReadOfWrite> failedRead = new ArrayList<>();
        final List<HistoryReport.ReadOfWrite> future = new ArrayList<>();

        void count(Operation op) {
            if (op.isWrite()) {
                switch (op.outcome()) {
                    case OK -> acknowledgedWrites++;
                    case FAIL -> failedWrites++;
                    case INDETERMINATE, PENDING -> indeterminateWrites++;
                }
            } else if (op.acknowledged()) {
                okReads++;
            } else {
                unsuccessfulReads++;
            }
        }

        HistoryReport report(int operations) {
            return new HistoryReport(operations, acknowledgedWrites, failedWrites, indeterminateWrites, okReads,
                unsuccessfulReads, lost, stale, unknown, failedRead, future);
        }
    }
}
