package io.ringkv.cluster.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.antientropy.Exchange;
import io.ringkv.cluster.antientropy.HashRequest;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.cluster.transport.RemoteFailureException;
import io.ringkv.cluster.transport.Responder;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.storage.Engine;
import io.ringkv.storage.MemoryEngine;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link AntiEntropyDriver} against {@link AntiEntropyService} in one JVM: two nodes holding
 * every slot (N = 2), requests delivered by direct calls through the real encodings.
 */
class AntiEntropyDriverTest {

    private final Clock clock = Clock.systemUTC();
    private final List<NodeInfo> nodes = List.of(
        new NodeInfo(Member.of("node-a"), new NodeAddress("127.0.0.1", 7000, 17000)),
        new NodeInfo(Member.of("node-b"), new NodeAddress("127.0.0.1", 7001, 17001)));
    private final Map<String, ReplicaStore> stores = new HashMap<>();
    private final Map<String, AntiEntropyService> services = new HashMap<>();

    AntiEntropyDriverTest() {
        for (NodeInfo n : nodes) {
            ReplicaStore store = new ReplicaStore(new MemoryEngine(), n.id(), clock, () -> 32, () -> 8, w -> { });
            stores.put(n.id(), store);
            ReplicaService replicaService = new ReplicaService(store);
            services.put(n.id(), new AntiEntropyService(store, replicaService, Runnable::run, clock));
        }
    }

    private AntiEntropyDriver driver(String self, int slotsPerPass, int keysPerPass) {
        Topology t = new Topology(self, nodes, 64, ReplicationFactor.of(2), 1, true);
        return new AntiEntropyDriver(() -> t, id -> false, stores.get(self), (node, type, payload, timeout) -> {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            services.get(node.id()).handle(type, payload, new Responder() {
                @Override
                public void reply(byte[] p) {
                    f.complete(p);
                }

                @Override
                public void fail(String message) {
                    f.completeExceptionally(new RemoteFailureException(message));
                }
            });
            return f;
        }, slotsPerPass, keysPerPass);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void write(String node, String key, String value) {
        byte[] k = b(key);
        stores.get(node).write(Slots.slot(k), k, VectorClock.empty(), true,
            value == null ? StoredValue.TOMBSTONE : new StoredValue(b(value), Record.NO_EXPIRY));
    }

    private Map<String, String> dump(String node) {
        Engine e = stores.get(node).engine();
        Map<String, String> out = new HashMap<>();
        for (int slot = 0; slot < Engine.SLOTS; slot++) {
            e.forEachInSlot(slot, (k, r) -> out.put(new String(k, StandardCharsets.UTF_8),
                java.util.HexFormat.of().formatHex(r.value())));
        }
        return out;
    }

    @Test
    void onePassRepairsBothWaysAndTheNextFindsThemInSync() throws Exception {
        for (int i = 0; i < 2000; i++) {
            write("node-a", "both:" + i, "v" + i);
            stores.get("node-b").mergeEncoded(Slots.slot(b("both:" + i)), b("both:" + i),
                stores.get("node-a").readEncoded(Slots.slot(b("both:" + i)), b("both:" + i)));
        }
        for (int i = 0; i < 300; i++) {
            write("node-a", "only-a:" + i, "a" + i);
            write("node-b", "only-b:" + i, "b" + i);
        }
        for (int i = 0; i < 50; i++) {
            write("node-a", "newer-on-a:" + i, "old");
            stores.get("node-b").mergeEncoded(Slots.slot(b("newer-on-a:" + i)), b("newer-on-a:" + i),
                stores.get("node-a").readEncoded(Slots.slot(b("newer-on-a:" + i)), b("newer-on-a:" + i)));
            write("node-a", "newer-on-a:" + i, "new");
            write("node-b", "deleted-on-b:" + i, "x");
            stores.get("node-a").mergeEncoded(Slots.slot(b("deleted-on-b:" + i)), b("deleted-on-b:" + i),
                stores.get("node-b").readEncoded(Slots.slot(b("deleted-on-b:" + i)), b("deleted-on-b:" + i)));
            write("node-b", "deleted-on-b:" + i, null);
        }
        AntiEntropyDriver a = driver("node-a", Engine.SLOTS, 100_000);
        AntiEntropyDriver.Pass pass = a.pass().orElseThrow();
        assertEquals("node-b", pass.peer());
        assertEquals(Exchange.Outcome.DIVERGENT, pass.outcome());
        assertEquals(700, pass.keysRepaired());
        assertEquals(dump("node-a"), dump("node-b"));
        assertEquals(1, a.rounds());
        assertEquals(700, a.keysRepaired());

        AntiEntropyDriver.Pass again = a.pass().orElseThrow();
        assertEquals(Exchange.Outcome.IN_SYNC, again.outcome());
        assertEquals(0, again.keysRepaired());
        assertTrue(again.bytes() < 100, again.bytes() + " bytes");
        AntiEntropyDriver.Pass fromB = driver("node-b", Engine.SLOTS, 100_000).pass().orElseThrow();
        assertEquals(Exchange.Outcome.IN_SYNC, fromB.outcome());
    }

    @Test
    void slicesCoverEverySlotAndTheKeyBoundKeepsTheSlice() throws Exception {
        for (int i = 0; i < 3000; i++) {
            write("node-a", "key:" + i, "v" + i);
        }
        AntiEntropyDriver a = driver("node-a", 5000, 400);
        int passes = 0;
        while (!dump("node-a").equals(dump("node-b"))) {
            AntiEntropyDriver.Pass p = a.pass().orElseThrow();
            assertTrue(p.slots() == 5000, "slots " + p.slots());
            assertTrue(p.keysRepaired() <= 400 + AntiEntropyMessages.MAX_READ_KEYS, "repaired " + p.keysRepaired());
            assertTrue(++passes < 50, "no convergence");
        }
        assertEquals(3000, a.keysRepaired());
        assertTrue(passes >= 4, passes + " passes");
    }

    @Test
    void bigSiblingsArriveOverSeveralReads() throws Exception {
        String big = "x".repeat(1 << 20);
        for (int i = 0; i < 20; i++) {
            write("node-b", "big:" + i, big + i);
        }
        AntiEntropyDriver.Pass p = driver("node-a", Engine.SLOTS, 100_000).pass().orElseThrow();
        assertEquals(20, p.keysRepaired());
        assertEquals(dump("node-a"), dump("node-b"));
        assertTrue(p.bytes() > 20L << 20, p.bytes() + " bytes");
    }

    @Test
    void messagesRoundTripAndRejectGarbage() {
        RoaringBitmap slots = RoaringBitmap.bitmapOf(1, 2, 3, 100, 16383);
        HashRequest q = new HashRequest(42L, 0, new int[] {0});
        AntiEntropyMessages.TreeRequest r = AntiEntropyMessages.treeRequest(
            AntiEntropyMessages.treeRequest(7L, slots, 16, 16, q));
        assertEquals(7L, r.exchangeId());
        assertEquals(slots, r.slots());
        assertEquals(16, r.subBuckets());
        assertEquals(16, r.fanOut());
        assertEquals(q, r.request());
        List<AntiEntropyMessages.SlotKey> keys = new ArrayList<>();
        keys.add(new AntiEntropyMessages.SlotKey(5, b("k")));
        keys.add(new AntiEntropyMessages.SlotKey(16383, new byte[0]));
        List<AntiEntropyMessages.SlotKey> back = AntiEntropyMessages.readRequest(AntiEntropyMessages.readRequest(keys));
        assertEquals(2, back.size());
        assertEquals(16383, back.get(1).slot());
        assertArrayEquals(b("k"), back.get(0).key());
        List<byte[]> reply = AntiEntropyMessages.readReply(AntiEntropyMessages.readReply(List.of(b("xyz"), new byte[0])));
        assertArrayEquals(b("xyz"), reply.get(0));
        assertEquals(0, reply.get(1).length);
        byte[] good = AntiEntropyMessages.readRequest(keys);
        assertThrows(IllegalArgumentException.class,
            () -> AntiEntropyMessages.readRequest(java.util.Arrays.copyOf(good, good.length - 1)));
        assertThrows(IllegalArgumentException.class,
            () -> AntiEntropyMessages.readRequest(java.util.Arrays.copyOf(good, good.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> AntiEntropyMessages.treeRequest(new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 16, 0, 16, 0, 0, 0, 9}));
    }
}
