package io.ringkv.server.metrics;

/** The TYPE of a metric family in Prometheus's text format; only the kinds ringkv exports. */
public enum MetricType {
    /** A value that only goes up, except that it restarts from 0 with the process or CONFIG RESETSTAT. */
    COUNTER("counter"),
    /** A value that goes up and down: a size, a count of things present now, a rate. */
    GAUGE("gauge");

    private final String text;

    MetricType(String text) {
        this.text = text;
    }

    /** The word on the TYPE line. */
    public String text() {
        return text;
    }
}
