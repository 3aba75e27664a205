package io.ringkv.server.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one scrape gathers: {@link MetricsSource}s write samples into it, and it groups them into
 * families in the order each family was first seen.
 *
 * <p>Everything Prometheus would reject, or that would make two scrapes disagree about what a
 * name means, is refused here with an {@link IllegalArgumentException}, so a mistake in a source
 * fails its first test instead of producing text a scraper drops: a name or label name outside
 * Prometheus's character rules, a counter not ending in {@code _total} (the convention for the
 * 0.0.4 text format, where the family and its sample share one name), one name declared with two
 * types or two HELP texts, the same label set twice in one family.
 */
public final class MetricsCollector {

    private final Map<String, Family> families = new LinkedHashMap<>();

    /**
     * A counter sample. {@code labels} alternate name and value:
     * {@code counter("ringkv_x_total", "...", 3, "cmd", "get")}.
     */
    public MetricsCollector counter(String name, String help, double value, String... labels) {
        return sample(name, help, MetricType.COUNTER, value, labels);
    }

    /** A gauge sample; {@code labels} alternate name and value. */
    public MetricsCollector gauge(String name, String help, double value, String... labels) {
        return sample(name, help, MetricType.GAUGE, value, labels);
    }

    public MetricsCollector sample(String name, String help, MetricType type, double value, String... labels) {
        Family family = families.get(name);
        if (family == null) {
            checkName(name, type);
            family = new Family(name, help, type);
            families.put(name, family);
        } else if (family.type != type || !family.help.equals(help)) {
            throw new IllegalArgumentException("metric " + name + " declared twice, as " + family.type.text()
                + " and " + type.text() + (family.help.equals(help) ? "" : ", with different HELP texts"));
        }
        family.add(name, labels(name, labels), value);
        return this;
    }

    /** The families gathered so far, in first-seen order. */
    public List<MetricFamily> families() {
        List<MetricFamily> out = new ArrayList<>(families.size());
        for (Family f : families.values()) {
            out.add(new MetricFamily(f.name, f.help, f.type, f.samples));
        }
        return out;
    }

    private static List<Sample.Label> labels(String metric, String[] pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("metric " + metric + ": labels must come as name, value pairs");
        }
        List<Sample.Label> labels = new ArrayList<>(pairs.length / 2);
        for (int i = 0; i < pairs.length; i += 2) {
            String name = pairs[i];
            if (!isLabelName(name)) {
                throw new IllegalArgumentException("metric " + metric + ": invalid label name '" + name + "'");
            }
            for (Sample.Label l : labels) {
                if (l.name().equals(name)) {
                    throw new IllegalArgumentException("metric " + metric + ": label " + name + " given twice");
                }
            }
            if (pairs[i + 1] == null) {
                throw new IllegalArgumentException("metric " + metric + ": label " + name + " has no value");
            }
            labels.add(new Sample.Label(name, pairs[i + 1]));
        }
        return labels;
    }

    private static void checkName(String name, MetricType type) {
        if (!isMetricName(name)) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
        if (type == MetricType.COUNTER && !name.endsWith("_total")) {
            throw new IllegalArgumentException("counter " + name + " must end in _total");
        }
    }

    /** Prometheus: [a-zA-Z_:][a-zA-Z0-9_:]*. */
    static boolean isMetricName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
                || i > 0 && c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Prometheus: [a-zA-Z_][a-zA-Z0-9_]*, and names starting with "__" are reserved. */
    static boolean isLabelName(String name) {
        if (name == null || name.isEmpty() || name.startsWith("__")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static final class Family {
        final String name;
        final String help;
        final MetricType type;
        final List<Sample> samples = new ArrayList<>();
        final Set<List<Sample.Label>> labelSets = new HashSet<>();

        Family(String name, String help, MetricType type) {
            if (help == null) {
                throw new IllegalArgumentException("metric " + name + " has no HELP text");
            }
            this.name = name;
            this.help = help;
            this.type = type;
        }

        void add(String metric, List<Sample.Label> labels, double value) {
            if (!labelSets.add(labels)) {
                throw new IllegalArgumentException("metric " + metric + ": sample " + labels + " given twice");
            }
            samples.add(new Sample(labels, value));
        }
    }
}
