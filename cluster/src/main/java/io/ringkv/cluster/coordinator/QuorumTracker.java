package io.ringkv.cluster.coordinator;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the answers of one quorum request, and decides. Pure: the coordinator feeds it
 * replies and failures and asks whether the request has succeeded, has failed (too few replicas
 * left to reach the quorum), or must keep waiting. Not thread-safe: the coordinator serialises
 * calls on it.
 */
public final class QuorumTracker {

    public enum State { WAITING, SUCCEEDED, FAILED }

    private final String operation;
    private final int needed;
    private final int total;
    private int successes;
    private final List<String> failures = new ArrayList<>();

    /**
     * @param operation "read" or "write", for the failure message
     * @param needed replies that make the quorum (1..total)
     * @param total replicas asked
     */
    public QuorumTracker(String operation, int needed, int total) {
        if (needed < 1 || needed > total) {
            throw new IllegalArgumentException("needed " + needed + " of " + total);
        }
        this.operation = operation;
        this.needed = needed;
        this.total = total;
    }

    public void success() {
        successes++;
    }

    /** @param reason who failed and how, e.g. "127.0.0.1:7001 timed out" */
    public void failure(String reason) {
        failures.add(reason);
    }

    public State state() {
        if (successes >= needed) {
            return State.SUCCEEDED;
        }
        if (successes + (total - successes - failures.size()) < needed) {
            return State.FAILED;
        }
        return State.WAITING;
    }

    public int successes() {
        return successes;
    }

    public int answered() {
        return successes + failures.size();
    }

    public boolean allAnswered() {
        return answered() >= total;
    }

    /**
     * The text after "UNAVAILABLE ": what was required and what answered, e.g. "write needed 2
     * of 3 replicas, 1 acknowledged (127.0.0.1:7001 timed out; 127.0.0.1:7002 unreachable)".
     */
    public String describeFailure() {
        String verb = operation.equals("write") ? "acknowledged" : "answered";
        StringBuilder sb = new StringBuilder().append(operation).append(" needed ").append(needed).append(" of ")
            .append(total).append(operation.equals("flush") ? (total == 1 ? " node, " : " nodes, ")
                : total == 1 ? " replica, " : " replicas, ").append(successes).append(' ').append(verb);
        if (!failures.isEmpty()) {
            sb.append(" (").append(String.join("; ", failures)).append(')');
        }
        return sb.toString();
    }
}
