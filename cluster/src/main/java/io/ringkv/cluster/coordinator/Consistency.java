package io.ringkv.cluster.coordinator;

import io.ringkv.cluster.coordinator.QuorumTracker.Requirement;
import io.ringkv.cluster.membership.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many replicas a request waits for: a fixed number, or a level resolved against the key's
 * replicas when the request runs. Over all N replicas: ONE = 1, QUORUM = N/2+1, ALL = N, and a
 * number above N is clamped to N, so a default of "3" still works on a two-node cluster (where N
 * is at most 2) instead of failing every request; the reply to such a request says what it
 * needed. Per datacenter (Cassandra's levels): LOCAL_QUORUM = a quorum of the replicas in the
 * coordinator's own datacenter, EACH_QUORUM = a quorum in every datacenter that holds replicas of
 * the key. A key with no replica in the coordinator's datacenter (possible with a plain N
 * spread over datacenters) is served at LOCAL_QUORUM as at QUORUM over all its replicas, where
 * Cassandra would refuse the request: the client asked for a quorum, and that is the quorum
 * there is. EACH_QUORUM is accepted for reads as well as writes (Cassandra takes it for writes
 * only): a read that must hear from a majority in each datacenter.
 *
 * @param count the fixed number, or 0 for a named level
 * @param level the named level, or NUMBER
 */
public record Consistency(int count, Level level) {

    public enum Level { ONE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, NUMBER }

    public static final Consistency ONE = new Consistency(0, Level.ONE);
    public static final Consistency QUORUM = new Consistency(0, Level.QUORUM);
    public static final Consistency ALL = new Consistency(0, Level.ALL);
    public static final Consistency LOCAL_QUORUM = new Consistency(0, Level.LOCAL_QUORUM);
    public static final Consistency EACH_QUORUM = new Consistency(0, Level.EACH_QUORUM);

    /** The largest number accepted; replication-factor is at most 16. */
    public static final int MAX_COUNT = 16;

    private static final String SHAPE = "consistency must be a number, ONE, QUORUM, ALL, LOCAL_QUORUM or EACH_QUORUM";

    /**
     * Parses "one", "quorum", "all", "local_quorum", "each_quorum" (any case) or a number from 1
     * to {@link #MAX_COUNT}; throws {@link IllegalArgumentException} with a message fit for a
     * client otherwise.
     */
    public static Consistency parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "one":
                return ONE;
            case "quorum":
                return QUORUM;
            case "all":
                return ALL;
            case "local_quorum":
                return LOCAL_QUORUM;
            case "each_quorum":
                return EACH_QUORUM;
            default:
                break;
        }
        int n;
        try {
            n = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SHAPE + ": '" + text + "'");
        }
        if (n < 1 || n > MAX_COUNT) {
            throw new IllegalArgumentException("consistency must be between 1 and " + MAX_COUNT + ": '" + text + "'");
        }
        return new Consistency(n, Level.NUMBER);
    }

    /**
     * What a request on a key with these replicas must gather, for a coordinator in
     * {@code localDatacenter}: one requirement over every replica for a number, ONE, QUORUM and
     * ALL (and LOCAL_QUORUM when no replica is local); one over the local replicas for
     * LOCAL_QUORUM; one per datacenter, in the order the datacenters first appear in
     * {@code replicas}, for EACH_QUORUM. Every requirement needs 1..its size.
     */
    public List<Requirement> requirements(List<NodeInfo> replicas, String localDatacenter) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("a key with no replicas");
        }
        switch (level) {
            case LOCAL_QUORUM -> {
                List<String> local = new ArrayList<>(replicas.size());
                for (NodeInfo n : replicas) {
                    if (n.member().datacenter().equals(localDatacenter)) {
                        local.add(n.id());
                    }
                }
                if (!local.isEmpty()) {
                    return List.of(new Requirement(local, local.size() / 2 + 1,
                        "in " + localDatacenter + " (LOCAL_QUORUM)"));
                }
                return List.of(new Requirement(ids(replicas), replicas.size() / 2 + 1));
            }
            case EACH_QUORUM -> {
                Map<String, List<String>> byDc = new LinkedHashMap<>();
                for (NodeInfo n : replicas) {
                    byDc.computeIfAbsent(n.member().datacenter(), k -> new ArrayList<>()).add(n.id());
                }
                List<Requirement> out = new ArrayList<>(byDc.size());
                byDc.forEach((dc, ids) -> out.add(new Requirement(ids, ids.size() / 2 + 1, "in " + dc + " (EACH_QUORUM)")));
                return out;
            }
            default -> {
                int n = replicas.size();
                int r = switch (level) {
                    case ONE -> 1;
                    case QUORUM -> n / 2 + 1;
                    case ALL -> n;
                    default -> count;
                };
                return List.of(new Requirement(ids(replicas), Math.max(1, Math.min(r, n))));
            }
        }
    }

    private static List<String> ids(List<NodeInfo> nodes) {
        String[] out = new String[nodes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nodes.get(i).id();
        }
        return List.of(out);
    }

    /** The canonical text: "one", "quorum", "all", "local_quorum", "each_quorum" or the number. */
    @Override
    public String toString() {
        return level == Level.NUMBER ? Integer.toString(count) : level.name().toLowerCase(Locale.ROOT);
    }
}
