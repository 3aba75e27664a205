package io.ringkv.cluster.antientropy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The asking side of one anti-entropy comparison, as a pure state machine: it says which node
 * hashes to ask the peer for, takes the peer's answers, and ends with the leaves that differ. No
 * I/O, no clock: the driver sends {@link HashRequest}s however and whenever it likes (at a bounded
 * rate), and the peer answers each with {@link MerkleTree#answer}, which keeps no state.
 *
 * The walk is top-down and breadth-first, one level per round (more rounds when a level needs
 * more than {@code maxNodesPerRequest} nodes):
 * <ol>
 *   <li>ask for the root; equal roots end it at once (the common case: one round trip, 12 + 19 bytes);
 *   <li>for every node whose hashes differ, ask for all its children on the next level;
 *   <li>a differing node the PEER has as 0 (an empty subtree) is not descended into: every leaf
 *       below it that is non-empty here differs, and this side knows which without asking
 *       (what a wiped replica looks like, seen from a healthy one);
 *   <li>differing leaves are the result.
 * </ol>
 * A node that is 0 here but not at the peer is descended into (only the peer knows which of its
 * leaves are non-empty); a zero costs one bit in the reply.
 *
 * The local tree must not change during the exchange (run it on a {@link MerkleTree#copy()}). The
 * peer's tree may change between rounds: a key written meanwhile may be flagged or missed, and the
 * next exchange settles it, which is all anti-entropy promises.
 */
public final class Exchange {

    public enum Outcome { IN_PROGRESS, IN_SYNC, DIVERGENT, SHAPE_MISMATCH }

    public static final int DEFAULT_MAX_NODES_PER_REQUEST = 4096;

    private final MerkleTree local;
    private final TreeShape shape;
    private final int maxNodesPerRequest;

    private int level = -1;
    /** Nodes of {@code level} still to ask for, ascending; {@code position} is the next one. */
    private int[] pending = new int[0];
    private int pendingCount;
    private int position;
    /** Nodes of {@code level + 1} found so far (children of differing nodes), ascending. */
    private int[] next = new int[16];
    private int nextCount;
    private HashRequest outstanding;
    private final List<Integer> divergent = new ArrayList<>();
    private Outcome outcome = Outcome.IN_PROGRESS;
    private long peerShape;
    private int rounds;
    private long nodesCompared;

    public Exchange(MerkleTree local) {
        this(local, DEFAULT_MAX_NODES_PER_REQUEST);
    }

    public Exchange(MerkleTree local, int maxNodesPerRequest) {
        if (maxNodesPerRequest < 1 || maxNodesPerRequest > HashRequest.MAX_NODES) {
            throw new IllegalArgumentException("maxNodesPerRequest must be in [1, " + HashRequest.MAX_NODES + "]");
        }
        if (local.shape().leafLevel() > HashRequest.MAX_LEVEL) {
            throw new IllegalArgumentException("tree too deep for the wire format");
        }
        this.local = local;
        this.shape = local.shape();
        this.maxNodesPerRequest = maxNodesPerRequest;
    }

    /** The first request: the peer's root. */
    public HashRequest start() {
        if (level != -1) {
            throw new IllegalStateException("already started");
        }
        level = 0;
        pending = new int[] {0};
        pendingCount = 1;
        return nextRequest();
    }

    /**
     * Takes the peer's answer to the last request; returns the next request, or empty when the
     * exchange is over ({@link #outcome()} then says how it ended).
     *
     * @throws IllegalArgumentException when the response does not answer the last request (a
     *         protocol error: the driver should drop the exchange)
     */
    public Optional<HashRequest> onResponse(HashResponse response) {
        if (outstanding == null) {
            throw new IllegalStateException(outcome == Outcome.IN_PROGRESS ? "not started" : "exchange is over");
        }
        HashRequest request = outstanding;
        outstanding = null;
        rounds++;
        if (response.shape() != shape.fingerprint()) {
            peerShape = response.shape();
            outcome = Outcome.SHAPE_MISMATCH;
            return Optional.empty();
        }
        if (response.level() != request.level() || response.hashes().length != request.indices().length) {
            outcome = Outcome.SHAPE_MISMATCH;
            throw new IllegalArgumentException("response for level " + response.level() + " with "
                    + response.hashes().length + " hashes does not answer " + request);
        }
        int[] indices = request.indices();
        long[] theirs = response.hashes();
        nodesCompared += indices.length;
        for (int i = 0; i < indices.length; i++) {
            long mine = local.hash(level, indices[i]);
            if (mine == theirs[i]) {
                continue;
            }
            if (level == shape.leafLevel()) {
                divergent.add(indices[i]);
            } else if (theirs[i] == 0) {
                collectNonEmptyLeaves(level, indices[i]);
            } else {
                int first = shape.firstChild(level, indices[i]);
                int count = shape.childCount(level, indices[i]);
                for (int c = 0; c < count; c++) {
                    pushNext(first + c);
                }
            }
        }
        if (position == pendingCount) {
            level++;
            pending = next;
            pendingCount = nextCount;
            position = 0;
            next = new int[16];
            nextCount = 0;
        }
        if (pendingCount == 0 || level > shape.leafLevel()) {
            outcome = divergent.isEmpty() ? Outcome.IN_SYNC : Outcome.DIVERGENT;
            return Optional.empty();
        }
        return Optional.of(nextRequest());
    }

    private HashRequest nextRequest() {
        int n = Math.min(maxNodesPerRequest, pendingCount - position);
        int[] indices = Arrays.copyOfRange(pending, position, position + n);
        position += n;
        outstanding = new HashRequest(shape.fingerprint(), level, indices);
        return outstanding;
    }

    private void pushNext(int index) {
        if (nextCount == next.length) {
            next = Arrays.copyOf(next, next.length * 2);
        }
        next[nextCount++] = index;
    }

    /** Depth-first through this side's non-zero nodes only: cost follows what is present here. */
    private void collectNonEmptyLeaves(int fromLevel, int index) {
        if (local.hash(fromLevel, index) == 0) {
            return;
        }
        if (fromLevel == shape.leafLevel()) {
            divergent.add(index);
            return;
        }
        int first = shape.firstChild(fromLevel, index);
        int count = shape.childCount(fromLevel, index);
        for (int c = 0; c < count; c++) {
            collectNonEmptyLeaves(fromLevel + 1, first + c);
        }
    }

    public Outcome outcome() {
        return outcome;
    }

    /** When the outcome is SHAPE_MISMATCH because of the peer's reply: the peer's fingerprint. */
    public long peerShape() {
        return peerShape;
    }

    /** The divergent leaves found so far, in (slot, sub-bucket) order. */
    public List<Leaf> divergentLeaves() {
        List<Integer> sorted = new ArrayList<>(divergent);
        Collections.sort(sorted);
        List<Leaf> out = new ArrayList<>(sorted.size());
        for (int index : sorted) {
            out.add(shape.leafAt(index));
        }
        return out;
    }

    /** Requests answered so far (each one round trip). */
    public int rounds() {
        return rounds;
    }

    /** Node hashes received and compared so far. */
    public long nodesCompared() {
        return nodesCompared;
    }
}
