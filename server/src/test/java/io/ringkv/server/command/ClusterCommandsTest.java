package io.ringkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.ringkv.cluster.membership.NodeAddress;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.ring.Member;
import io.ringkv.cluster.ring.ReplicationFactor;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.server.ServerHarness;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.cluster.SlotRanges;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

/** Wire tests for CLUSTER, READONLY, READWRITE and ASKING over a 3-node topology (N = 3). */
class ClusterCommandsTest {

    private static final long EPOCH = 7;

    /** A ClusterView over a fixed topology whose links the test sets. */
    static final class FakeView implements ClusterView {
        Topology topology;
        final Set<String> down = new HashSet<>();

        FakeView(Topology topology) {
            this.topology = topology;
        }

        @Override
        public Topology topology() {
            return topology;
        }

        @Override
        public boolean connected(String nodeId) {
            return !down.contains(nodeId);
        }
    }

    private static String id(int i) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(("node-" + i).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static List<NodeInfo> members() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeInfo(Member.of(id(i)), new NodeAddress("127.0.0.1", 7000 + i, 17000 + i)));
        }
        return nodes;
    }

    private static Topology topology(boolean complete) {
        return new Topology(id(0), members(), 256, ReplicationFactor.of(3), EPOCH, complete);
    }

    private final FakeView view = new FakeView(topology(true));
    private final ServerHarness h = new ServerHarness(Map.of(), view);
    private final Topology t = view.topology();

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    // ---------------------------------------------------------------- cluster disabled

    @Test
    void everyCommandIsRefusedWhenClusterIsDisabled() {
        ServerHarness plain = new ServerHarness();
        String disabled = "-ERR This instance has cluster support disabled\r\n";
        for (String sub : List.of("INFO", "NODES", "SLOTS", "SHARDS", "MYID", "MYSHARDID", "HELP")) {
            assertEquals(disabled, plain.call("CLUSTER", sub), sub);
        }
        assertEquals(disabled, plain.call("CLUSTER", "KEYSLOT", "k"));
        assertEquals(disabled, plain.call("CLUSTER", "COUNTKEYSINSLOT", "1"));
        assertEquals(disabled, plain.call("CLUSTER", "GETKEYSINSLOT", "1", "1"));
        assertEquals(disabled, plain.call("READONLY"));
        assertEquals(disabled, plain.call("READWRITE"));
        assertEquals(disabled, plain.call("ASKING"));
        // Redis checks the subcommand and its arity before clusterCommand refuses.
        assertEquals("-ERR unknown subcommand 'foo'. Try CLUSTER HELP.\r\n", plain.call("CLUSTER", "foo"));
        assertEquals("-ERR wrong number of arguments for 'cluster|nodes' command\r\n",
            plain.call("CLUSTER", "NODES", "x"));
        assertTrue(plain.call("INFO", "cluster").contains("cluster_enabled:0\r\n"));
    }

    // ---------------------------------------------------------------- simple replies

    @Test
    void containerErrors() {
        assertEquals("-ERR wrong number of arguments for 'cluster' command\r\n", h.call("CLUSTER"));
        assertEquals("-ERR unknown subcommand 'addslots'. Try CLUSTER HELP.\r\n", h.call("CLUSTER", "addslots", "1"));
        assertEquals("-ERR wrong number of arguments for 'cluster|keyslot' command\r\n", h.call("CLUSTER", "KEYSLOT"));
        assertEquals("-ERR wrong number of arguments for 'cluster|getkeysinslot' command\r\n",
            h.call("CLUSTER", "GETKEYSINSLOT", "1"));
        assertEquals("-ERR wrong number of arguments for 'readonly' command\r\n", h.call("READONLY", "x"));
    }

    @Test
    void modesAnswerOk() {
        assertEquals("+OK\r\n", h.call("READONLY"));
        assertEquals("+OK\r\n", h.call("READWRITE"));
        assertEquals("+OK\r\n", h.call("ASKING"));
    }

    @Test
    void myIdAndShardId() {
        assertEquals(bulk(id(0)), h.call("CLUSTER", "MYID"));
        assertEquals(bulk(id(0)), h.call("cluster", "myid"));
        assertEquals(bulk(id(0)), h.call("CLUSTER", "MYSHARDID"));
    }

    @Test
    void keySlotIsRedisClustersHashSlot() {
        // The examples of Redis's CLUSTER KEYSLOT page.
        assertEquals(":12182\r\n", h.call("CLUSTER", "KEYSLOT", "foo"));
        assertEquals(":11058\r\n", h.call("CLUSTER", "KEYSLOT", "somekey"));
        assertEquals(":2515\r\n", h.call("CLUSTER", "KEYSLOT", "foo{hash_tag}"));
        assertEquals(":0\r\n", h.call("CLUSTER", "KEYSLOT", ""));
    }

    @Test
    void countAndGetKeysInSlot() {
        for (String k : List.of("{t}a", "{t}b", "{t}c", "other")) {
            assertEquals("+OK\r\n", h.call("SET", k, "v"));
        }
        int slot = Slots.slot("t".getBytes(StandardCharsets.UTF_8));
        String s = Integer.toString(slot);
        assertEquals(":3\r\n", h.call("CLUSTER", "COUNTKEYSINSLOT", s));
        assertEquals(":0\r\n", h.call("CLUSTER", "COUNTKEYSINSLOT", Integer.toString((slot + 1) % Slots.COUNT)));

        String all = h.call("CLUSTER", "GETKEYSINSLOT", s, "10");
        assertTrue(all.startsWith("*3\r\n"), all);
        for (String k : List.of("{t}a", "{t}b", "{t}c")) {
            assertTrue(all.contains(bulk(k)), all);
        }
        String two = h.call("CLUSTER", "GETKEYSINSLOT", s, "2");
        assertTrue(two.startsWith("*2\r\n"), two);
        assertEquals("*0\r\n", h.call("CLUSTER", "GETKEYSINSLOT", s, "0"));

        assertEquals("-ERR Invalid slot\r\n", h.call("CLUSTER", "COUNTKEYSINSLOT", "16384"));
        assertEquals("-ERR Invalid slot\r\n", h.call("CLUSTER", "COUNTKEYSINSLOT", "-1"));
        assertEquals("-ERR value is not an integer or out of range\r\n", h.call("CLUSTER", "COUNTKEYSINSLOT", "a"));
        assertEquals("-ERR Invalid slot or number of keys\r\n", h.call("CLUSTER", "GETKEYSINSLOT", "16384", "1"));
        assertEquals("-ERR Invalid slot or number of keys\r\n", h.call("CLUSTER", "GETKEYSINSLOT", "1", "-1"));
        assertEquals("-ERR value is not an integer or out of range\r\n",
            h.call("CLUSTER", "GETKEYSINSLOT", "1", "x"));
    }

    @Test
    void help() {
        String help = h.call("CLUSTER", "HELP");
        assertTrue(help.startsWith("*29\r\n+CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            + "+COUNTKEYSINSLOT <slot>\r\n"), help);
        assertTrue(help.endsWith("+HELP\r\n+    Print this help.\r\n"), help);
    }

    @Test
    void replicas() {
        assertEquals("*0\r\n", h.call("CLUSTER", "REPLICAS", id(1)));
        assertEquals("*0\r\n", h.call("CLUSTER", "SLAVES", id(2)));
        assertEquals("-ERR Unknown node nope\r\n", h.call("CLUSTER", "REPLICAS", "nope"));
    }

    @Test
    void serverInfoSaysClusterEnabled() {
        assertTrue(h.call("INFO", "cluster").contains("# Cluster\r\ncluster_enabled:1\r\n"));
    }

    // ---------------------------------------------------------------- CLUSTER INFO

    private static String info(String state, int ok, int pfail) {
        String text = "cluster_state:" + state + "\r\n"
            + "cluster_slots_assigned:16384\r\n"
            + "cluster_slots_ok:" + ok + "\r\n"
            + "cluster_slots_pfail:" + pfail + "\r\n"
            + "cluster_slots_fail:0\r\n"
            + "cluster_known_nodes:3\r\n"
            + "cluster_size:3\r\n"
            + "cluster_current_epoch:7\r\n"
            + "cluster_my_epoch:7\r\n"
            + "cluster_stats_messages_sent:0\r\n"
            + "cluster_stats_messages_received:0\r\n"
            + "total_cluster_links_buffer_limit_exceeded:0\r\n";
        return bulk(text);
    }

    @Test
    void clusterInfo() {
        assertEquals(info("ok", 16384, 0), h.call("CLUSTER", "INFO"));
        view.down.add(id(2));
        int lost = t.ring().ownedCount(id(2));
        assertTrue(lost > 0);
        assertEquals(info("ok", 16384 - lost, lost), h.call("CLUSTER", "INFO"));
        view.down.clear();
        view.topology = topology(false);
        assertEquals(info("fail", 16384, 0), h.call("CLUSTER", "INFO"));
    }

    // ---------------------------------------------------------------- CLUSTER NODES

    /** The bulk string's payload. */
    private static String payload(String reply) {
        int crlf = reply.indexOf("\r\n");
        int length = Integer.parseInt(reply.substring(1, crlf));
        assertEquals(reply.length(), crlf + 2 + length + 2, "one bulk string");
        return reply.substring(crlf + 2, crlf + 2 + length);
    }

    @Test
    void nodesListsEveryNodeAsTheMasterOfTheSlotsItHeads() {
        view.down.add(id(1));
        long now = h.clock.millis();
        String text = payload(h.call("CLUSTER", "NODES"));
        assertTrue(text.endsWith("\n"));
        String[] lines = text.split("\n", -1);
        assertEquals(4, lines.length);
        assertEquals("", lines[3]);
        RoaringBitmap seen = new RoaringBitmap();
        for (int i = 0; i < 3; i++) {
            String line = lines[i];
            String[] f = line.split(" ");
            NodeInfo node = t.node(f[0]);
            assertEquals(40, f[0].length());
            String head = f[0] + " 127.0.0.1:" + node.address().port() + "@" + node.address().clusterPort();
            boolean myself = f[0].equals(id(0));
            boolean linked = !f[0].equals(id(1));
            assertTrue(line.startsWith(head + (myself ? " myself,master" : " master") + " - 0 "
                + (myself || !linked ? 0 : now) + " 7 " + (linked ? "connected " : "disconnected ")), line);
            RoaringBitmap owned = new RoaringBitmap();
            for (int j = 8; j < f.length; j++) {
                String[] range = f[j].split("-");
                int start = Integer.parseInt(range[0]);
                int end = range.length == 1 ? start : Integer.parseInt(range[1]);
                assertTrue(start <= end);
                owned.add((long) start, (long) end + 1);
            }
            assertEquals(t.ring().ownedSlots(f[0]), owned);
            assertTrue(RoaringBitmap.and(seen, owned).isEmpty(), "a slot owned twice");
            seen.or(owned);
        }
        assertEquals(Slots.COUNT, seen.getCardinality());
        // Nodes in id order.
        assertEquals(List.of(id(0), id(1), id(2)).stream().sorted().toList(),
            List.of(lines[0].substring(0, 40), lines[1].substring(0, 40), lines[2].substring(0, 40)));
    }

    @Test
    void lettuceParsesClusterNodes() {
        Partitions partitions = ClusterPartitionParser.parse(payload(h.call("CLUSTER", "NODES")));
        assertEquals(3, partitions.size());
        int slots = 0;
        for (RedisClusterNode node : partitions) {
            NodeInfo info = t.node(node.getNodeId());
            assertEquals(info.address().port(), node.getUri().getPort());
            assertEquals("127.0.0.1", node.getUri().getHost());
            assertTrue(node.is(RedisClusterNode.NodeFlag.UPSTREAM));
            assertEquals(node.getNodeId().equals(id(0)), node.is(RedisClusterNode.NodeFlag.MYSELF));
            assertTrue(node.isConnected());
            assertEquals(EPOCH, node.getConfigEpoch());
            RoaringBitmap expected = t.ring().ownedSlots(info.id());
            assertEquals(expected.getCardinality(), node.getSlots().size());
            for (int slot : node.getSlots()) {
                assertTrue(expected.contains(slot));
                assertEquals(info.id(), partitions.getPartitionBySlot(slot).getNodeId());
            }
            slots += node.getSlots().size();
        }
        assertEquals(Slots.COUNT, slots);
    }

    // ---------------------------------------------------------------- CLUSTER SLOTS / SHARDS

    @Test
    void slotsCoverEverySlotWithTheReplicasHeadFirst() {
        List<Object> ranges = Resp.array(Resp.parse(h.call("CLUSTER", "SLOTS")));
        assertEquals(SlotRanges.byReplicas(t).size(), ranges.size());
        int next = 0;
        List<String> previous = null;
        for (Object o : ranges) {
            List<Object> range = Resp.array(o);
            int start = ((Long) range.get(0)).intValue();
            int end = ((Long) range.get(1)).intValue();
            assertEquals(next, start);
            assertTrue(end >= start);
            assertEquals(2 + 3, range.size(), "N = 3 replicas per range");
            List<String> ids = new ArrayList<>();
            for (Object n : range.subList(2, range.size())) {
                List<Object> node = Resp.array(n);
                assertEquals(4, node.size());
                NodeInfo info = t.node((String) node.get(2));
                assertEquals(info.address().host(), node.get(0));
                assertEquals((long) info.address().port(), node.get(1));
                assertEquals(List.of(), node.get(3));
                ids.add(info.id());
            }
            for (int slot : new int[] {start, end, (start + end) / 2}) {
                assertEquals(t.replicas(slot).stream().map(NodeInfo::id).toList(), ids, "slot " + slot);
            }
            assertEquals(t.ring().head(start).nodeId(), ids.get(0));
            assertNotEquals(previous, ids);
            previous = ids;
            next = end + 1;
        }
        assertEquals(Slots.COUNT, next);
    }

    @Test
    void shardsHaveOneShardPerNodeWithTheSlotsItHeads() {
        view.down.add(id(2));
        List<Object> shards = Resp.array(Resp.parse(h.call("CLUSTER", "SHARDS")));
        assertEquals(3, shards.size());
        RoaringBitmap seen = new RoaringBitmap();
        for (Object o : shards) {
            Map<String, Object> shard = Resp.map(o);
            assertEquals(List.of("slots", "nodes"), List.copyOf(shard.keySet()));
            List<Object> nodes = Resp.array(shard.get("nodes"));
            Map<String, Object> master = Resp.map(nodes.get(0));
            String headId = (String) master.get("id");
            RoaringBitmap owned = new RoaringBitmap();
            List<Object> slots = Resp.array(shard.get("slots"));
            for (int i = 0; i < slots.size(); i += 2) {
                owned.add((long) slots.get(i), (long) slots.get(i + 1) + 1);
            }
            assertEquals(t.ring().ownedSlots(headId), owned);
            seen.or(owned);
            // With 3 nodes and N = 3 every other node holds a replica of every slot.
            assertEquals(3, nodes.size());
            for (int i = 0; i < nodes.size(); i++) {
                Map<String, Object> node = Resp.map(nodes.get(i));
                NodeInfo info = t.node((String) node.get("id"));
                assertEquals(List.of("id", "port", "ip", "endpoint", "role", "replication-offset", "health"),
                    List.copyOf(node.keySet()));
                assertEquals((long) info.address().port(), node.get("port"));
                assertEquals("127.0.0.1", node.get("ip"));
                assertEquals("127.0.0.1", node.get("endpoint"));
                assertEquals(i == 0 ? "master" : "replica", node.get("role"));
                assertEquals(0L, node.get("replication-offset"));
                assertEquals(info.id().equals(id(2)) ? "fail" : "online", node.get("health"));
            }
        }
        assertEquals(Slots.COUNT, seen.getCardinality());
    }

    @Test
    void commandInfoListsTheSubcommands() {
        String info = h.call("COMMAND", "INFO", "cluster");
        assertTrue(info.startsWith("*1\r\n*10\r\n$7\r\ncluster\r\n:-2\r\n"), info);
        assertTrue(info.contains("$13\r\ncluster|nodes\r\n:2\r\n*1\r\n+stale\r\n"), info);
        assertTrue(h.call("COMMAND", "INFO", "readonly")
            .startsWith("*1\r\n*10\r\n$8\r\nreadonly\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n"));
    }

    /** A minimal RESP2 reader for structural checks: arrays, bulk and simple strings, integers. */
    static final class Resp {
        private final String s;
        private int pos;

        private Resp(String s) {
            this.s = s;
        }

        static Object parse(String reply) {
            Resp r = new Resp(reply);
            Object value = r.next();
            assertEquals(reply.length(), r.pos, "one reply");
            return value;
        }

        @SuppressWarnings("unchecked")
        static List<Object> array(Object o) {
            return (List<Object>) o;
        }

        /** A flat key-value array as an ordered map. */
        static Map<String, Object> map(Object o) {
            List<Object> flat = array(o);
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < flat.size(); i += 2) {
                m.put((String) flat.get(i), flat.get(i + 1));
            }
            return m;
        }

        private String line() {
            int end = s.indexOf("\r\n", pos);
            String line = s.substring(pos, end);
            pos = end + 2;
            return line;
        }

        private Object next() {
            char type = s.charAt(pos++);
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-':
                    throw new AssertionError("error reply: " + line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int n = Integer.parseInt(line);
                    String value = s.substring(pos, pos + n);
                    pos += n + 2;
                    return value;
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    List<Object> out = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        out.add(next());
                    }
                    return out;
                }
                default:
                    throw new AssertionError("bad type " + type);
            }
        }
    }
}
