package io.ringkv.cluster.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SiblingsTest {

    private static List<String> values(Siblings<String> s) {
        return s.versions().stream().map(Versioned::value).sorted().toList();
    }

    @Test
    void aWriteWithTheReadContextSupersedesWhatWasRead() {
        Siblings<String> s = Siblings.<String>empty().write(VectorClock.empty(), "n1", "v1", 10);
        s = s.write(s.context(), "n1", "v2", 20);
        assertEquals(List.of("v2"), values(s));
    }

    @Test
    void writesAtDifferentNodesWithTheSameContextAreSiblings() {
        Siblings<String> base = Siblings.<String>empty().write(VectorClock.empty(), "n1", "v0", 1);
        VectorClock ctx = base.context();
        Siblings<String> atN1 = base.write(ctx, "n1", "a", 10);
        Siblings<String> atN2 = base.write(ctx, "n2", "b", 11);
        Siblings<String> merged = atN1.merge(atN2);
        assertEquals(List.of("a", "b"), values(merged));
        assertEquals(merged, atN2.merge(atN1));
        // a write with the merged context resolves both
        Siblings<String> resolved = merged.write(merged.context(), "n2", "ab", 20);
        assertEquals(List.of("ab"), values(resolved));
    }

    @Test
    void twoWritesThroughTheSameNodeWithTheSameContextStaySiblings() {
        // The case plain vector clocks lose: the second write would "descend" the first.
        Siblings<String> base = Siblings.<String>empty().write(VectorClock.empty(), "n1", "v0", 1);
        VectorClock ctx = base.context();
        Siblings<String> s = base.write(ctx, "n1", "first", 10).write(ctx, "n1", "second", 11);
        assertEquals(List.of("first", "second"), values(s));
        assertEquals(new Dot("n1", 2), s.versions().get(0).dot());
        assertEquals(new Dot("n1", 3), s.versions().get(1).dot());
    }

    @Test
    void addIgnoresSupersededAndDuplicateVersions() {
        Versioned<String> old = new Versioned<>(VectorClock.empty(), new Dot("n1", 1), "old", 1);
        Versioned<String> next = new Versioned<>(old.clock(), new Dot("n2", 1), "new", 2);
        Siblings<String> s = Siblings.of(next);
        assertSame(s, s.add(old));
        assertSame(s, s.add(next));
        assertEquals(List.of("new"), values(Siblings.of(old, next)));
    }

    @Test
    void contextIsTheMergeOfAllClocks() {
        Versioned<String> a = new Versioned<>(VectorClock.empty().increment("n3", 1), new Dot("n1", 4), "a", 1);
        Versioned<String> b = new Versioned<>(VectorClock.empty(), new Dot("n2", 2), "b", 2);
        VectorClock ctx = Siblings.of(a, b).context();
        assertEquals(4, ctx.counter("n1"));
        assertEquals(2, ctx.counter("n2"));
        assertEquals(1, ctx.counter("n3"));
        assertEquals(VectorClock.empty(), Siblings.<String>empty().context());
    }

    @Test
    void winnerIsLatestTimestampThenNodeIdThenCounterThenValue() {
        VectorClock e = VectorClock.empty();
        Versioned<byte[]> early = new Versioned<>(e, new Dot("n9", 1), new byte[] {9}, 5);
        Versioned<byte[]> lateA = new Versioned<>(e, new Dot("n1", 1), new byte[] {1}, 10);
        Versioned<byte[]> lateB = new Versioned<>(e, new Dot("n2", 1), new byte[] {0}, 10);
        assertSame(lateB, Siblings.of(early, lateA, lateB).winner(Siblings.BYTES_ORDER));
        assertSame(lateB, Siblings.of(lateB, lateA, early).winner(Siblings.BYTES_ORDER));
        Versioned<byte[]> lowCounter = new Versioned<>(e, new Dot("n1", 1), new byte[] {1}, 10);
        Versioned<byte[]> highCounter = new Versioned<>(e, new Dot("n1", 2), new byte[] {0}, 10);
        assertSame(highCounter, Siblings.of(lowCounter, highCounter).winner(Siblings.BYTES_ORDER));
        assertThrows(IllegalStateException.class, () -> Siblings.<byte[]>empty().winner(Siblings.BYTES_ORDER));
    }

    @Test
    void prunedContextsMakeSiblingsNotLosses() {
        Siblings<String> s = Siblings.<String>empty().write(VectorClock.empty(), "n1", "v1", 1);
        VectorClock prunedCtx = s.context().increment("n2", 5).increment("n3", 6).prune(2); // drops n1
        Siblings<String> after = s.write(prunedCtx, "n2", "v2", 7);
        assertEquals(List.of("v1", "v2"), values(after));
        assertTrue(after.versions().stream().allMatch(v -> after.versions().stream()
                .noneMatch(o -> o.supersedes(v))));
    }
}
