package io.ringkv.server.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sources whose metrics GET /metrics exports. Components register while the server is built
 * (or later: a scrape sees whatever is registered when it starts); nothing is cached between
 * scrapes, so every value is read at the moment it is asked for.
 */
public final class MetricsRegistry {

    private final List<MetricsSource> sources = new CopyOnWriteArrayList<>();

    public void register(MetricsSource source) {
        sources.add(source);
    }

    /**
     * Asks every source, in registration order. A source that throws fails the whole scrape:
     * half an exposition would look to a scaler like metrics that vanished, which is worse than
     * a failed scrape (Prometheus then records up=0).
     */
    public List<MetricFamily> scrape() {
        MetricsCollector out = new MetricsCollector();
        for (MetricsSource source : sources) {
            source.collect(out);
        }
        return out.families();
    }
}
