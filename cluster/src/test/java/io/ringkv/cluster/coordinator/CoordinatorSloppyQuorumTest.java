package io.ringkv.cluster.coordinator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.storage.MemoryEngine;
import io.ringkv.storage.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sloppy quorum on four in-JVM nodes with N=3 and W=ALL: with a preferred replica down, a strict
 * write fails, a sloppy one succeeds because the fourth node (the first past the preference list)
 * stores the copy as a hint and acknowledges; that node's replayer then gives the replica the write.
 */
class CoordinatorSloppyQuorumTest {

    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private final InMemoryReplicas net = new InMemoryReplicas();
    private final List<NodeInfo> nodes = new ArrayList<>();
    private final Map<String, HintStore> hintStores = new HashMap<>();
    private final Set<String> markedDown = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean sloppy = new AtomicBoolean();

    /** {@link InMemoryReplicas} plus HINT: the fallback keeps the copy in its hint store. */
    private final ReplicaClient client = new ReplicaClient() {
        public CompletableFuture<byte[]> read(NodeInfo n, int slot, byte[] key, long t) {
            return net.read(n, slot, key, t);
        }

        public CompletableFuture<ReplicaStore.Stored> write(NodeInfo n, int slot, byte[] key, VectorClock c,
                                                            boolean blind, StoredValue v, long t) {
            return net.write(n, slot, key, c, blind, v, t);
        }

        public CompletableFuture<Void> flush(NodeInfo n, long t) {
            return net.flush(n, t);
        }

        public CompletableFuture<Void> merge(NodeInfo n, int slot, byte[] key, byte[] v, long t) {
            return net.merge(n, slot, key, v, t);
        }

        @Override
        public CompletableFuture<Void> handOff(NodeInfo fallback, NodeInfo target, int slot, byte[] key, byte[] v,
                                               long t) {
            if (net.down.contains(fallback.id())) {
                return CompletableFuture.failedFuture(new IOException("unreachable"));
            }
            hintStores.get(fallback.id()).add(new Hint(target.id(), slot, key, v, clock.millis()));
            return CompletableFuture.completedFuture(null);
        }
    };

    private final byte[] key = "some-key".getBytes(StandardCharsets.UTF_8);
    private Topology topology;

    private Coordinator coordinatorOn(NodeInfo self) throws IOException {
        HintStore own = hintStores.get(self.id());
        return new Coordinator(() -> topology, net.stores.get(self.id()), client, clock, new ContextCache(1024),
            markedDown::contains, (target, slot, k, v) -> own.add(new Hint(target.id(), slot, k, v, clock.millis())),
            sloppy::get);
    }

    private void setUp() throws IOException {
        for (int i = 0; i < 4; i++) {
            NodeInfo n = new NodeInfo(Member.of("node-" + i), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i));
            nodes.add(n);
            net.stores.put(n.id(), new ReplicaStore(new MemoryEngine(), n.id(), clock, () -> 32, () -> 8, w -> { }));
            hintStores.put(n.id(), HintStore.open(dir.resolve(n.id()), 1 << 20));
        }
        topology = new Topology(nodes.get(0).id(), nodes, 64, ReplicationFactor.of(3), 1, true);
    }

    @AfterEach
    void closeStores() throws IOException {
        for (HintStore s : hintStores.values()) {
            s.close();
        }
    }

    private NodeInfo node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aFallbackStandsInForADownReplica() throws Exception {
        setUp();
        int slot = Slots.slot(key);
        List<Member> extended = topology.ring().preferenceList(slot, 4);
        NodeInfo head = node(extended.get(0).nodeId());
        NodeInfo victim = node(extended.get(2).nodeId());
        NodeInfo fallback = node(extended.get(3).nodeId());
        Coordinator c = coordinatorOn(head);
        markedDown.add(victim.id());
        net.down.add(victim.id());
        StoredValue v = new StoredValue("v".getBytes(StandardCharsets.UTF_8), Record.NO_EXPIRY);

        // Strict: W=ALL cannot be met with a replica down; the coordinator keeps a hint itself.
        ExecutionException e = assertThrows(ExecutionException.class, () ->
            c.write(key, VectorClock.empty(), true, v, Consistency.ALL, 300).get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnavailableException.class, e.getCause());
        assertEquals(1, hintStores.get(head.id()).pendingCount(victim.id()));

        // Sloppy: the first node past the preference list keeps the copy and acknowledges.
        sloppy.set(true);
        Siblings<StoredValue> written = c.write(key, VectorClock.empty(), true, v, Consistency.ALL, 300)
            .get(5, TimeUnit.SECONDS);
        assertEquals(1, c.handedOff());
        assertEquals(1, hintStores.get(fallback.id()).pendingCount(victim.id()));
        // The fallback does not hold the key as a replica; a sloppy read asks it instead of the victim.
        assertEquals(0, net.stores.get(fallback.id()).readEncoded(slot, key).length > 1 ? 1 : 0);
        Coordinator.ReadResult r = c.read(key, Consistency.ALL, 300).get(5, TimeUnit.SECONDS);
        assertEquals(written, r.merged());

        // The victim returns: the fallback's replayer delivers the hint.
        net.down.remove(victim.id());
        markedDown.remove(victim.id());
        HintReplayer replayer = new HintReplayer(hintStores.get(fallback.id()), client, this::node, id -> false,
            clock, () -> 60_000, 1000, w -> { });
        replayer.tick();
        await().atMost(Duration.ofSeconds(5)).until(() -> hintStores.get(fallback.id()).pendingCount() == 0);
        assertEquals(written, ReplicaStore.decode(net.stores.get(victim.id()).readEncoded(slot, key)));
    }
}
