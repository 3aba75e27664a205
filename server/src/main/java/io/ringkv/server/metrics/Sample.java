package io.ringkv.server.metrics;

import java.util.List;

/**
 * One line of a family: its labels (in the order they are printed) and its value.
 *
 * @param labels label names and values; empty for a family with a single unlabelled value
 */
public record Sample(List<Label> labels, double value) {

    /** One label of a sample: the name is checked against Prometheus's rules when collected. */
    public record Label(String name, String value) {
    }

    public Sample {
        labels = List.copyOf(labels);
    }
}
