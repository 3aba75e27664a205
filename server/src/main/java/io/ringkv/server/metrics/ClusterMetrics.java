package io.ringkv.server.metrics;

import io.ringkv.cluster.gossip.MemberStatus;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.node.AntiEntropyDriver;
import io.ringkv.cluster.transport.TransportStats;
import io.ringkv.server.cluster.ClusterNode;
import java.util.Locale;
import java.util.Map;

/**
 * A cluster node's metrics (docs/metrics.md): the topology as this node sees it, failure
 * detection's verdicts, hinted handoff, anti-entropy, the coordinator's repairs and failures, and
 * the internode transport. The same sources as INFO's Cluster section.
 */
public final class ClusterMetrics implements MetricsSource {

    private final ClusterNode node;

    public ClusterMetrics(ClusterNode node) {
        this.node = node;
    }

    @Override
    public void collect(MetricsCollector out) {
        Topology topology = node.topology();
        out.gauge("ringkv_cluster_state", "1 when this node has met every seed and serves the whole ring"
                + " (CLUSTER INFO cluster_state:ok), 0 otherwise.", topology.complete() ? 1 : 0)
            .gauge("ringkv_cluster_known_nodes", "Cluster members this node knows, itself included.",
                topology.nodes().size())
            .gauge("ringkv_cluster_replication_factor", "Replicas each key has in the current ring.",
                topology.effectiveReplicas())
            .gauge("ringkv_cluster_connected_peers", "Other members this node has a working link to.",
                node.connectedPeers());
        // Ring changes (docs/elasticity.md): this node's ring status as a labelled 1, and streaming.
        io.ringkv.cluster.membership.RingStatus ring = node.ringStatus();
        for (io.ringkv.cluster.membership.RingStatus s : io.ringkv.cluster.membership.RingStatus.values()) {
            out.gauge("ringkv_cluster_ring_status", "1 for this node's ring status (waiting, joining, joined, normal,"
                + " leaving, drained, left), 0 for the others.", s == ring ? 1 : 0, "status", s.label());
        }
        io.ringkv.cluster.stream.StreamCopier copier = node.ringChanges().copier();
        out.gauge("ringkv_cluster_ring_changing", "1 while some member joins or leaves (writes go to two placements).",
                topology.changing() ? 1 : 0)
            .gauge("ringkv_cluster_stream_slots_done", "Slots streamed by this node's current or last ring change.",
                copier.slotsDone())
            .gauge("ringkv_cluster_stream_slots_left", "Slots left to stream in this node's current ring change.",
                copier.slotsLeft())
            .gauge("ringkv_cluster_stream_bytes_done", "Bytes streamed by this node's current or last ring change.",
                copier.bytesDone())
            .gauge("ringkv_cluster_stream_bytes_left", "Estimated bytes left to stream in this node's current ring change.",
                copier.bytesLeft())
            .counter("ringkv_cluster_stream_keys_total", "Records this node has streamed for ring changes.",
                copier.keysStreamed())
            .counter("ringkv_cluster_stream_bytes_total", "Bytes this node has streamed for ring changes.",
                copier.bytesStreamed());
        // Every status is printed, 0 included, so a series does not vanish when no member is in it.
        Map<MemberStatus, Integer> statuses = node.memberStatusCounts();
        for (MemberStatus status : MemberStatus.values()) {
            out.gauge("ringkv_cluster_peers", "Other members by failure detection's verdict (up, suspect, down, left).",
                statuses.getOrDefault(status, 0), "status", status.name().toLowerCase(Locale.ROOT));
        }
        out.gauge("ringkv_cluster_hints_pending", "Writes kept for replicas that missed them, not yet delivered.",
                node.hintsPending())
            .counter("ringkv_cluster_hints_written_total", "Hints written by this node's coordinator for replicas"
                + " that missed a write.", node.coordinator().hintsWritten())
            .counter("ringkv_cluster_hints_replayed_total", "Hints delivered to their replica.", node.hintsReplayed())
            .counter("ringkv_cluster_hints_dropped_total", "Hints dropped undelivered (older than max-hint-window).",
                node.hintsDropped())
            .counter("ringkv_cluster_read_repairs_total", "Replicas repaired by reads that found them stale.",
                node.coordinator().readRepairs())
            .counter("ringkv_cluster_unavailable_errors_total",
                "Requests failed with UNAVAILABLE (quorum not reached in time).", node.coordinator().unavailableErrors())
            .counter("ringkv_cluster_sibling_warnings_total", "Writes that left a key with many concurrent versions.",
                node.replicas().siblingWarnings());
        AntiEntropyDriver ae = node.antiEntropy();
        out.counter("ringkv_cluster_antientropy_rounds_total", "Anti-entropy passes run by this node.", ae.rounds())
            .counter("ringkv_cluster_antientropy_bytes_total", "Bytes exchanged by anti-entropy passes.", ae.bytes())
            .counter("ringkv_cluster_antientropy_keys_repaired_total", "Keys repaired by anti-entropy passes.",
                ae.keysRepaired());
        TransportStats t = node.transportStats();
        if (t != null) {
            out.counter("ringkv_cluster_requests_sent_total", "Requests sent to other nodes.", t.requestsSent())
                .counter("ringkv_cluster_requests_received_total", "Requests received from other nodes.",
                    t.requestsReceived())
                .counter("ringkv_cluster_request_timeouts_total", "Requests to other nodes that timed out.", t.timeouts())
                .counter("ringkv_cluster_bytes_sent_total", "Bytes sent to other nodes.", t.bytesSent())
                .counter("ringkv_cluster_bytes_received_total", "Bytes received from other nodes.", t.bytesReceived());
        }
    }
}
