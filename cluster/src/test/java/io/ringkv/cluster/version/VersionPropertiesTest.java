package io.ringkv.cluster.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.version.VectorClock.Ordering;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The algebra of clocks and siblings, checked on generated inputs. Sibling properties run on
 * generated histories (a few nodes writing with fresh, stale or empty contexts and syncing in
 * random order), because supersession is only meaningful for contexts a real run can produce.
 */
class VersionPropertiesTest {

    @Provide
    Arbitrary<VectorClock> clocks() {
        Arbitrary<String> nodes = Arbitraries.of("n1", "n2", "n3", "n4", "n5", "\u00e9", "n\uD83D\uDE00");
        Arbitrary<VectorClock.Entry> entries = Combinators.combine(
                Arbitraries.longs().between(1, 6).injectDuplicates(0.3)
                        .edgeCases(c -> c.add(Long.MAX_VALUE)),
                Arbitraries.longs().between(0, 1_000)).as(VectorClock.Entry::new);
        return Arbitraries.maps(nodes, entries).ofMaxSize(5).map(VectorClock::of);
    }

    @Property
    void mergeIsCommutative(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
        assertEquals(a.merge(b), b.merge(a));
    }

    @Property
    void mergeIsAssociative(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b,
                            @ForAll("clocks") VectorClock c) {
        assertEquals(a.merge(b).merge(c), a.merge(b.merge(c)));
    }

    @Property
    void mergeIsIdempotent(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
        assertEquals(a, a.merge(a));
        assertEquals(a.merge(b), a.merge(b).merge(b));
    }

    @Property
    void mergedClockDescendsBothInputs(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
        VectorClock m = a.merge(b);
        assertTrue(m.descends(a) && m.descends(b));
    }

    @Property
    void compareIsAntisymmetric(@ForAll("clocks") VectorClock a, @ForAll("clocks") VectorClock b) {
        Ordering ab = a.compare(b);
        Ordering ba = b.compare(a);
        switch (ab) {
            case BEFORE -> assertEquals(Ordering.AFTER, ba);
            case AFTER -> assertEquals(Ordering.BEFORE, ba);
            case EQUAL -> assertEquals(Ordering.EQUAL, ba);
            case CONCURRENT -> assertEquals(Ordering.CONCURRENT, ba);
        }
        assertEquals(a.descends(b) && b.descends(a), ab == Ordering.EQUAL);
    }

    @Property
    void incrementMovesStrictlyAfter(@ForAll("clocks") VectorClock a) {
        if (a.counter("n1") < Long.MAX_VALUE) {
            assertEquals(Ordering.AFTER, a.increment("n1", 5).compare(a));
        }
    }

    @Property
    void pruneKeepsTheNewestAndNeverGrows(@ForAll("clocks") VectorClock a, @ForAll int rawMax) {
        int max = Math.floorMod(rawMax, 6);
        VectorClock p = a.prune(max);
        assertEquals(Math.min(max, a.size()), p.size());
        assertTrue(a.descends(p), "pruning only forgets");
        long oldestKept = p.entries().values().stream().mapToLong(VectorClock.Entry::updatedMillis).min().orElse(Long.MAX_VALUE);
        a.entries().forEach((node, e) -> {
            if (!p.entries().containsKey(node)) {
                assertTrue(e.updatedMillis() <= oldestKept, "dropped " + node + " newer than a kept entry");
            }
        });
    }

    @Property
    void encodingRoundTrips(@ForAll("clocks") VectorClock a) {
        assertEquals(a, VectorClock.fromBytes(a.toBytes()));
    }

    @Property(tries = 2000)
    void decodingNeverThrowsAnythingButIllegalArgument(@ForAll byte[] junk) {
        try {
            VectorClock c = VectorClock.fromBytes(junk);
            assertEquals(c, VectorClock.fromBytes(c.toBytes()));
        } catch (IllegalArgumentException expected) {
            // malformed input is reported, never returned as data or thrown as something else
        }
    }

    /* ---- siblings over generated histories ---- */

    /** Every version a simulated run of a few replicas created. */
    static List<Versioned<Integer>> history(long seed) {
        Random rnd = new Random(seed);
        int nodes = 2 + rnd.nextInt(3);
        List<Siblings<Integer>> replicas = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            replicas.add(Siblings.empty());
        }
        List<VectorClock> seenContexts = new ArrayList<>(List.of(VectorClock.empty()));
        List<Versioned<Integer>> created = new ArrayList<>();
        int steps = 5 + rnd.nextInt(40);
        for (int step = 0; step < steps; step++) {
            int i = rnd.nextInt(nodes);
            Siblings<Integer> r = replicas.get(i);
            switch (rnd.nextInt(4)) {
                case 0 -> seenContexts.add(replicas.get(rnd.nextInt(nodes)).context()); // a read
                case 1 -> replicas.set(i, r.merge(replicas.get(rnd.nextInt(nodes)))); // sync
                default -> {
                    // a write: fresh read context, a stale one from an earlier read, or none
                    VectorClock ctx = rnd.nextBoolean() ? r.context()
                            : seenContexts.get(rnd.nextInt(seenContexts.size()));
                    Versioned<Integer> v = new Versioned<>(ctx, r.nextDot("n" + i, ctx), step, step);
                    created.add(v);
                    replicas.set(i, r.add(v));
                }
            }
        }
        return created;
    }

    private static Set<Dot> dots(Siblings<Integer> s) {
        Set<Dot> out = new HashSet<>();
        s.versions().forEach(v -> out.add(v.dot()));
        return out;
    }

    @Property(tries = 500)
    void addInAnyOrderYieldsTheSameSet(@ForAll long seed) {
        List<Versioned<Integer>> all = history(seed);
        Siblings<Integer> inOrder = Siblings.empty();
        for (Versioned<Integer> v : all) {
            inOrder = inOrder.add(v);
        }
        List<Versioned<Integer>> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(seed ^ 0x5DEECE66DL));
        Siblings<Integer> otherOrder = Siblings.empty();
        for (Versioned<Integer> v : shuffled) {
            otherOrder = otherOrder.add(v);
        }
        assertEquals(inOrder, otherOrder);
        // merge of two halves, either way round, is the same set too
        Siblings<Integer> left = Siblings.empty();
        Siblings<Integer> right = Siblings.empty();
        for (int k = 0; k < shuffled.size(); k++) {
            if (k % 2 == 0) {
                left = left.add(shuffled.get(k));
            } else {
                right = right.add(shuffled.get(k));
            }
        }
        assertEquals(inOrder, left.merge(right));
        assertEquals(inOrder, right.merge(left));
        assertEquals(inOrder, inOrder.merge(inOrder));
    }

    @Property(tries = 500)
    void onlySupersededVersionsAreDropped(@ForAll long seed) {
        List<Versioned<Integer>> all = history(seed);
        Siblings<Integer> s = Siblings.empty();
        for (Versioned<Integer> v : all) {
            s = s.add(v);
        }
        // Exactly the versions nothing supersedes survive: no write that is concurrent with
        // everything later vanishes, and nothing any writer had seen lingers.
        Set<Dot> expected = new HashSet<>();
        for (Versioned<Integer> v : all) {
            if (all.stream().noneMatch(o -> o.supersedes(v))) {
                expected.add(v.dot());
            }
        }
        assertEquals(expected, dots(s));
        // every surviving pair is concurrent, and the context covers every version created
        for (Versioned<Integer> a : s.versions()) {
            for (Versioned<Integer> b : s.versions()) {
                assertTrue(a == b || a.concurrentWith(b));
            }
        }
        VectorClock ctx = s.context();
        assertTrue(all.stream().allMatch(v -> ctx.covers(v.dot())));
    }

    @Property(tries = 300)
    void dotsAreNeverIssuedTwice(@ForAll long seed) {
        List<Versioned<Integer>> all = history(seed);
        assertEquals(all.size(), all.stream().map(Versioned::dot).distinct().count());
    }
}
