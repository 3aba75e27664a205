package io.ringkv.cluster.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.storage.MemoryEngine;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Targeted reads: a read asks only the replicas its quorum needs, this node first, and the
 * others when one of those fails or when the timer says the first ones are slow.
 */
class CoordinatorTargetedReadTest {

    private final Clock clock = Clock.systemUTC();
    private final InMemoryReplicas net = new InMemoryReplicas();
    private final List<NodeInfo> nodes = new ArrayList<>();
    /** Timer tasks the coordinator scheduled, run when the test says. */
    private final List<Runnable> timers = new ArrayList<>();
    private final Coordinator coordinator;

    CoordinatorTargetedReadTest() {
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeInfo(Member.of("node-" + i), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
            String id = nodes.get(i).id();
            net.stores.put(id, new ReplicaStore(new MemoryEngine(), id, clock, () -> 32, () -> 8, w -> { }));
        }
        Topology t = new Topology("node-0", nodes, 64, ReplicationFactor.of(3), 1, true);
        coordinator = new Coordinator(() -> t, net.stores.get("node-0"), net, clock, new ContextCache(1024),
            id -> false, HintSink.NONE, () -> false, (delay, task) -> {
                synchronized (timers) {
                    timers.add(task);
                }
            });
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void put(String key, String value) throws Exception {
        coordinator.write(b(key), VectorClock.empty(), true, new StoredValue(b(value), Record.NO_EXPIRY), Consistency.ALL,
            1000).get(5, TimeUnit.SECONDS);
    }

    private int remoteReads() {
        return net.reads.values().stream().mapToInt(java.util.concurrent.atomic.AtomicInteger::get).sum();
    }

    @Test
    void aQuorumReadAsksThisNodeAndOneOther() throws Exception {
        put("k", "v");
        Coordinator.ReadResult r = coordinator.read(b("k"), Consistency.QUORUM, 1000).get(5, TimeUnit.SECONDS);
        assertEquals(1, r.merged().size());
        assertEquals(1, remoteReads(), "W + R > N needs two of three: this node and one more");
        assertEquals(0, coordinator.speculativeReads());
        coordinator.read(b("k"), Consistency.ONE, 1000).get(5, TimeUnit.SECONDS);
        assertEquals(1, remoteReads(), "ONE: this node alone");
        coordinator.read(b("k"), Consistency.ALL, 1000).get(5, TimeUnit.SECONDS);
        assertEquals(3, remoteReads(), "ALL: every replica");
    }

    @Test
    void aFailedReplicaSendsTheReadToTheSpareAtOnce() throws Exception {
        put("k", "v");
        net.down.add("node-1");
        net.down.add("node-2");
        // Both remote replicas fail: the first one asked fails, the spare is asked, fails too.
        CompletableFuture<Coordinator.ReadResult> f = coordinator.read(b("k"), Consistency.QUORUM, 1000);
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
            () -> f.get(5, TimeUnit.SECONDS)).getCause();
        assertTrue(e.getMessage().startsWith("read needed 2 of 3 replicas, 1 answered"), e.getMessage());
        assertEquals(2, remoteReads());
        net.down.remove("node-2");
        assertEquals(1, coordinator.read(b("k"), Consistency.QUORUM, 1000).get(5, TimeUnit.SECONDS).merged().size());
        assertTrue(coordinator.speculativeReads() >= 2);
    }

    @Test
    void aSlowReplicaMakesTheTimerAskTheSpare() throws Exception {
        put("k", "v");
        net.hung.add("node-1");
        net.hung.add("node-2");
        CompletableFuture<Coordinator.ReadResult> f = coordinator.read(b("k"), Consistency.QUORUM, 5000);
        assertEquals(1, remoteReads());
        net.hung.clear();
        List<Runnable> due;
        synchronized (timers) {
            due = new ArrayList<>(timers);
        }
        assertEquals(1, due.size());
        due.get(0).run();
        assertEquals(1, f.get(5, TimeUnit.SECONDS).merged().size());
        assertEquals(2, remoteReads());
        assertEquals(1, coordinator.speculativeReads());
    }
}
