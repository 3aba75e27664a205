package io.ringkv.cluster.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.RingStatus;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.storage.MemoryEngine;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Writes during a ring change (docs/elasticity.md): four nodes, N = 3, node-3 joining. A write
 * goes to the replicas of the placement before the change and of the one after it, and needs
 * its quorum in each.
 */
class CoordinatorRingChangeTest {

    private final Clock clock = Clock.systemUTC();
    private final InMemoryReplicas net = new InMemoryReplicas();
    private final List<NodeInfo> nodes = new ArrayList<>();
    private final Coordinator coordinator;
    private final Topology topology;

    CoordinatorRingChangeTest() {
        for (int i = 0; i < 4; i++) {
            nodes.add(new NodeInfo(Member.of("node-" + i), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
            String id = nodes.get(i).id();
            net.stores.put(id, new ReplicaStore(new MemoryEngine(), id, clock, () -> 32, () -> 8, w -> { }));
        }
        topology = new Topology("node-0", nodes, Map.of("node-3", RingStatus.JOINING), 64, ReplicationFactor.of(3), 1, true);
        coordinator = new Coordinator(() -> topology, net.stores.get("node-0"), net, clock, new ContextCache(1024));
    }

    /** A key whose replicas change: node-3 gains it, and node-0 (the coordinator) keeps it. */
    private String movingKey() {
        for (int i = 0; ; i++) {
            String key = "k" + i;
            int slot = Slots.slot(key.getBytes(StandardCharsets.UTF_8));
            List<String> before = topology.oldReplicas(slot).stream().map(NodeInfo::id).toList();
            List<String> after = topology.newReplicas(slot).stream().map(NodeInfo::id).toList();
            if (after.contains("node-3") && before.contains("node-0") && after.contains("node-0")) {
                return key;
            }
        }
    }

    private static StoredValue v(String s) {
        return new StoredValue(s.getBytes(StandardCharsets.UTF_8), Record.NO_EXPIRY);
    }

    @Test
    void aWriteReachesTheJoiningNodeAndTheNodeThatDropsTheSlot() throws Exception {
        String key = movingKey();
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int slot = Slots.slot(k);
        coordinator.write(k, VectorClock.empty(), true, v("x"), Consistency.ALL, 2000).get(5, TimeUnit.SECONDS);
        for (NodeInfo n : nodes) {
            boolean replica = topology.oldReplicas(slot).contains(n) || topology.newReplicas(slot).contains(n);
            assertEquals(replica, net.stores.get(n.id()).readEncoded(slot, k).length > 0, n.id());
        }
        assertEquals(4, topology.oldReplicas(slot).size() + 1, "one node drops the slot, one gains it");
    }

    @Test
    void aWriteNeedsItsQuorumInTheNewPlacementToo() throws Exception {
        String key = movingKey();
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int slot = Slots.slot(k);
        // The new placement is node-0, node-3 and one more: with node-3 and that one
        // unreachable, W = 2 holds in the old placement (node-0 and the dropper) but not in the new.
        for (NodeInfo n : topology.newReplicas(slot)) {
            if (!n.id().equals("node-0")) {
                net.down.add(n.id());
            }
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> coordinator.write(k, VectorClock.empty(), true,
            v("y"), Consistency.QUORUM, 500).get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnavailableException.class, e.getCause());
        assertTrue(e.getCause().getMessage().startsWith("write needed 2 of 3 replicas after the ring change, 1 acknowledged"),
            e.getCause().getMessage());
        // Without the change, the same write would have met its quorum in the old placement.
        net.down.clear();
        assertNotNull(coordinator.write(k, VectorClock.empty(), true, v("z"), Consistency.QUORUM, 500).get(5, TimeUnit.SECONDS));
    }
}
