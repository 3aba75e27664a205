package io.ringkv.server.metrics;

import java.util.List;

/**
 * Prometheus's text exposition format, version 0.0.4: for each family a HELP line, a TYPE line,
 * then one line per sample, each ending in '\n'.
 *
 * <pre>
 * # HELP ringkv_commands_processed_total Commands executed since the server started.
 * # TYPE ringkv_commands_processed_total counter
 * ringkv_commands_processed_total 1234
 * # HELP ringkv_cluster_peers Other cluster members by failure detection's verdict.
 * # TYPE ringkv_cluster_peers gauge
 * ringkv_cluster_peers{status="up"} 2
 * </pre>
 *
 * Escaping follows the format's rules: in HELP text a backslash and a line feed become
 * {@code \\} and {@code \n}; in a label value the double quote is escaped too. Values are
 * printed as integers when they are whole (the common case: counts and sizes) and as Java's
 * shortest round-tripping decimal otherwise; NaN and the infinities use the format's spellings.
 * Timestamps are never written: Prometheus stamps a sample with the scrape's time.
 */
public final class ExpositionFormat {

    /** The Content-Type of a 0.0.4 exposition. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /* Doubles hold every integer exactly up to 2^53; past it the integer form would invent digits. */
    private static final double EXACT_INTEGER_LIMIT = 9_007_199_254_740_992d;

    private ExpositionFormat() {
    }

    public static String render(List<MetricFamily> families) {
        StringBuilder out = new StringBuilder(64 * families.size() + 64);
        for (MetricFamily family : families) {
            out.append("# HELP ").append(family.name()).append(' ');
            escape(family.help(), false, out);
            out.append('\n');
            out.append("# TYPE ").append(family.name()).append(' ').append(family.type().text()).append('\n');
            for (Sample sample : family.samples()) {
                out.append(family.name());
                if (!sample.labels().isEmpty()) {
                    out.append('{');
                    boolean first = true;
                    for (Sample.Label label : sample.labels()) {
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        out.append(label.name()).append("=\"");
                        escape(label.value(), true, out);
                        out.append('"');
                    }
                    out.append('}');
                }
                out.append(' ');
                value(sample.value(), out);
                out.append('\n');
            }
        }
        return out.toString();
    }

    static void escape(String text, boolean quote, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(quote ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }

    static void value(double v, StringBuilder out) {
        if (Double.isNaN(v)) {
            out.append("NaN");
        } else if (v == Double.POSITIVE_INFINITY) {
            out.append("+Inf");
        } else if (v == Double.NEGATIVE_INFINITY) {
            out.append("-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) <= EXACT_INTEGER_LIMIT) {
            out.append((long) v);
        } else {
            out.append(v);
        }
    }
}
