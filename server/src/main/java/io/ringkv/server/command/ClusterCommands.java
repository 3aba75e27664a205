package io.ringkv.server.command;

import static io.ringkv.server.command.CommandSpec.command;

import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.membership.Topology;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.server.cluster.ClusterView;
import io.ringkv.server.cluster.SlotRanges;
import io.ringkv.server.cluster.SlotRanges.Range;
import io.ringkv.server.cluster.SlotRanges.ReplicaRange;
import io.ringkv.server.resp.Reply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CLUSTER and its subcommands, READONLY, READWRITE and ASKING: what cluster-aware clients
 * (JedisCluster, Lettuce's RedisClusterClient, redis-cli -c, redis-benchmark --cluster) read to
 * learn which node to send a key to. Replies have Redis 7.2's shapes, so their parsers work
 * unchanged; what they say is ringkv's truth, mapped onto Redis Cluster's vocabulary:
 *
 * <ul>
 *   <li>Every node coordinates any key, so there are no replicas in Redis's sense (a node that
 *       serves one master's slots only). Every node is shown as a master, owning the slots whose
 *       preference list it heads. A client that sends a key to that node saves the one hop a
 *       coordinator that holds no replica of the key would cost.
 *   <li>CLUSTER SLOTS lists, for each run of slots sharing one preference list, the head first
 *       and the slot's other replicas after it, where Redis lists a master and its replicas.
 *       Clients that read from replicas (READONLY) then spread reads over nodes that hold the
 *       key.
 *   <li>CLUSTER SHARDS has one shard per node: the slots it heads, itself as master, and as
 *       "replica" every other node that holds a replica of one of those slots. A ringkv node
 *       holds replicas of slots headed by many nodes, so unlike Redis a node appears in several
 *       shards: once as master, and as replica in the shards whose slots it replicates.
 * </ul>
 *
 * <p>There are no redirections, so READONLY, READWRITE and ASKING only answer +OK (a ringkv
 * node serves reads and writes for any key, whatever the connection's mode).
 *
 * <p>As in Redis, with cluster-enabled no every one of these commands answers "This instance
 * has cluster support disabled", after the dispatcher's unknown-subcommand and arity checks
 * (Redis's processCommand checks those before clusterCommand runs).
 */
final class ClusterCommands {

    static final String DISABLED = "ERR This instance has cluster support disabled";
    private static final String INVALID_SLOT = "ERR Invalid slot";
    private static final String INVALID_SLOT_OR_COUNT = "ERR Invalid slot or number of keys";

    private static final String GROUP = "cluster";
    private static final String PER_NODE = "O(N) where N is the total number of Cluster nodes";

    private static final String[] HELP = {
        "COUNTKEYSINSLOT <slot>",
        "    Return the number of keys in <slot>.",
        "FORGET <node-id>",
        "    Remove a node from the cluster.",
        "GETKEYSINSLOT <slot> <count>",
        "    Return key names stored by current node in a slot.",
        "INFO",
        "    Return information about the cluster.",
        "KEYSLOT <key>",
        "    Return the hash slot for <key>.",
        "LEAVE",
        "    Decommission this node: hand its slots to their new owners, then leave the ring.",
        "MYID",
        "    Return the node id.",
        "MYSHARDID",
        "    Return the node's shard id.",
        "NODES",
        "    Return cluster configuration seen by node. Output format:",
        "    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
        "REPLICAS <node-id>",
        "    Return <node-id> replicas.",
        "SLOTS",
        "    Return information about slots range mappings. Each range is made of:",
        "    start, end, master and replicas IP addresses, ports and ids",
        "SHARDS",
        "    Return information about slot range mappings and the nodes associated with them.",
    };

    private ClusterCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(
            command("cluster", -2).acl("@slow").group(GROUP).since("3.0.0")
                .summary("A container for Redis Cluster commands.").complexity("Depends on subcommand.")
                .subcommands(
                    sub("countkeysinslot", 3, "3.0.0", "Returns the number of keys in a hash slot.", "O(1)",
                        ClusterCommands::countKeysInSlot),
                    command("cluster|forget", 3).flags("admin", "stale", "no-async-loading").group(GROUP)
                        .since("3.0.0").summary("Removes a node from the nodes table.").complexity("O(1)")
                        .handler(ClusterCommands::forget),
                    sub("getkeysinslot", 4, "3.0.0", "Returns the key names in a hash slot.",
                        "O(N) where N is the number of requested keys", ClusterCommands::getKeysInSlot),
                    command("cluster|help", 2).flags("loading", "stale").acl("@slow").group(GROUP).since("5.0.0")
                        .summary("Returns helpful text about the different subcommands.").complexity("O(1)")
                        .handler(ClusterCommands::help),
                    sub("info", 2, "3.0.0", "Returns information about the state of a node.", "O(1)",
                        ClusterCommands::info),
                    sub("keyslot", 3, "3.0.0", "Returns the hash slot for a key.",
                        "O(N) where N is the number of bytes in the key",
                        r -> r.reply().integer(Slots.slot(r.arg(2)))),
                    // ringkv's own: decommissioning, with no counterpart in Redis Cluster.
                    command("cluster|leave", 2).flags("admin", "stale").group(GROUP).since("0.1.0")
                        .summary("Decommissions this node: streams its slots to their new owners, then leaves the ring.")
                        .complexity("O(N) where N is the number of keys this node holds")
                        .handler(ClusterCommands::leave),
                    sub("myid", 2, "3.0.0", "Returns the ID of a node.", "O(1)",
                        r -> r.reply().bulk(view(r).topology().selfId())),
                    // Each node is its own shard (see CLUSTER SHARDS), named by its node id.
                    sub("myshardid", 2, "7.2.0", "Returns the shard ID of a node.", "O(1)",
                        r -> r.reply().bulk(view(r).topology().selfId())),
                    sub("nodes", 2, "3.0.0", "Returns the cluster configuration for a node.", PER_NODE,
                        ClusterCommands::nodes),
                    command("cluster|replicas", 3).flags("admin", "stale").group(GROUP).since("5.0.0")
                        .summary("Lists the replica nodes of a master node.")
                        .complexity("O(N) where N is the number of replicas.").handler(ClusterCommands::replicas),
                    command("cluster|shards", 2).flags("loading", "stale").acl("@slow").group(GROUP).since("7.0.0")
                        .summary("Returns the mapping of cluster slots to shards.")
                        .complexity("O(N) where N is the total number of cluster nodes")
                        .handler(ClusterCommands::shards),
                    command("cluster|slaves", 3).flags("admin", "stale").group(GROUP).since("3.0.0")
                        .summary("Lists the replica nodes of a master node.")
                        .complexity("O(N) where N is the number of replicas.").handler(ClusterCommands::replicas),
                    command("cluster|slots", 2).flags("loading", "stale").acl("@slow").group(GROUP).since("3.0.0")
                        .summary("Returns the mapping of cluster slots to nodes.").complexity(PER_NODE)
                        .handler(ClusterCommands::slots))
                .handler(ClusterCommands::dispatch),
            command("readonly", 1).flags("fast", "loading", "stale").acl("@fast", "@connection").group(GROUP)
                .since("3.0.0").summary("Enables read-only queries for a connection to a Redis Cluster replica node.")
                .handler(ClusterCommands::ok),
            command("readwrite", 1).flags("fast", "loading", "stale").acl("@fast", "@connection").group(GROUP)
                .since("3.0.0").summary("Enables read-write queries for a connection to a Redis Cluster replica node.")
                .handler(ClusterCommands::ok),
            command("asking", 1).flags("fast").acl("@fast", "@connection").group(GROUP).since("3.0.0")
                .summary("Signals that a cluster client is following an -ASK redirect.")
                .handler(ClusterCommands::ok));
    }

    /** A read-only subcommand as Redis 7.2 declares most of CLUSTER's: flag stale, category @slow. */
    private static CommandSpec sub(String name, int arity, String since, String summary, String complexity,
                                   CommandHandler handler) {
        return command("cluster|" + name, arity).flags("stale").acl("@slow").group(GROUP).since(since)
            .summary(summary).complexity(complexity).handler(handler);
    }

    /**
     * Unknown subcommand and arity first, then the cluster-disabled refusal: the order of Redis,
     * where the first two are processCommand's checks and the last is clusterCommand's own.
     */
    static void dispatch(Request r) {
        CommandSpec sub = r.spec().subcommand(r.string(1));
        if (sub == null) {
            throw new CommandError(Errors.unknownSubcommand(r.string(1), "CLUSTER"));
        }
        if (!sub.arityAccepts(r.argc())) {
            throw new CommandError(Errors.wrongArity(sub.name()));
        }
        r.session().touch(r.server().clock().millis(), sub.name());
        view(r);
        sub.handler().execute(r);
    }

    /** The cluster view, or Redis's refusal when this node is not in cluster mode. */
    private static ClusterView view(Request r) {
        ClusterView view = r.server().cluster();
        if (view == null) {
            throw new CommandError(DISABLED);
        }
        return view;
    }

    /*
     * Removes a failed member for good. Unlike Redis's, which only hides a node for a minute
     * from this node's table, ringkv's is cluster-wide and final: the id is gossiped as departed
     * and the survivors re-replicate its slots. So it refuses a member that is not marked as
     * failing: a live node leaves with CLUSTER LEAVE, which hands its data over first.
     */
    private static void forget(Request r) {
        String error = view(r).forget(r.string(2));
        if (error != null) {
            throw new CommandError("ERR " + error);
        }
        r.reply().ok();
    }

    /** Starts the decommission; INFO's cluster_ring_status follows it to "left". */
    private static void leave(Request r) {
        String error = view(r).leave();
        if (error != null) {
            throw new CommandError("ERR " + error);
        }
        r.reply().ok();
    }

    private static void ok(Request r) {
        view(r);
        r.reply().ok();
    }

    /** Redis's addReplyHelp: a header naming the command as typed, the lines, then HELP. */
    static void help(Request r) {
        Reply out = r.reply();
        out.arrayHeader(HELP.length + 3);
        out.simple(r.string(0).toUpperCase(Locale.ROOT) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String line : HELP) {
            out.simple(line);
        }
        out.simple("HELP");
        out.simple("    Print this help.");
    }

    // ---------------------------------------------------------------- keys in slots

    /**
     * The number of records this node stores in the slot, as Redis counts the keys of the slot
     * it holds (expired keys not yet removed included, in both).
     */
    static void countKeysInSlot(Request r) {
        long slot = r.longArg(2);
        if (slot < 0 || slot >= Slots.COUNT) {
            throw new CommandError(INVALID_SLOT);
        }
        r.reply().integer(r.server().engine().sizeOfSlot((int) slot));
    }

    /** Up to {@code count} keys this node stores in the slot, in the engine's order. */
    static void getKeysInSlot(Request r) {
        long slot = r.longArg(2);
        long count = r.longArg(3);
        if (slot < 0 || slot >= Slots.COUNT || count < 0) {
            throw new CommandError(INVALID_SLOT_OR_COUNT);
        }
        List<byte[]> keys = new ArrayList<>();
        // The engine's visit cannot be stopped early; past the count it only skips.
        r.server().engine().forEachInSlot((int) slot, (key, record) -> {
            if (keys.size() < count) {
                keys.add(key);
            }
        });
        Reply out = r.reply();
        out.arrayHeader(keys.size());
        for (byte[] key : keys) {
            out.bulk(key);
        }
    }

    // ---------------------------------------------------------------- topology

    /*
     * CLUSTER NODES, one line per node in Redis 7.2's layout (cluster.c clusterGenNodeDescription):
     *
     *   <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> ...
     *
     * each line ending in "\n", including the last. Every node is a master ("myself,master" for
     * the answering node), so the master column is "-". No ping is ever outstanding in Redis's
     * sense, so ping-sent is 0; pong-recv is 0 for the answering node (as in Redis) and for a
     * node it has no link to, and the current time for a linked node (the link is alive now,
     * which is what a recent pong tells a Redis client). config-epoch is the topology's epoch
     * for every node: in Redis it says which claim on a slot is newest, and in ringkv the whole
     * slot map is one value stamped with that epoch, so every node's claim is exactly as new as
     * the map. It is stable while the membership is, and grows when it changes. The address is
     * written without brackets even for IPv6, as Redis writes node->ip; no hostname is shown as
     * ringkv has no cluster-announce-hostname.
     */
    /**
     * The nodes failure detection has marked down: cluster clients are told the slots they head
     * are headed by their next live replica (every node coordinates any key, so nothing else
     * changes), and keep working without them.
     */
    private static java.util.function.Predicate<String> down(ClusterView view) {
        return id -> view.failFlag(id).equals("fail");
    }

    static void nodes(Request r) {
        ClusterView view = view(r);
        Topology topology = view.topology();
        long now = r.server().clock().millis();
        StringBuilder out = new StringBuilder();
        Map<String, List<Range>> headed = SlotRanges.headed(SlotRanges.byReplicas(topology, down(view)));
        for (NodeInfo node : topology.nodes()) {
            boolean myself = node.id().equals(topology.selfId());
            boolean linked = myself || view.connected(node.id());
            out.append(node.id()).append(' ')
                .append(node.address().host()).append(':').append(node.address().port())
                .append('@').append(node.address().clusterPort())
                .append(myself ? " myself,master" : " master")
                .append(view.failFlag(node.id()).isEmpty() ? "" : "," + view.failFlag(node.id()))
                .append(" - 0 ").append(myself || !linked ? 0 : now)
                .append(' ').append(topology.epoch())
                .append(linked ? " connected" : " disconnected");
            String slots = SlotRanges.format(headed.getOrDefault(node.id(), List.of()));
            if (!slots.isEmpty()) {
                out.append(' ').append(slots);
            }
            out.append('\n');
        }
        r.reply().bulk(out.toString());
    }

    /*
     * CLUSTER REPLICAS / SLAVES <node-id>: the node's replicas in CLUSTER NODES's format. No node
     * is shown as a replica of another, so a known node has none, as CLUSTER NODES says.
     */
    static void replicas(Request r) {
        Topology topology = view(r).topology();
        String id = r.string(2);
        if (topology.node(id) == null) {
            throw new CommandError("ERR Unknown node " + id);
        }
        r.reply().emptyArray();
    }

    /*
     * CLUSTER SLOTS (Redis 7's clusterReplyMultiBulkSlots), in slot order: for each run of
     * slots with one replica list, [start, end, node, node, ...], the head first. A node is
     * [ip, port, id, metadata], the metadata being the networking facts other than the preferred
     * endpoint: none here (the endpoint is the ip and there is no hostname), so an empty map.
     * Every slot is covered, which JedisCluster requires. Unlike Redis, which leaves failed
     * replicas out, every replica is listed; a node the failure detector has marked down (not
     * merely one whose link from this node is broken) goes last in each list, so a slot it heads
     * is advertised with a live replica first.
     */
    static void slots(Request r) {
        ClusterView view = view(r);
        List<ReplicaRange> ranges = SlotRanges.byReplicas(view.topology(), down(view));
        Reply out = r.reply();
        out.arrayHeader(ranges.size());
        for (ReplicaRange range : ranges) {
            out.arrayHeader(2 + range.replicas().size());
            out.integer(range.range().start());
            out.integer(range.range().end());
            for (NodeInfo node : range.replicas()) {
                out.arrayHeader(4);
                out.bulk(node.address().host());
                out.integer(node.address().port());
                out.bulk(node.id());
                out.mapHeader(0);
            }
        }
    }

    /*
     * CLUSTER SHARDS (Redis 7's clusterReplyShards): one shard per node, in node id order. Its
     * "slots" are the ranges the node heads, as a flat list start, end, start, end; its "nodes"
     * are the node itself (role master) and then, in id order, every other node holding a
     * replica of at least one of those slots (role replica). This is an approximation: in Redis
     * a replica copies all of one master's slots, while a ringkv node holds replicas of slots
     * headed by many nodes, so it appears in each of their shards, and a shard's "replica" may
     * hold only some of its slots (CLUSTER SLOTS is exact per range). Each node's map follows
     * Redis's order: id, port, ip, endpoint (the ip: no hostname is configured), role,
     * replication-offset (0: no Redis replication stream exists), health ("online", or "fail",
     * Redis's word, when this node has no link to it).
     */
    static void shards(Request r) {
        ClusterView view = view(r);
        Topology topology = view.topology();
        Map<String, Set<String>> replicasOf = new HashMap<>();
        List<ReplicaRange> advertised = SlotRanges.byReplicas(topology, down(view));
        Map<String, List<Range>> headed = SlotRanges.headed(advertised);
        for (ReplicaRange range : advertised) {
            Set<String> set = replicasOf.computeIfAbsent(range.replicas().get(0).id(), k -> new LinkedHashSet<>());
            for (int i = 1; i < range.replicas().size(); i++) {
                set.add(range.replicas().get(i).id());
            }
        }
        List<NodeInfo> nodes = topology.nodes();
        Reply out = r.reply();
        out.arrayHeader(nodes.size());
        for (NodeInfo head : nodes) {
            List<Range> owned = headed.getOrDefault(head.id(), List.of());
            out.mapHeader(2);
            out.bulk("slots");
            out.arrayHeader(2L * owned.size());
            for (Range range : owned) {
                out.integer(range.start());
                out.integer(range.end());
            }
            Set<String> replicaIds = replicasOf.getOrDefault(head.id(), Set.of());
            List<NodeInfo> members = new ArrayList<>();
            members.add(head);
            for (NodeInfo node : nodes) {
                if (replicaIds.contains(node.id()) && !node.id().equals(head.id())) {
                    members.add(node);
                }
            }
            out.bulk("nodes");
            out.arrayHeader(members.size());
            for (NodeInfo node : members) {
                boolean linked = node.id().equals(topology.selfId()) || view.connected(node.id());
                out.mapHeader(7);
                out.bulk("id");
                out.bulk(node.id());
                out.bulk("port");
                out.integer(node.address().port());
                out.bulk("ip");
                out.bulk(node.address().host());
                out.bulk("endpoint");
                out.bulk(node.address().host());
                out.bulk("role");
                out.bulk(node.id().equals(head.id()) ? "master" : "replica");
                out.bulk("replication-offset");
                out.integer(0);
                out.bulk("health");
                out.bulk(linked && !view.failFlag(node.id()).equals("fail") ? "online" : "fail");
            }
        }
    }

    /*
     * CLUSTER INFO in Redis 7.2's field order (cluster.c genClusterInfoString), lines ending in
     * CRLF. Every slot is always assigned (the ring places all 16384). A slot is "ok" when this
     * node has a link to its head and "pfail" when it has not (Redis's PFAIL is exactly one
     * node's suspicion); "fail" needs the cluster's agreement, which no failure detector gives
     * yet, so it is 0. The state is ok once every configured seed has been met (the ring is
     * complete), fail before. cluster_size counts the nodes that head slots (Redis's masters
     * serving slots). Both epochs are the topology's epoch (see CLUSTER NODES). There is no
     * Redis cluster bus, so its message counters are 0 and, as in Redis, the per-type lines
     * are left out when 0.
     */
    static void info(Request r) {
        ClusterView view = view(r);
        Topology topology = view.topology();
        int ok = 0;
        int pfail = 0;
        int size = 0;
        for (NodeInfo node : topology.nodes()) {
            int owned = topology.placement().headedCount(node.id());
            if (owned > 0) {
                size++;
            }
            if (node.id().equals(topology.selfId()) || view.connected(node.id())) {
                ok += owned;
            } else {
                pfail += owned;
            }
        }
        String text = "cluster_state:" + (topology.complete() ? "ok" : "fail") + "\r\n"
            + "cluster_slots_assigned:" + Slots.COUNT + "\r\n"
            + "cluster_slots_ok:" + ok + "\r\n"
            + "cluster_slots_pfail:" + pfail + "\r\n"
            + "cluster_slots_fail:0\r\n"
            + "cluster_known_nodes:" + topology.nodes().size() + "\r\n"
            + "cluster_size:" + size + "\r\n"
            + "cluster_current_epoch:" + topology.epoch() + "\r\n"
            + "cluster_my_epoch:" + topology.epoch() + "\r\n"
            + "cluster_stats_messages_sent:0\r\n"
            + "cluster_stats_messages_received:0\r\n"
            + "total_cluster_links_buffer_limit_exceeded:0\r\n";
        r.reply().bulk(text);
    }
}
