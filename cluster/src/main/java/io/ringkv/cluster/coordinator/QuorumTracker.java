package io.ringkv.cluster.coordinator;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Counts the answers of one quorum request, and decides. Pure: the coordinator feeds it each
 * named node's success or failure and asks whether the request has succeeded, has failed, or
 * must keep waiting. Not thread-safe: the coordinator serialises calls on it.
 *
 * <p>A request is judged against a list of {@link Requirement}s, each "at least {@code needed}
 * successes among these nodes": QUORUM is one requirement over all replicas, LOCAL_QUORUM one
 * over the local datacenter's, EACH_QUORUM one per datacenter, and a joint quorum over an old and
 * a new placement one per placement. The request has SUCCEEDED when every requirement is met, has
 * FAILED as soon as any requirement can no longer be met (its successes plus its nodes not heard
 * from yet are fewer than needed), and is WAITING otherwise. A node answers once: a second answer
 * from it is ignored, so a late reply cannot count twice.
 */
public final class QuorumTracker {

    public enum State { WAITING, SUCCEEDED, FAILED }

    /**
     * At least {@code needed} of {@code nodeIds} must succeed. {@code label} says in failure
     * messages which group this is, after "replicas" (e.g. "in dc2 (EACH_QUORUM)"); empty for the
     * plain "needed k of n replicas".
     */
    public record Requirement(List<String> nodeIds, int needed, String label) {

        public Requirement {
            nodeIds = List.copyOf(nodeIds);
            Objects.requireNonNull(label, "label");
            if (needed < 0 || needed > nodeIds.size()) {
                throw new IllegalArgumentException("needed " + needed + " of " + nodeIds.size());
            }
            if (hasDuplicate(nodeIds)) {
                throw new IllegalArgumentException("a node is listed twice in " + nodeIds);
            }
        }

        public Requirement(List<String> nodeIds, int needed) {
            this(nodeIds, needed, "");
        }
    }

    /** Quadratic, but over at most a few dozen ids, and free of allocation on the request path. */
    private static boolean hasDuplicate(List<String> ids) {
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                if (ids.get(i).equals(ids.get(j))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasDuplicate(String[] ids) {
        for (int i = 0; i < ids.length; i++) {
            for (int j = i + 1; j < ids.length; j++) {
                if (ids[i].equals(ids[j])) {
                    return true;
                }
            }
        }
        return false;
    }

    private static final byte UNANSWERED = 0;
    private static final byte SUCCESS = 1;
    private static final byte FAILURE = 2;

    private final String operation;
    private final String[] targets;
    private final List<Requirement> requirements;
    /** Per requirement: the indexes into targets of its nodes. */
    private final int[][] members;
    private final byte[] answers;
    private final String[] reasons;
    /** Target indexes of the failures, in the order they arrived (the message lists them so). */
    private final int[] failureOrder;
    private int successes;
    private int failures;

    /**
     * @param operation "read", "write" or "flush", for the failure message
     * @param targets every node asked (each requirement's nodes must be among them; a target in
     *                no requirement is asked but decides nothing)
     * @param requirements at least one
     */
    public QuorumTracker(String operation, Collection<String> targets, List<Requirement> requirements) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.targets = targets.toArray(String[]::new);
        if (hasDuplicate(this.targets)) {
            throw new IllegalArgumentException("a target is listed twice in " + targets);
        }
        if (requirements.isEmpty()) {
            throw new IllegalArgumentException("no requirement");
        }
        this.requirements = List.copyOf(requirements);
        this.members = new int[this.requirements.size()][];
        for (int r = 0; r < members.length; r++) {
            List<String> ids = this.requirements.get(r).nodeIds();
            members[r] = new int[ids.size()];
            for (int i = 0; i < ids.size(); i++) {
                int t = indexOf(ids.get(i));
                if (t < 0) {
                    throw new IllegalArgumentException(ids.get(i) + " is in a requirement but not a target");
                }
                members[r][i] = t;
            }
        }
        this.answers = new byte[this.targets.length];
        this.reasons = new String[this.targets.length];
        this.failureOrder = new int[this.targets.length];
    }

    private int indexOf(String nodeId) {
        for (int i = 0; i < targets.length; i++) {
            if (targets[i].equals(nodeId)) {
                return i;
            }
        }
        return -1;
    }

    private int answerable(String nodeId) {
        int t = indexOf(nodeId);
        if (t < 0) {
            throw new IllegalArgumentException(nodeId + " is not a target of this request");
        }
        return answers[t] == UNANSWERED ? t : -1;
    }

    /** {@code nodeId} succeeded (stored the write, answered the read); ignored if it answered before. */
    public void success(String nodeId) {
        int t = answerable(nodeId);
        if (t >= 0) {
            answers[t] = SUCCESS;
            successes++;
        }
    }

    /**
     * {@code nodeId} failed; ignored if it answered before.
     *
     * @param reason who failed and how, e.g. "127.0.0.1:7001 timed out"
     */
    public void failure(String nodeId, String reason) {
        int t = answerable(nodeId);
        if (t >= 0) {
            answers[t] = FAILURE;
            reasons[t] = reason;
            failureOrder[failures++] = t;
        }
    }

    public State state() {
        boolean met = true;
        for (int r = 0; r < members.length; r++) {
            State s = state(r);
            if (s == State.FAILED) {
                return State.FAILED;
            }
            met &= s == State.SUCCEEDED;
        }
        return met ? State.SUCCEEDED : State.WAITING;
    }

    /** Requirement {@code r} alone: met, no longer possible, or still open. */
    private State state(int r) {
        int ok = 0;
        int open = 0;
        for (int t : members[r]) {
            if (answers[t] == SUCCESS) {
                ok++;
            } else if (answers[t] == UNANSWERED) {
                open++;
            }
        }
        int needed = requirements.get(r).needed();
        return ok >= needed ? State.SUCCEEDED : ok + open < needed ? State.FAILED : State.WAITING;
    }

    /** Targets that succeeded. */
    public int successes() {
        return successes;
    }

    /** Targets that succeeded or failed. */
    public int answered() {
        return successes + failures;
    }

    public boolean allAnswered() {
        return answered() >= targets.length;
    }

    /**
     * The text after "UNAVAILABLE ": the requirement that failed (the first one that can no
     * longer be met; else, when the request gave up waiting, the first not met yet), how many of
     * its nodes succeeded and how each of its nodes that failed did, in the order they failed:
     * "write needed 2 of 3 replicas, 1 acknowledged (127.0.0.1:7001 timed out; 127.0.0.1:7002
     * unreachable)", or with a labelled requirement "write needed 1 of 1 replica in dc2
     * (EACH_QUORUM), 0 acknowledged (127.0.0.1:7004 is down)".
     */
    public String describeFailure() {
        int chosen = -1;
        int firstUnmet = -1;
        for (int r = 0; r < members.length && chosen < 0; r++) {
            State s = state(r);
            if (s == State.FAILED) {
                chosen = r;
            } else if (s == State.WAITING && firstUnmet < 0) {
                firstUnmet = r;
            }
        }
        int r = chosen >= 0 ? chosen : firstUnmet >= 0 ? firstUnmet : 0;
        Requirement req = requirements.get(r);
        Set<Integer> in = new HashSet<>();
        int ok = 0;
        for (int t : members[r]) {
            in.add(t);
            if (answers[t] == SUCCESS) {
                ok++;
            }
        }
        int total = req.nodeIds().size();
        String verb = operation.equals("write") ? "acknowledged" : "answered";
        StringBuilder sb = new StringBuilder().append(operation).append(" needed ").append(req.needed()).append(" of ")
            .append(total).append(operation.equals("flush") ? (total == 1 ? " node" : " nodes")
                : total == 1 ? " replica" : " replicas");
        if (!req.label().isEmpty()) {
            sb.append(' ').append(req.label());
        }
        sb.append(", ").append(ok).append(' ').append(verb);
        boolean first = true;
        for (int i = 0; i < failures; i++) {
            int t = failureOrder[i];
            if (in.contains(t)) {
                sb.append(first ? " (" : "; ").append(reasons[t]);
                first = false;
            }
        }
        if (!first) {
            sb.append(')');
        }
        return sb.toString();
    }
}
