package io.ringkv.cluster.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.handoff.Hint;
import io.ringkv.cluster.handoff.HintReplayer;
import io.ringkv.cluster.handoff.HintStore;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hinted handoff in one JVM: three nodes (N=3, W=2) over {@link InMemoryReplicas}; node 2 is down
 * (marked down, or failing its MERGEs), writes through node 0 leave hints for it, and node 0's
 * replayer delivers them once node 2 is back, after which node 2 holds every key on its own.
 */
class CoordinatorHintTest {

    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private final InMemoryReplicas net = new InMemoryReplicas();
    private final List<NodeInfo> nodes = new ArrayList<>();
    private final Set<String> markedDown = ConcurrentHashMap.newKeySet();

    private Coordinator coordinator(HintStore store) {
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeInfo(Member.of("node-" + i), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        for (NodeInfo n : nodes) {
            net.stores.put(n.id(), new ReplicaStore(new MemoryEngine(), n.id(), clock, () -> 32, () -> 8, w -> { }));
        }
        Topology t = new Topology(nodes.get(0).id(), nodes, 64, ReplicationFactor.of(3), 1, true);
        return new Coordinator(() -> t, net.stores.get(nodes.get(0).id()), net, clock, new ContextCache(1024),
            markedDown::contains, (target, slot, key, versions) ->
                store.add(new Hint(target.id(), slot, key, versions, clock.millis())));
    }

    private void write(Coordinator c, int i) throws Exception {
        c.write(("k" + i).getBytes(StandardCharsets.UTF_8), VectorClock.empty(), true,
            new StoredValue(("v" + i).getBytes(StandardCharsets.UTF_8), Record.NO_EXPIRY), Consistency.QUORUM, 300)
            .get(5, TimeUnit.SECONDS);
    }

    @Test
    void aDownReplicaGetsItsWritesFromHints() throws Exception {
        try (HintStore store = HintStore.open(dir, 4096)) {
            Coordinator c = coordinator(store);
            String victim = nodes.get(2).id();
            markedDown.add(victim);
            net.down.add(victim);
            for (int i = 0; i < 500; i++) {
                write(c, i);
            }
            // A replica whose MERGE fails (not yet marked down) is hinted too.
            markedDown.remove(victim);
            for (int i = 500; i < 600; i++) {
                write(c, i);
            }
            assertEquals(600, store.pendingCount(victim));
            assertEquals(600, c.hintsWritten());
            ReplicaStore replica = net.stores.get(victim);
            HintReplayer replayer = new HintReplayer(store, net, id -> nodes.stream()
                .filter(n -> n.id().equals(id)).findFirst().orElse(null), markedDown::contains, clock,
                () -> 3_600_000, 1000, w -> { });
            replayer.tick(); // fails: the node is still unreachable; nothing is lost
            assertEquals(600, store.pendingCount());
            net.down.remove(victim);
            replayer.nodeUp(victim);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.pendingCount() == 0);
            assertEquals(600, replayer.replayed());
            for (int i = 0; i < 600; i++) {
                byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
                var versions = ReplicaStore.decode(replica.readEncoded(Slots.slot(key), key));
                assertEquals("v" + i, new String(ReplicaStore.winner(versions, clock.millis()).value().value(),
                    StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void expiredHintsAreDroppedNotDelivered() throws Exception {
        try (HintStore store = HintStore.open(dir, 1 << 20)) {
            Coordinator c = coordinator(store);
            String victim = nodes.get(2).id();
            markedDown.add(victim);
            write(c, 1);
            HintReplayer replayer = new HintReplayer(store, net, id -> nodes.get(2), id -> false, clock,
                () -> -1, 1000, w -> { });
            replayer.tick();
            assertEquals(0, store.pendingCount());
            assertEquals(1, replayer.dropped());
            assertTrue(net.stores.get(victim).readEncoded(Slots.slot("k1".getBytes()), "k1".getBytes()).length <= 1);
        }
    }
}
