package io.ringkv.cluster.gossip;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Which other nodes, by their latest digest, suspect which members: the second sources of
 * the DOWN rule (docs/gossip.md "Failure handling"). Only first-hand reports are kept: a node's
 * verdict is learned when that node's own digest arrives, never relayed by a third, so each
 * report is one node's own detector and two reports are two independent sources.
 *
 * <p>A report is pinned to the member's version the reporter had (generation, heartbeat). It
 * counts only while this node still knows no later version: once the member's heartbeat
 * advances, or it restarts, every older suspicion is void. It also expires after the TTL, so a
 * reporter that stopped gossiping to us cannot confirm a failure long after the fact.
 */
final class SuspicionReports {

    private record Report(long generation, long heartbeat, long receivedMillis) {
    }

    private final long ttlMillis;
    // member id -> reporter id -> its latest suspicion of that member
    private final Map<String, Map<String, Report>> byMember = new HashMap<>();

    SuspicionReports(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** {@code reporter}'s digest said {@code reported} about a member; the latest word replaces the earlier. */
    void record(String reporter, MemberState reported, long nowMillis) {
        if (reported.status().suspects()) {
            byMember.computeIfAbsent(reported.id(), k -> new HashMap<>())
                .put(reporter, new Report(reported.generation(), reported.heartbeat(), nowMillis));
        } else {
            Map<String, Report> reports = byMember.get(reported.id());
            if (reports != null) {
                reports.remove(reporter);
                if (reports.isEmpty()) {
                    byMember.remove(reported.id());
                }
            }
        }
    }

    /**
     * The other nodes whose suspicion of the member still stands against what this node knows
     * of it ({@code known}), dropping the reports that no longer can.
     */
    int confirmations(MemberState known, long nowMillis) {
        Map<String, Report> reports = byMember.get(known.id());
        if (reports == null) {
            return 0;
        }
        int count = 0;
        for (Iterator<Report> it = reports.values().iterator(); it.hasNext(); ) {
            Report r = it.next();
            boolean current = r.generation == known.generation() && r.heartbeat >= known.heartbeat()
                && nowMillis - r.receivedMillis <= ttlMillis;
            if (current) {
                count++;
            } else {
                // Void for good: this node's knowledge of the member only moves forward.
                it.remove();
            }
        }
        if (reports.isEmpty()) {
            byMember.remove(known.id());
        }
        return count;
    }
}
