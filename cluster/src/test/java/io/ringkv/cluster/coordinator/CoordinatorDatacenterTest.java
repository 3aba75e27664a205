package io.ringkv.cluster.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * LOCAL_QUORUM and EACH_QUORUM on six in-JVM nodes in two datacenters (a0-a2 in dc1 on ports
 * 7000-7002, b0-b2 in dc2 on 7003-7005) over {@link InMemoryReplicas}.
 */
class CoordinatorDatacenterTest {

    private static final long TIMEOUT = 300;
    private final Clock clock = Clock.systemUTC();
    private final InMemoryReplicas net = new InMemoryReplicas();
    private final List<NodeInfo> nodes = new ArrayList<>();
    private final Map<String, Coordinator> coordinators = new HashMap<>();
    private final Map<String, Topology> topologies = new HashMap<>();
    private final Set<String> markedDown = ConcurrentHashMap.newKeySet();
    private final List<String> hints = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean sloppy;

    private void cluster(String factor) {
        for (int i = 0; i < 6; i++) {
            String id = (i < 3 ? "a" : "b") + (i % 3);
            nodes.add(new NodeInfo(new Member(id, 1, "r" + (i % 3), i < 3 ? "dc1" : "dc2"),
                new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        for (NodeInfo n : nodes) {
            ReplicaStore store = new ReplicaStore(new MemoryEngine(), n.id(), clock, () -> 32, () -> 8, w -> { });
            net.stores.put(n.id(), store);
            Topology t = new Topology(n.id(), nodes, 64, ReplicationFactor.parse(factor), 1, true);
            topologies.put(n.id(), t);
            Predicate<String> down = markedDown::contains;
            coordinators.put(n.id(), new Coordinator(() -> t, store, net, clock, new ContextCache(1024), down,
                (target, slot, key, versions) -> hints.add(target.id()), () -> sloppy));
        }
    }

    /** dc2 gone: every node of it unreachable and marked down. */
    private void loseDc2() {
        for (String id : List.of("b0", "b1", "b2")) {
            net.down.add(id);
            markedDown.add(id);
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

    private Siblings<StoredValue> put(String at, String key, String value, Consistency level) throws Exception {
        return join(coordinators.get(at).write(b(key), VectorClock.empty(), true, v(value), level, TIMEOUT));
    }

    private String get(String at, String key, Consistency level) throws Exception {
        Coordinator.ReadResult r = join(coordinators.get(at).read(b(key), level, TIMEOUT));
        Versioned<StoredValue> w = ReplicaStore.winner(r.merged(), System.currentTimeMillis());
        return w == null ? null : new String(w.value().value(), StandardCharsets.UTF_8);
    }

    private static String unavailable(ExecutionException e) {
        return assertInstanceOf(UnavailableException.class, e.getCause()).getMessage();
    }

    /** The failure list's order depends on which reply came first; sort it for the comparison. */
    private static String sortedFailure(String m) {
        int open = m.indexOf('(', m.indexOf("acknowledged") > 0 ? m.indexOf("acknowledged") : m.indexOf("answered"));
        String[] parts = m.substring(open + 1, m.length() - 1).split("; ");
        java.util.Arrays.sort(parts);
        return m.substring(0, open + 1) + String.join("; ", parts) + ")";
    }

    /** The first test key whose replicas satisfy {@code wanted}. */
    private String keyWhere(Predicate<List<NodeInfo>> wanted) {
        Topology t = topologies.get("a0");
        for (int i = 0; i < 10_000; i++) {
            if (wanted.test(t.replicas(Slots.slot(b("key" + i))))) {
                return "key" + i;
            }
        }
        throw new AssertionError("no such key");
    }

    private static List<String> ids(List<NodeInfo> list) {
        return list.stream().map(NodeInfo::id).toList();
    }

    @Test
    void localQuorumGoesOnWithTheOtherDatacenterGone_eachQuorumAndQuorumDoNot() throws Exception {
        cluster("dc1:3,dc2:3");
        loseDc2();
        put("a0", "k", "v1", Consistency.LOCAL_QUORUM);
        assertEquals("v1", get("a1", "k", Consistency.LOCAL_QUORUM));
        // The write reached all of dc1; dc2's replicas get it later from hints.
        assertEquals(List.of("b0", "b1", "b2"), hints.stream().sorted().toList());

        // The request fails as soon as dc2 cannot reach 2: after two of its failures.
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> put("a0", "k", "v2", Consistency.EACH_QUORUM));
        assertDc2Down("write needed 2 of 3 replicas in dc2 (EACH_QUORUM), 0 acknowledged (", unavailable(e));
        e = assertThrows(ExecutionException.class, () -> get("a0", "k", Consistency.EACH_QUORUM));
        assertDc2Down("read needed 2 of 3 replicas in dc2 (EACH_QUORUM), 0 answered (", unavailable(e));
        e = assertThrows(ExecutionException.class, () -> put("a0", "k", "v3", Consistency.QUORUM));
        assertTrue(unavailable(e).startsWith("write needed 4 of 6 replicas, 3 acknowledged ("), unavailable(e));
    }

    private static void assertDc2Down(String prefix, String message) {
        assertTrue(message.startsWith(prefix) && message.endsWith(")"), message);
        String[] failures = message.substring(prefix.length(), message.length() - 1).split("; ");
        assertTrue(failures.length >= 2, message);
        for (String f : failures) {
            assertTrue(f.matches("127\\.0\\.0\\.1:700[345] is down"), message);
        }
    }

    @Test
    void localQuorumDoesNotWaitForTheOtherDatacenter() throws Exception {
        cluster("dc1:3,dc2:3");
        // dc2 hangs (not yet marked down): only a request that needs it waits for its timeout.
        net.hung.addAll(List.of("b0", "b1", "b2"));
        long start = System.nanoTime();
        join(coordinators.get("a1").write(b("k"), VectorClock.empty(), true, v("v1"), Consistency.LOCAL_QUORUM, 5000));
        Coordinator.ReadResult r = join(coordinators.get("a2").read(b("k"), Consistency.LOCAL_QUORUM, 5000));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.merged().size());
        assertTrue(millis < 2000, "LOCAL_QUORUM took " + millis + " ms");
        ExecutionException e = assertThrows(ExecutionException.class, () -> get("a0", "k", Consistency.EACH_QUORUM));
        assertTrue(unavailable(e).startsWith("read needed 2 of 3 replicas in dc2 (EACH_QUORUM), 0 answered (127.0.0.1:700"),
            unavailable(e));
        assertTrue(unavailable(e).contains("timed out after 300 ms"), unavailable(e));
    }

    @Test
    void localQuorumNeedsAQuorumOfTheCoordinatorsOwnDatacenter() throws Exception {
        cluster("dc1:3,dc2:3");
        net.down.addAll(List.of("a1", "a2"));
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> put("a0", "k", "v1", Consistency.LOCAL_QUORUM));
        assertEquals("write needed 2 of 3 replicas in dc1 (LOCAL_QUORUM), 1 acknowledged (127.0.0.1:7001 unreachable;"
            + " 127.0.0.1:7002 unreachable)", sortedFailure(unavailable(e)));
        // The same level through a dc2 node is dc2's quorum, which is whole.
        put("b0", "k", "v2", Consistency.LOCAL_QUORUM);
        assertEquals("v2", get("b1", "k", Consistency.LOCAL_QUORUM));
    }

    @Test
    void eachQuorumNeedsAQuorumInEveryDatacenter() throws Exception {
        cluster("dc1:3,dc2:3");
        net.down.addAll(List.of("a2", "b2"));
        put("a0", "k", "v1", Consistency.EACH_QUORUM);
        assertEquals("v1", get("b0", "k", Consistency.EACH_QUORUM));
        net.down.add("b1");
        ExecutionException e = assertThrows(ExecutionException.class, () -> get("a0", "k", Consistency.EACH_QUORUM));
        assertEquals("read needed 2 of 3 replicas in dc2 (EACH_QUORUM), 1 answered (127.0.0.1:7004 unreachable;"
            + " 127.0.0.1:7005 unreachable)", sortedFailure(unavailable(e)));
    }

    @Test
    void aPerDatacenterFactorHoldsAndCountsPerDatacenter() throws Exception {
        cluster("dc1:2,dc2:1");
        String key = keyWhere(r -> r.size() == 3);
        List<NodeInfo> replicas = topologies.get("a0").replicas(Slots.slot(b(key)));
        NodeInfo remote = replicas.stream().filter(n -> n.member().datacenter().equals("dc2")).findFirst().orElseThrow();
        assertEquals(2, replicas.stream().filter(n -> n.member().datacenter().equals("dc1")).count());
        net.down.add(remote.id());
        markedDown.add(remote.id());
        // dc1 holds 2: LOCAL_QUORUM there is both of them.
        put("a0", key, "v1", Consistency.LOCAL_QUORUM);
        assertEquals("v1", get("a2", key, Consistency.LOCAL_QUORUM));
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> put("a0", key, "v2", Consistency.EACH_QUORUM));
        assertEquals("write needed 1 of 1 replica in dc2 (EACH_QUORUM), 0 acknowledged (127.0.0.1:"
            + remote.address().port() + " is down)", unavailable(e));
        // Only the three replicas were written.
        for (NodeInfo n : nodes) {
            boolean holds = net.stores.get(n.id()).readEncoded(Slots.slot(b(key)), b(key)).length > 1;
            assertEquals(replicas.contains(n) && !n.equals(remote), holds, n.id());
        }
    }

    @Test
    void aCoordinatorPicksItsWriteReplicaInItsOwnDatacenterFirst() throws Exception {
        cluster("dc1:1,dc2:1");
        // A key headed in dc2 whose dc1 replica is not a0: a0 must write through the dc1 one.
        String key = keyWhere(r -> r.get(0).member().datacenter().equals("dc2") && !ids(r).contains("a0"));
        List<NodeInfo> replicas = topologies.get("a0").replicas(Slots.slot(b(key)));
        net.hung.add(replicas.get(0).id());
        long start = System.nanoTime();
        Siblings<StoredValue> written = join(coordinators.get("a0").write(b(key), VectorClock.empty(), true, v("x"),
            Consistency.LOCAL_QUORUM, 2000));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1000, "the write waited " + millis + " ms on the hung dc2 head");
        assertEquals(replicas.get(1).id(), written.versions().iterator().next().dot().node());
    }

    @Test
    void sloppyFallbacksStandInOnlyWithinTheMissedReplicasDatacenter() throws Exception {
        cluster("dc1:2,dc2:1");
        sloppy = true;
        String key = keyWhere(r -> ids(r).contains("a0"));
        List<NodeInfo> replicas = topologies.get("a0").replicas(Slots.slot(b(key)));
        NodeInfo remote = replicas.stream().filter(n -> n.member().datacenter().equals("dc2")).findFirst().orElseThrow();
        net.down.add(remote.id());
        markedDown.add(remote.id());
        // The dc2 replica's copy goes to another dc2 node, and counts as the replica's.
        put("a0", key, "v1", Consistency.EACH_QUORUM);
        assertEquals(1, net.handOffs.size());
        String handOff = net.handOffs.poll();
        assertNotNull(handOff);
        assertTrue(handOff.startsWith("b") && handOff.endsWith(" -> " + remote.id()), handOff);
        // A sloppy read asks that dc2 fallback in the replica's place.
        get("a0", key, Consistency.EACH_QUORUM);

        // With all of dc2 gone no node of dc1 stands in for it.
        loseDc2();
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> put("a0", key, "v2", Consistency.EACH_QUORUM));
        assertTrue(unavailable(e).startsWith("write needed 1 of 1 replica in dc2 (EACH_QUORUM), 0 acknowledged"),
            unavailable(e));
        assertTrue(net.handOffs.isEmpty(), net.handOffs.toString());
        put("a0", key, "v3", Consistency.LOCAL_QUORUM);
    }

    @Test
    void flushNamesEveryNode() throws Exception {
        cluster("dc1:2,dc2:1");
        net.down.add("b2");
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> coordinators.get("a0").flushAll(TIMEOUT).get(5, TimeUnit.SECONDS));
        assertEquals("flush needed 6 of 6 nodes, 5 answered (127.0.0.1:7005 unreachable)", unavailable(e));
    }
}
