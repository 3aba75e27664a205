package io.ringkv.cluster.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicationFactorTest {

    @Test
    void aPlainNumber() {
        ReplicationFactor f = ReplicationFactor.parse(" 3 ");
        assertEquals(3, f.total());
        assertFalse(f.isPerDatacenter());
        assertEquals(Map.of(), f.perDatacenter());
        assertEquals("3", f.toString());
        assertEquals(ReplicationFactor.of(3), f);
        assertEquals("16", ReplicationFactor.parse("16").toString());
        assertEquals("1", ReplicationFactor.parse("1").toString());
    }

    @Test
    void perDatacenterCountsAreCanonicalWhateverTheOrderAndSpacing() {
        ReplicationFactor f = ReplicationFactor.parse(" dc2 : 1 ,dc1:2 ");
        assertTrue(f.isPerDatacenter());
        assertEquals(3, f.total());
        assertEquals(Map.of("dc1", 2, "dc2", 1), f.perDatacenter());
        assertEquals(java.util.List.of("dc1", "dc2"), java.util.List.copyOf(f.perDatacenter().keySet()));
        assertEquals("dc1:2,dc2:1", f.toString());
        assertEquals(f, ReplicationFactor.parse("dc1:2,dc2:1"));
        assertEquals(f.hashCode(), ReplicationFactor.parse("dc1:2,dc2:1").hashCode());
        assertEquals(f, ReplicationFactor.parse(f.toString()));
        assertEquals("east:1", ReplicationFactor.parse("east:1").toString());
        assertEquals("a:8,b:8", ReplicationFactor.parse("a:8,b:8").toString());
        // A single listed datacenter is still per-datacenter: the others hold nothing.
        assertTrue(ReplicationFactor.parse("dc1:3").isPerDatacenter());
    }

    @Test
    void badTextIsRefusedWithAClearReason() {
        assertEquals("replication-factor must be a number from 1 to 16 or a list of datacenter:count like"
            + " dc1:2,dc2:1: 'three'", refusal("three"));
        assertTrue(refusal("").endsWith(": empty"));
        assertEquals("replication-factor must be between 1 and 16: 0", refusal("0"));
        assertEquals("replication-factor must be between 1 and 16: 17", refusal("17"));
        assertEquals("replication-factor: the count for dc1 must be between 1 and 16: 0", refusal("dc1:0"));
        assertEquals("replication-factor: the count for dc1 must be between 1 and 16: 17", refusal("dc1:17"));
        assertEquals("replication-factor: the counts add up to 17, more than 16", refusal("a:9,b:8"));
        assertEquals("replication-factor: datacenter dc1 is listed twice", refusal("dc1:1, dc1:2"));
        assertTrue(refusal(":2").endsWith("no datacenter name in ':2'"), refusal(":2"));
        assertTrue(refusal("dc1:x").endsWith("bad count in 'dc1:x'"), refusal("dc1:x"));
        assertTrue(refusal("dc1:2,").endsWith("bad entry ''"), refusal("dc1:2,"));
        assertTrue(refusal("dc1:2,dc2").endsWith("bad entry 'dc2'"), refusal("dc1:2,dc2"));
        assertTrue(refusal("dc1:2:3").endsWith("bad entry 'dc1:2:3'"), refusal("dc1:2:3"));
        assertTrue(refusal("dc1:-1").contains("between 1 and 16"), refusal("dc1:-1"));
        assertThrows(IllegalArgumentException.class, () -> ReplicationFactor.of(Map.of()));
    }

    private static String refusal(String text) {
        return assertThrows(IllegalArgumentException.class, () -> ReplicationFactor.parse(text)).getMessage();
    }
}
