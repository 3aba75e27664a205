package io.ringkv.server.metrics;

/**
 * A component that has metrics to export. It is asked for its current values at every scrape,
 * so it reads them where they already live (its counters, a stats snapshot) and keeps nothing
 * for the exporter; reading a snapshot once per {@link #collect} keeps its values consistent with
 * each other. Adding a metric is one line in {@code collect}:
 *
 * <pre>
 * out.gauge("ringkv_stream_slots_done", "Slots this node has finished streaming.", stream.slotsDone());
 * </pre>
 *
 * Register a source with {@link MetricsRegistry#register}. Runs on a network event loop: it must
 * be cheap (read counters and sizes; never scan data or wait on a lock held for long).
 */
@FunctionalInterface
public interface MetricsSource {

    void collect(MetricsCollector out);
}
