package io.ringkv.cluster.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.storage.MemoryEngine;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Three nodes (N=3) in one JVM over {@link InMemoryReplicas}, with W=2 and R=2 unless a test says otherwise. */
class CoordinatorTest {

    private static final long TIMEOUT = 300;
    private final Clock clock = Clock.systemUTC();
    private final InMemoryReplicas net = new InMemoryReplicas();
    private final List<NodeInfo> nodes = new ArrayList<>();
    private final List<Coordinator> coordinators = new ArrayList<>();

    CoordinatorTest() {
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeInfo(Member.of("node-" + i), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        for (int i = 0; i < 3; i++) {
            String id = nodes.get(i).id();
            ReplicaStore store = new ReplicaStore(new MemoryEngine(), id, clock, () -> 32, () -> 8, w -> { });
            net.stores.put(id, store);
            Topology t = new Topology(id, nodes, 64, ReplicationFactor.of(3), 1, true);
            coordinators.add(new Coordinator(() -> t, store, net, clock, new ContextCache(1024)));
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoredValue v(String s) {
        return new StoredValue(b(s), Record.NO_EXPIRY);
    }

    private static <T> T join(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private Siblings<StoredValue> put(int at, String key, String value) throws Exception {
        return join(coordinators.get(at).write(b(key), VectorClock.empty(), true, v(value), Consistency.QUORUM, TIMEOUT));
    }

    private Coordinator.ReadResult get(int at, String key) throws Exception {
        return join(coordinators.get(at).read(b(key), Consistency.QUORUM, TIMEOUT));
    }

    private static String winner(Coordinator.ReadResult r) {
        Versioned<StoredValue> w = ReplicaStore.winner(r.merged(), System.currentTimeMillis());
        return w == null ? null : new String(w.value().value(), StandardCharsets.UTF_8);
    }

    @Test
    void aWriteIsReadFromEveryCoordinator() throws Exception {
        put(0, "k", "v1");
        for (int i = 0; i < 3; i++) {
            assertEquals("v1", winner(get(i, "k")));
        }
        assertNull(winner(get(1, "missing")));
    }

    @Test
    void oneReplicaDownIsTolerated_twoAreNot() throws Exception {
        net.down.add("node-2");
        put(0, "k", "v1");
        assertEquals("v1", winner(get(1, "k")));
        net.down.add("node-1");
        ExecutionException e = assertThrows(ExecutionException.class, () -> put(0, "k", "v2"));
        UnavailableException u = assertInstanceOf(UnavailableException.class, e.getCause());
        assertEquals("write needed 2 of 3 replicas, 1 acknowledged (127.0.0.1:7001 unreachable; 127.0.0.1:7002 unreachable)",
            sortedFailure(u.getMessage()));
        e = assertThrows(ExecutionException.class, () -> get(0, "k"));
        assertTrue(e.getCause().getMessage().startsWith("read needed 2 of 3 replicas, 1 answered ("), e.getCause().getMessage());
    }

    /** The failure list's order depends on which reply came first; sort it for the comparison. */
    private static String sortedFailure(String m) {
        int open = m.indexOf('(');
        String[] parts = m.substring(open + 1, m.length() - 1).split("; ");
        java.util.Arrays.sort(parts);
        return m.substring(0, open + 1) + String.join("; ", parts) + ")";
    }

    @Test
    void hungReplicasFailAtTheDeadline() throws Exception {
        net.hung.add("node-1");
        net.hung.add("node-2");
        long start = System.nanoTime();
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(0, "k"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getCause().getMessage().contains("timed out after 300 ms"), e.getCause().getMessage());
        assertTrue(millis >= TIMEOUT - 20 && millis < 3000, "took " + millis + " ms");
    }

    @Test
    void aCoordinatorThatHoldsNoReplicaForwardsAndMovesPastAFailedWriter() throws Exception {
        // Four nodes, N=2: node-3 coordinates keys it does not hold; with the first replica
        // down the write goes to the second one.
        NodeInfo fourth = new NodeInfo(Member.of("node-3"), new NodeAddress("127.0.0.1", 7003, 17003));
        List<NodeInfo> four = new ArrayList<>(nodes);
        four.add(fourth);
        ReplicaStore store3 = new ReplicaStore(new MemoryEngine(), "node-3", clock, () -> 32, () -> 8, w -> { });
        net.stores.put("node-3", store3);
        Topology t3 = new Topology("node-3", four, 64, ReplicationFactor.of(2), 1, true);
        Coordinator c3 = new Coordinator(() -> t3, store3, net, clock, new ContextCache(16));
        String key = null;
        for (int i = 0; key == null; i++) {
            if (!t3.holds(Slots.slot(b("key" + i)))) {
                key = "key" + i;
            }
        }
        List<NodeInfo> replicas = t3.replicas(Slots.slot(b(key)));
        net.down.add(replicas.get(0).id());
        Siblings<StoredValue> s = join(c3.write(b(key), VectorClock.empty(), true, v("x"), Consistency.ONE, TIMEOUT));
        assertEquals(replicas.get(1).id(), s.versions().get(0).dot().node());
        assertTrue(store3.read(Slots.slot(b(key)), b(key)).isEmpty(), "the forwarding node stores nothing");
        assertEquals("x", winner(join(c3.read(b(key), Consistency.ONE, TIMEOUT))));
    }

    @Test
    void concurrentWritesWithTheSameContextBecomeSiblings_aContextWriteResolvesThem() throws Exception {
        put(0, "k", "v0");
        VectorClock ctx = get(0, "k").merged().context();
        join(coordinators.get(1).write(b("k"), ctx, false, v("a"), Consistency.QUORUM, TIMEOUT));
        join(coordinators.get(2).write(b("k"), ctx, false, v("b"), Consistency.QUORUM, TIMEOUT));
        Coordinator.ReadResult r = join(coordinators.get(0).read(b("k"), Consistency.ALL, TIMEOUT));
        assertEquals(2, r.merged().size());
        join(coordinators.get(0).write(b("k"), r.merged().context(), false, v("c"), Consistency.QUORUM, TIMEOUT));
        Coordinator.ReadResult after = join(coordinators.get(1).read(b("k"), Consistency.ALL, TIMEOUT));
        assertEquals(1, after.merged().size());
        assertEquals("c", winner(after));
    }

    @Test
    void aBlindSetAfterAGetAtTheSameCoordinatorMakesNoSibling() throws Exception {
        // Node 0 misses a write (down), then reads at R=2 and writes blind: the write must cover
        // what the read saw even though node 0's own replica was stale.
        net.down.add("node-0");
        put(1, "k", "old");
        net.down.remove("node-0");
        assertEquals("old", winner(get(0, "k")));
        put(0, "k", "new");
        Coordinator.ReadResult r = join(coordinators.get(2).read(b("k"), Consistency.ALL, TIMEOUT));
        assertEquals(1, r.merged().size(), r.merged().toString());
        assertEquals("new", winner(r));
    }

    @Test
    void readRepairBringsAStaleReplicaLevel() throws Exception {
        net.down.add("node-2");
        put(0, "k", "v1");
        net.down.remove("node-2");
        int slot = Slots.slot(b("k"));
        assertTrue(net.stores.get("node-2").read(slot, b("k")).isEmpty());
        join(coordinators.get(0).read(b("k"), Consistency.ALL, TIMEOUT));
        assertEquals(1, net.stores.get("node-2").read(slot, b("k")).size());
        assertTrue(coordinators.get(0).readRepairs() >= 1);
    }

    @Test
    void deletesAreTombstonesThatReadAsMissing() throws Exception {
        put(0, "k", "v1");
        join(coordinators.get(1).write(b("k"), VectorClock.empty(), true, StoredValue.TOMBSTONE, Consistency.QUORUM, TIMEOUT));
        Coordinator.ReadResult r = get(2, "k");
        assertNull(winner(r));
        assertEquals(1, r.merged().size());
        assertTrue(r.merged().versions().get(0).value().isTombstone());
    }

    @Test
    void tooManySiblingsRefusesTheWrite() throws Exception {
        put(0, "k", "v0");
        VectorClock ctx = get(0, "k").merged().context();
        // max-siblings is 8 in this test; the same stale context at one node makes a sibling each time.
        for (int i = 0; i < 8; i++) {
            join(coordinators.get(0).write(b("k"), ctx, false, v("s" + i), Consistency.QUORUM, TIMEOUT));
        }
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> join(coordinators.get(0).write(b("k"), ctx, false, v("s9"), Consistency.QUORUM, TIMEOUT)));
        assertInstanceOf(io.ringkv.cluster.replica.TooManySiblingsException.class, e.getCause());
        // A blind write still resolves them all.
        put(0, "k", "final");
        assertEquals(1, get(1, "k").merged().size());
    }
}
