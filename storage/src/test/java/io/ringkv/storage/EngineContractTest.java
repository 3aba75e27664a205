package io.ringkv.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Engine} promises, run against each implementation by a subclass (Voldemort's
 * store contract tests): the in-memory reference and the LSM engine must be indistinguishable
 * through this interface, except that the LSM's removeIf compares by value, not identity.
 */
public abstract class EngineContractTest {

    protected Engine engine;

    protected abstract Engine newEngine() throws Exception;

    /** Hook for implementations with a background side (flush everything to disk now); no-op by default. */
    protected void settle() throws Exception {
    }

    @BeforeEach
    void setUp() throws Exception {
        engine = newEngine();
    }

    @AfterEach
    void tearDown() {
        engine.close();
    }

    protected static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void getOfAbsentKeyIsNull() {
        assertNull(engine.get(7, b("nope")));
        assertEquals(0, engine.size());
    }

    @Test
    void putThenGetReturnsValueAndExpiry() throws Exception {
        assertNull(engine.put(7, b("k"), new Record(b("v"), 1234)));
        settle();
        Record r = engine.get(7, b("k"));
        assertEquals("v", s(r.value()));
        assertEquals(1234, r.expireAtMillis());
    }

    @Test
    void putReturnsThePreviousRecord() throws Exception {
        engine.put(1, b("k"), Record.persistent(b("one")));
        settle();
        Record previous = engine.put(1, b("k"), Record.persistent(b("two")));
        assertEquals("one", s(previous.value()));
        assertEquals("two", s(engine.get(1, b("k")).value()));
        assertEquals(1, engine.size());
    }

    @Test
    void sameKeyInDifferentSlotsIsDifferentKeys() {
        engine.put(1, b("k"), Record.persistent(b("a")));
        engine.put(2, b("k"), Record.persistent(b("b")));
        assertEquals("a", s(engine.get(1, b("k")).value()));
        assertEquals("b", s(engine.get(2, b("k")).value()));
        assertEquals(2, engine.size());
    }

    @Test
    void removeReturnsRemovedRecordAndNullWhenAbsent() throws Exception {
        engine.put(3, b("k"), Record.persistent(b("v")));
        settle();
        assertEquals("v", s(engine.remove(3, b("k")).value()));
        assertNull(engine.get(3, b("k")));
        assertNull(engine.remove(3, b("k")));
        settle();
        assertNull(engine.get(3, b("k")));
        assertEquals(0, engine.size());
        assertEquals(0, engine.sizeOfSlot(3));
    }

    @Test
    void emptyValueAndEmptyKeyAreStored() throws Exception {
        engine.put(0, b(""), Record.persistent(new byte[0]));
        settle();
        assertArrayEquals(new byte[0], engine.get(0, b("")).value());
        assertEquals(1, engine.sizeOfSlot(0));
    }

    @Test
    void removeIfRemovesTheCurrentRecordOnly() throws Exception {
        engine.put(5, b("k"), new Record(b("v1"), 100));
        settle();
        Record seen = engine.get(5, b("k"));
        engine.put(5, b("k"), new Record(b("v2"), 100));
        assertFalse(engine.removeIf(5, b("k"), seen), "a newer value must not be removed");
        Record now = engine.get(5, b("k"));
        assertTrue(engine.removeIf(5, b("k"), now));
        assertNull(engine.get(5, b("k")));
        assertFalse(engine.removeIf(5, b("k"), now));
        assertEquals(0, engine.size());
    }

    @Test
    void removeIfChecksTheExpiryToo() {
        engine.put(5, b("k"), new Record(b("v"), 100));
        Record seen = engine.get(5, b("k"));
        engine.put(5, b("k"), new Record(b("v"), 200));
        assertFalse(engine.removeIf(5, b("k"), seen));
        assertEquals(1, engine.size());
    }

    @Test
    void sizesCountPerSlotAndInTotal() throws Exception {
        for (int i = 0; i < 50; i++) {
            engine.put(i % 5, b("key" + i), Record.persistent(b("v" + i)));
        }
        engine.put(0, b("key0"), Record.persistent(b("again")));
        engine.remove(1, b("key1"));
        engine.remove(1, b("never"));
        settle();
        assertEquals(49, engine.size());
        assertEquals(10, engine.sizeOfSlot(0));
        assertEquals(9, engine.sizeOfSlot(1));
        assertEquals(0, engine.sizeOfSlot(5));
    }

    @Test
    void forEachInSlotVisitsExactlyTheSlotsRecords() throws Exception {
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            int slot = i % 3 == 0 ? 16383 : 100 + i % 3;
            engine.put(slot, b("k" + i), Record.persistent(b("v" + i)));
            if (slot == 16383) {
                expected.put("k" + i, "v" + i);
            }
        }
        engine.remove(16383, b("k0"));
        expected.remove("k0");
        engine.put(16383, b("k3"), Record.persistent(b("new")));
        expected.put("k3", "new");
        settle();
        Map<String, String> seen = new HashMap<>();
        engine.forEachInSlot(16383, (k, r) -> seen.put(s(k), s(r.value())));
        assertEquals(expected, seen);
        Map<String, String> none = new HashMap<>();
        engine.forEachInSlot(99, (k, r) -> none.put(s(k), s(r.value())));
        assertTrue(none.isEmpty());
    }

    @Test
    void nextNonEmptySlotSkipsEmptyAndEmptiedSlots() throws Exception {
        assertEquals(-1, engine.nextNonEmptySlot(0));
        engine.put(10, b("a"), Record.persistent(b("1")));
        engine.put(200, b("b"), Record.persistent(b("2")));
        engine.put(16383, b("c"), Record.persistent(b("3")));
        engine.remove(200, b("b"));
        settle();
        assertEquals(10, engine.nextNonEmptySlot(0));
        assertEquals(10, engine.nextNonEmptySlot(10));
        assertEquals(16383, engine.nextNonEmptySlot(11));
        assertEquals(-1, engine.nextNonEmptySlot(16384));
    }

    @Test
    void clearRemovesEverything() throws Exception {
        for (int i = 0; i < 20; i++) {
            engine.put(i, b("k" + i), Record.persistent(b("v")));
        }
        settle();
        engine.put(21, b("late"), Record.persistent(b("v")));
        engine.clear();
        assertEquals(0, engine.size());
        assertEquals(-1, engine.nextNonEmptySlot(0));
        assertNull(engine.get(3, b("k3")));
        assertNull(engine.get(21, b("late")));
        engine.put(3, b("k3"), Record.persistent(b("after")));
        assertEquals("after", s(engine.get(3, b("k3")).value()));
        assertEquals(1, engine.size());
    }

    @Test
    void approximateBytesGrowsWithData() {
        long before = engine.approximateBytes();
        engine.put(1, b("k"), Record.persistent(new byte[1000]));
        assertTrue(engine.approximateBytes() >= before + 1000);
    }
}
