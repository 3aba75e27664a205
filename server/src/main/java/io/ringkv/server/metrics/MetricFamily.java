package io.ringkv.server.metrics;

import java.util.List;

/**
 * One metric as a scrape saw it: the name shared by its HELP, TYPE and sample lines, and every
 * sample (one per label set). A value, built fresh by each scrape.
 */
public record MetricFamily(String name, String help, MetricType type, List<Sample> samples) {

    public MetricFamily {
        samples = List.copyOf(samples);
    }
}
