package io.ringkv.cluster.antientropy;

import static io.ringkv.cluster.antientropy.Replica.key;
import static io.ringkv.cluster.antientropy.Replica.slot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.replica.VersionCodec;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.cluster.version.Dot;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.storage.Record;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * What an anti-entropy pass costs on the wire, measured on the case: 100,000 keys over
 * all 16384 slots, each holding realistic stored siblings (one version of a 100-byte value with a
 * three-node clock of 40-hex-digit node ids, ~250 bytes), and a few keys differing. Counts every
 * byte of every message of the three phases (tree walk, key digests, siblings both ways), as
 * encoded. The numbers are in docs/antientropy.md.
 */
class ExchangeCostTest {

    private static final RoaringBitmap ALL = RoaringBitmap.bitmapOfRange(0, Slots.COUNT);
    private static final int KEYS = 100_000;

    record Cost(int rounds, long treeBytes, int leaves, long digestBytes, int keys, long siblingBytes, long dataBytes) {
        long total() {
            return treeBytes + digestBytes + siblingBytes;
        }

        double fraction() {
            return (double) total() / dataBytes;
        }

        @Override
        public String toString() {
            return String.format("rounds=%d tree=%dB leaves=%d digests=%dB keys=%d siblings=%dB total=%dB data=%dB fraction=%.5f%%",
                    rounds, treeBytes, leaves, digestBytes, keys, siblingBytes, total(), dataBytes, 100 * fraction());
        }
    }

    @Test
    void tenDifferingKeysOutOf100kCostASmallFractionOfTheData() {
        Random random = new Random(42);
        Replica a = replica(random);
        Replica b = a.copy();
        List<String> keys = new ArrayList<>(a.data.keySet());
        for (int i = 0; i < 4; i++) { // a newer version on B
            String k = keys.get(random.nextInt(keys.size()));
            b.data.put(k, siblings(random, 2));
        }
        for (int i = 0; i < 3; i++) { // missed by B
            b.data.remove(keys.get(random.nextInt(keys.size())));
        }
        for (int i = 0; i < 3; i++) { // missed by A
            b.data.put("new:" + i, siblings(random, 1));
        }
        assertEquals(10, Replica.differingKeys(a, b, ALL).size());

        long start = System.nanoTime();
        MerkleTree ta = a.tree(ALL);
        long buildNanos = System.nanoTime() - start;
        MerkleTree tb = b.tree(ALL);

        Cost cost = measure(a, ta, b, tb, true);
        System.out.println("[antientropy] 10 of 100k differ: " + cost + String.format(" build=%dms", buildNanos / 1_000_000));
        assertEquals(6, cost.rounds()); // root, 4, 64, 1024, slots, leaves
        assertEquals(10, cost.keys());
        assertTrue(cost.leaves() <= 10);
        assertTrue(cost.treeBytes() < 10_000, cost.toString());
        assertTrue(cost.fraction() < 0.001, cost.toString()); // under 0.1% of the data
    }

    @Test
    void identicalReplicasCostOneRoundTrip() {
        Replica a = replica(new Random(43));
        Cost cost = measure(a, a.tree(ALL), a, a.copy().tree(ALL));
        System.out.println("[antientropy] identical: " + cost);
        assertEquals(1, cost.rounds());
        assertEquals(12 + 19, cost.total()); // the root asked and answered
    }

    @Test
    void onePercentDifferingAndAWipedReplica() {
        Random random = new Random(44);
        Replica a = replica(random);
        Replica b = a.copy();
        List<String> keys = new ArrayList<>(a.data.keySet());
        for (int i = 0; i < KEYS / 100; i++) {
            b.data.put(keys.get(random.nextInt(keys.size())), siblings(random, 2));
        }
        MerkleTree ta = a.tree(ALL);
        Cost onePercent = measure(a, ta, b, b.tree(ALL));
        System.out.println("[antientropy] ~1% differ: " + onePercent);
        assertTrue(onePercent.fraction() < 0.05, onePercent.toString());

        Replica wiped = new Replica();
        Cost fromWiped = measure(wiped, wiped.tree(ALL), a, ta);
        Cost fromHealthy = measure(a, ta, wiped, wiped.tree(ALL));
        System.out.println("[antientropy] wiped replica asks: " + fromWiped);
        System.out.println("[antientropy] healthy replica asks: " + fromHealthy);
        assertEquals(KEYS, fromWiped.keys());
        assertEquals(KEYS, fromHealthy.keys());
        assertEquals(1, fromHealthy.rounds());
    }

    /**
     * One full pass as two nodes would run it, A asking: the tree walk; then A asks B for the key
     * digests of the divergent leaves (the request is a HashRequest-shaped list of leaf indices),
     * finds the differing keys, and the siblings of those keys travel both ways (each side sends
     * the keys it holds; the list of keys A wants back is counted too).
     */
    private static Cost measure(Replica a, MerkleTree ta, Replica b, MerkleTree tb) {
        return measure(a, ta, b, tb, false);
    }

    private static Cost measure(Replica a, MerkleTree ta, Replica b, MerkleTree tb, boolean printRounds) {
        long treeBytes = 0;
        Exchange exchange = new Exchange(ta.copy());
        Optional<HashRequest> next = Optional.of(exchange.start());
        while (next.isPresent()) {
            byte[] request = next.get().encode();
            byte[] response = tb.answer(HashRequest.decode(request)).encode();
            treeBytes += request.length + response.length;
            if (printRounds) {
                System.out.printf("[antientropy]   level %d: %d nodes, request %d B, response %d B%n",
                        next.get().level(), next.get().indices().length, request.length, response.length);
            }
            next = exchange.onResponse(HashResponse.decode(response));
        }
        List<Leaf> leaves = exchange.divergentLeaves();
        long digestBytes = 0;
        long siblingBytes = 0;
        List<byte[]> differing = List.of();
        if (!leaves.isEmpty()) {
            int[] leafIndices = leaves.stream().mapToInt(l -> ta.shape().leafIndex(l.slot(), l.subBucket())).toArray();
            digestBytes += pages(leafIndices, ta);
            List<KeyDigests.Entry> theirs = b.digests(tb, leaves);
            for (int from = 0; from < theirs.size(); from += KeyDigests.MAX_ENTRIES) {
                digestBytes += KeyDigests.encode(theirs.subList(from, Math.min(theirs.size(), from + KeyDigests.MAX_ENTRIES))).length;
            }
            differing = KeyDigests.differingKeys(a.digests(ta, leaves), theirs);
            for (byte[] k : differing) {
                String key = new String(k, java.nio.charset.StandardCharsets.UTF_8);
                siblingBytes += varintSize(k.length) + k.length; // A names the key it wants or sends
                byte[] mine = a.data.get(key);
                byte[] their = b.data.get(key);
                siblingBytes += mine == null ? 1 : varintSize(mine.length) + mine.length;
                siblingBytes += their == null ? 1 : varintSize(their.length) + their.length;
            }
        }
        long data = Math.max(bytes(a), bytes(b));
        return new Cost(exchange.rounds(), treeBytes, leaves.size(), digestBytes, differing.size(), siblingBytes, data);
    }

    /** The replica's key and stored-siblings bytes: what a full copy would move. */
    private static long bytes(Replica r) {
        long data = 0;
        for (Map.Entry<String, byte[]> e : r.data.entrySet()) {
            data += key(e.getKey()).length + e.getValue().length;
        }
        return data;
    }

    private static long pages(int[] leafIndices, MerkleTree ta) {
        long bytes = 0;
        for (int from = 0; from < leafIndices.length; from += HashRequest.MAX_NODES) {
            int[] page = java.util.Arrays.copyOfRange(leafIndices, from, Math.min(leafIndices.length, from + HashRequest.MAX_NODES));
            bytes += new HashRequest(ta.shape().fingerprint(), ta.shape().leafLevel(), page).encode().length;
        }
        return bytes;
    }

    private static int varintSize(int v) {
        return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4;
    }

    private static Replica replica(Random random) {
        Replica r = new Replica();
        for (int i = 0; i < KEYS; i++) {
            r.data.put("key:" + i, siblings(random, 1));
        }
        return r;
    }

    /** Three 40-hex-digit node ids, like real ones (they make up most of a clock's bytes). */
    private static final List<String> NODES = nodeIds();

    private static List<String> nodeIds() {
        Random ids = new Random(1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] id = new byte[20];
            ids.nextBytes(id);
            out.add(HexFormat.of().formatHex(id));
        }
        return List.copyOf(out);
    }

    /** Stored siblings as a replica holds them: one 100-byte value, a clock over three nodes. */
    private static byte[] siblings(Random random, long generation) {
        long now = 1_700_000_000_000L + random.nextInt(1_000_000);
        VectorClock clock = VectorClock.empty();
        for (String node : NODES) {
            clock = clock.increment(node, now);
        }
        byte[] value = new byte[100];
        random.nextBytes(value);
        return VersionCodec.encode(Siblings.of(new Versioned<>(clock,
                new Dot(NODES.get(random.nextInt(NODES.size())), 1 + generation + random.nextInt(50)),
                new StoredValue(value, Record.NO_EXPIRY), now)));
    }
}
