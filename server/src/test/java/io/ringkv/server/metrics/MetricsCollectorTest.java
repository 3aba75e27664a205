package io.ringkv.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a source may write: everything Prometheus would reject is refused at collection. */
class MetricsCollectorTest {

    @Test
    void samplesOfOneNameGroupIntoOneFamilyInFirstSeenOrder() {
        List<MetricFamily> families = new MetricsCollector()
            .gauge("b", "B.", 1, "k", "x")
            .counter("a_total", "A.", 2)
            .gauge("b", "B.", 3, "k", "y")
            .families();
        assertEquals(2, families.size());
        assertEquals("b", families.get(0).name());
        assertEquals(MetricType.GAUGE, families.get(0).type());
        assertEquals(List.of(new Sample(List.of(new Sample.Label("k", "x")), 1),
            new Sample(List.of(new Sample.Label("k", "y")), 3)), families.get(0).samples());
        assertEquals(new MetricFamily("a_total", "A.", MetricType.COUNTER, List.of(new Sample(List.of(), 2))),
            families.get(1));
    }

    @Test
    void aCounterMustEndInTotal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MetricsCollector().counter("ringkv_commands", "h", 1));
        assertEquals("counter ringkv_commands must end in _total", e.getMessage());
    }

    @Test
    void oneNameCannotHaveTwoTypesOrTwoHelpTexts() {
        MetricsCollector out = new MetricsCollector().gauge("x_total", "h", 1, "a", "1");
        assertThrows(IllegalArgumentException.class, () -> out.counter("x_total", "h", 1, "a", "2"));
        assertThrows(IllegalArgumentException.class, () -> out.gauge("x_total", "other", 1, "a", "2"));
    }

    @Test
    void theSameLabelSetTwiceIsRefused() {
        MetricsCollector out = new MetricsCollector().gauge("g", "h", 1, "a", "1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.gauge("g", "h", 2, "a", "1"));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", "h", 1).gauge("g", "h", 1));
    }

    @Test
    void labelsComeInPairsWithValidDistinctNames() {
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", "h", 1, "a"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", "h", 1, "a", "1", "a", "2"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", "h", 1, "a", null));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", "h", 1, "__name", "x"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", "h", 1, "a-b", "x"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("g", null, 1));
    }

    @Test
    void metricNamesFollowPrometheusCharacters() {
        assertTrue(MetricsCollector.isMetricName("ringkv_keys"));
        assertTrue(MetricsCollector.isMetricName("a:b_c9"));
        assertTrue(MetricsCollector.isMetricName("_x"));
        assertFalse(MetricsCollector.isMetricName("9x"));
        assertFalse(MetricsCollector.isMetricName("a-b"));
        assertFalse(MetricsCollector.isMetricName("a b"));
        assertFalse(MetricsCollector.isMetricName(""));
        assertFalse(MetricsCollector.isMetricName("é"));
        assertTrue(MetricsCollector.isLabelName("cmd"));
        assertTrue(MetricsCollector.isLabelName("_a1"));
        assertFalse(MetricsCollector.isLabelName("a:b"));
        assertFalse(MetricsCollector.isLabelName("1a"));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCollector().gauge("bad name", "h", 1));
    }

    @Test
    void theRegistryAsksEverySourceAtEveryScrape() {
        MetricsRegistry registry = new MetricsRegistry();
        long[] calls = {0};
        registry.register(out -> out.counter("calls_total", "Scrapes.", ++calls[0]));
        registry.register(out -> out.gauge("second", "Second source.", 7));
        assertEquals(1, registry.scrape().get(0).samples().get(0).value());
        List<MetricFamily> again = registry.scrape();
        assertEquals(2, again.get(0).samples().get(0).value());
        assertEquals("second", again.get(1).name());
    }

    @Test
    void twoSourcesCannotClaimOneName() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.register(out -> out.gauge("g", "From one.", 1));
        registry.register(out -> out.gauge("g", "From another.", 2));
        assertThrows(IllegalArgumentException.class, registry::scrape);
    }

    @Test
    void readinessIsEveryCheckPassing() {
        Readiness readiness = new Readiness();
        assertEquals(List.of(), readiness.unmet());
        boolean[] topology = {false};
        boolean[] streaming = {false};
        readiness.require("topology", () -> topology[0]);
        readiness.require("streaming", () -> streaming[0]);
        assertEquals(List.of("topology", "streaming"), readiness.unmet());
        topology[0] = true;
        assertEquals(List.of("streaming"), readiness.unmet());
        streaming[0] = true;
        assertEquals(List.of(), readiness.unmet());
    }
}
