package io.ringkv.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The 0.0.4 text, byte for byte: line layout, escaping, value spelling. */
class ExpositionFormatTest {

    @Test
    void familiesPrintHelpTypeAndSamplesInOrder() {
        List<MetricFamily> families = new MetricsCollector()
            .counter("ringkv_commands_processed_total", "Commands executed.", 1234)
            .gauge("ringkv_connected_clients", "Client connections open now.", 3)
            .gauge("ringkv_cluster_peers", "Peers by status.", 2, "status", "up")
            .gauge("ringkv_cluster_peers", "Peers by status.", 0, "status", "down")
            .families();
        assertEquals("""
            # HELP ringkv_commands_processed_total Commands executed.
            # TYPE ringkv_commands_processed_total counter
            ringkv_commands_processed_total 1234
            # HELP ringkv_connected_clients Client connections open now.
            # TYPE ringkv_connected_clients gauge
            ringkv_connected_clients 3
            # HELP ringkv_cluster_peers Peers by status.
            # TYPE ringkv_cluster_peers gauge
            ringkv_cluster_peers{status="up"} 2
            ringkv_cluster_peers{status="down"} 0
            """, ExpositionFormat.render(families));
    }

    @Test
    void severalLabelsKeepTheirOrder() {
        String text = ExpositionFormat.render(new MetricsCollector()
            .gauge("ringkv_info", "About.", 1, "version", "0.1.0", "mode", "cluster").families());
        assertEquals("# HELP ringkv_info About.\n# TYPE ringkv_info gauge\nringkv_info{version=\"0.1.0\",mode=\"cluster\"} 1\n",
            text);
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndLineFeed() {
        String text = ExpositionFormat.render(new MetricsCollector()
            .gauge("m", "h", 1, "path", "C:\\dir\n\"x\"\ttab").families());
        assertEquals("# HELP m h\n# TYPE m gauge\nm{path=\"C:\\\\dir\\n\\\"x\\\"\ttab\"} 1\n", text);
    }

    @Test
    void helpEscapesBackslashAndLineFeedButNotQuotes() {
        String text = ExpositionFormat.render(new MetricsCollector()
            .gauge("m", "a \"quoted\" back\\slash\nsecond line", 1).families());
        assertEquals("# HELP m a \"quoted\" back\\\\slash\\nsecond line\n# TYPE m gauge\nm 1\n", text);
    }

    @Test
    void labelValuesAreUtf8Text() {
        String text = ExpositionFormat.render(new MetricsCollector().gauge("m", "h", 1, "dc", "zürich").families());
        assertEquals("# HELP m h\n# TYPE m gauge\nm{dc=\"zürich\"} 1\n", text);
    }

    @Test
    void valuesAreIntegersWhenWholeAndDecimalsOtherwise() {
        assertEquals("0", value(0));
        assertEquals("0", value(-0.0));
        assertEquals("-5", value(-5));
        assertEquals("9007199254740992", value(9_007_199_254_740_992d));
        assertEquals("1.8014398509481984E16", value(18_014_398_509_481_984d));
        assertEquals("0.25", value(0.25));
        assertEquals("1.5E-7", value(1.5e-7));
        assertEquals("NaN", value(Double.NaN));
        assertEquals("+Inf", value(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", value(Double.NEGATIVE_INFINITY));
    }

    @Test
    void noFamiliesIsAnEmptyBody() {
        assertEquals("", ExpositionFormat.render(List.of()));
    }

    @Test
    void theContentTypeIsTheTextFormats() {
        assertEquals("text/plain; version=0.0.4; charset=utf-8", ExpositionFormat.CONTENT_TYPE);
    }

    private static String value(double v) {
        StringBuilder out = new StringBuilder();
        ExpositionFormat.value(v, out);
        return out.toString();
    }
}
