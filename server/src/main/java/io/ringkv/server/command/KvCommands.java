package io.ringkv.server.command;

import static io.ringkv.server.command.CommandSpec.command;

import io.ringkv.cluster.coordinator.Consistency;
import io.ringkv.cluster.coordinator.Coordinator;
import io.ringkv.cluster.membership.NodeInfo;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.ring.Slots;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.server.cluster.ClusterKeyspace;
import io.ringkv.server.resp.Reply;
import io.ringkv.storage.Record;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The extended commands for sibling-aware clients, in the Redis module naming style (KV.*), so
 * they can never collide with a Redis command. docs/cluster.md "Extended commands" documents the
 * reply shapes.
 *
 * <p>The causal context a client gets from KV.GET and hands back to KV.PUT/KV.DEL is the merge of
 * the key's version vectors, as base64url text without padding: opaque to the client, and safe
 * through every client's string codec (Lettuce's StringCodec would mangle raw bytes).
 */
final class KvCommands {

    static final String DISABLED = "ERR This instance has cluster support disabled";
    private static final String BAD_CONTEXT = "ERR invalid CONTEXT: pass back the context KV.GET returned";

    private KvCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(
            command("kv.get", -2).flags("readonly").keys(1, 1, 1).acl("@read", "@string", "@slow").group("string")
                .summary("Returns every sibling of a key with its causal context (ringkv).").handler(KvCommands::get),
            command("kv.put", -3).flags("write", "denyoom").keys(1, 1, 1).acl("@write", "@string", "@slow")
                .group("string").summary("Writes a value over the versions a causal context covers (ringkv).")
                .handler(KvCommands::put),
            command("kv.del", -2).flags("write").keys(1, 1, 1).acl("@write", "@keyspace", "@slow").group("generic")
                .summary("Deletes the versions a causal context covers, with a versioned tombstone (ringkv).")
                .handler(KvCommands::del),
            command("kv.consistency", -1).flags("fast").acl("@connection", "@fast").group("connection")
                .summary("Sets or shows this connection's read and write consistency levels (ringkv).")
                .handler(KvCommands::consistency),
            command("kv.debug", 2).flags("admin", "noscript").acl("@admin", "@slow", "@dangerous").group("server")
                .summary("Fault injection for tests: ISOLATE cuts this node off from the others, REJOIN ends it (ringkv).")
                .handler(KvCommands::debug),
            command("kv.info", 2).flags("readonly").keys(1, 1, 1).acl("@read", "@keyspace", "@slow").group("generic")
                .summary("Shows a key's slot, preference list and each replica's versions (ringkv).")
                .handler(KvCommands::info));
    }

    private static ClusterKeyspace cluster(Request r) {
        if (r.server().keyspace() instanceof ClusterKeyspace k) {
            return k;
        }
        throw new CommandError(DISABLED);
    }

    /**
     * Options after the key and value: consistency ("R lvl", "W lvl", or ONE, QUORUM, ALL,
     * LOCAL_QUORUM, EACH_QUORUM alone), CONTEXT, RETURNBODY.
     */
    private static final class Options {
        Consistency level;
        VectorClock context;
        boolean returnBody;
    }

    private static Options options(Request r, int from, String levelWord, boolean writes) {
        Options o = new Options();
        for (int i = from; i < r.argc(); i++) {
            String word = r.keyword(i);
            if (word.equals(levelWord) && i + 1 < r.argc()) {
                o.level = level(r.string(++i));
            } else if (word.equals("one") || word.equals("quorum") || word.equals("all")
                    || word.equals("local_quorum") || word.equals("each_quorum")) {
                o.level = level(word);
            } else if (writes && word.equals("context") && i + 1 < r.argc()) {
                o.context = decodeContext(r.arg(++i));
            } else if (writes && word.equals("returnbody")) {
                o.returnBody = true;
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        return o;
    }

    private static Consistency level(String text) {
        try {
            return Consistency.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandError("ERR " + e.getMessage());
        }
    }

    static String encodeContext(VectorClock context) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(context.toBytes());
    }

    private static VectorClock decodeContext(byte[] text) {
        try {
            return VectorClock.fromBytes(Base64.getUrlDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new CommandError(BAD_CONTEXT);
        }
    }

    /**
     * KV.GET's reply: [context, [[value, last-modified ms], ...]]. Tombstones and expired
     * versions are not listed (a deleted key has no siblings), but the context covers them, so
     * a write with it supersedes the delete as well.
     */
    private static void replyVersions(Reply reply, Siblings<StoredValue> versions, long now) {
        List<Versioned<StoredValue>> live = new ArrayList<>();
        for (Versioned<StoredValue> v : versions.versions()) {
            if (v.value().isLiveAt(now)) {
                live.add(v);
            }
        }
        live.sort((a, b) -> Long.compare(a.timestampMicros(), b.timestampMicros()));
        reply.arrayHeader(2);
        reply.bulk(encodeContext(versions.context()));
        reply.arrayHeader(live.size());
        for (Versioned<StoredValue> v : live) {
            reply.arrayHeader(2);
            reply.bulk(v.value().value());
            reply.integer(v.timestampMicros() / 1000);
        }
    }

    private static void get(Request r) {
        ClusterKeyspace keyspace = cluster(r);
        Options o = options(r, 2, "r", false);
        Coordinator.ReadResult result = keyspace.readVersions(r.arg(1), o.level != null ? o.level : keyspace.readLevel());
        replyVersions(r.reply(), result.merged(), keyspace.now());
    }

    private static void put(Request r) {
        ClusterKeyspace keyspace = cluster(r);
        Options o = options(r, 3, "w", true);
        write(r, keyspace, o, new StoredValue(r.arg(2), Record.NO_EXPIRY));
    }

    private static void del(Request r) {
        ClusterKeyspace keyspace = cluster(r);
        Options o = options(r, 2, "w", true);
        if (o.returnBody) {
            throw new CommandError(Errors.SYNTAX);
        }
        write(r, keyspace, o, StoredValue.TOMBSTONE);
    }

    /**
     * With CONTEXT the write supersedes exactly what the context covers (how a client resolves
     * siblings); without, it is a blind write, like SET and DEL.
     */
    private static void write(Request r, ClusterKeyspace keyspace, Options o, StoredValue value) {
        boolean blind = o.context == null;
        Siblings<StoredValue> after = keyspace.writeVersion(r.arg(1), blind ? VectorClock.empty() : o.context, blind,
            value, o.level != null ? o.level : keyspace.writeLevel());
        if (o.returnBody) {
            replyVersions(r.reply(), after, keyspace.now());
        } else {
            r.reply().ok();
        }
    }

    /**
     * KV.DEBUG ISOLATE | REJOIN: a partition for fault tests on real processes. ISOLATE makes
     * this node drop all traffic with the other nodes (both ways) until REJOIN; its clients are
     * still served. Not for production use: it exists because tests need partitions and this
     * machine has no network namespaces to make them.
     */
    private static void debug(Request r) {
        cluster(r);
        if (!(r.server().cluster() instanceof io.ringkv.server.cluster.ClusterNode node)) {
            throw new CommandError(DISABLED);
        }
        switch (r.keyword(1)) {
            case "isolate" -> node.isolate(true);
            case "rejoin" -> node.isolate(false);
            default -> throw new CommandError("ERR unknown KV.DEBUG subcommand '" + r.string(1) + "': ISOLATE or REJOIN");
        }
        r.reply().ok();
    }

    /** KV.CONSISTENCY [READ lvl] [WRITE lvl]: sets; with no argument shows [read, lvl, write, lvl]. */
    private static void consistency(Request r) {
        ClusterKeyspace keyspace = cluster(r);
        if (r.argc() == 1) {
            Reply reply = r.reply();
            reply.arrayHeader(4);
            reply.bulk("read");
            reply.bulk(keyspace.readLevel().toString());
            reply.bulk("write");
            reply.bulk(keyspace.writeLevel().toString());
            return;
        }
        Consistency read = null;
        Consistency write = null;
        for (int i = 1; i < r.argc(); i++) {
            String word = r.keyword(i);
            if (word.equals("read") && i + 1 < r.argc()) {
                read = level(r.string(++i));
            } else if (word.equals("write") && i + 1 < r.argc()) {
                write = level(r.string(++i));
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        if (read != null) {
            r.session().readConsistency(read);
        }
        if (write != null) {
            r.session().writeConsistency(write);
        }
        r.reply().ok();
    }

    /**
     * KV.INFO key: ["slot", n, "preference-list", [[id, "host:port"], ...], "context", ctx,
     * "replicas", [[id, "ok", [[dot, timestamp, kind, value length], ...]] or [id, "error",
     * reason], ...]]. Asks every replica and waits for each (or its timeout); a replica that fails
     * is shown with its error rather than failing the command.
     */
    private static void info(Request r) {
        ClusterKeyspace keyspace = cluster(r);
        byte[] key = r.arg(1);
        int slot = Slots.slot(key);
        List<NodeInfo> preference = r.server().cluster().topology().replicas(slot);
        Coordinator.ReadResult result = keyspace.inspect(key);
        Reply reply = r.reply();
        reply.arrayHeader(8);
        reply.bulk("slot");
        reply.integer(slot);
        reply.bulk("preference-list");
        reply.arrayHeader(preference.size());
        for (NodeInfo n : preference) {
            reply.arrayHeader(2);
            reply.bulk(n.id());
            reply.bulk(n.address().host() + ":" + n.address().port());
        }
        reply.bulk("context");
        reply.bulk(result == null ? "" : encodeContext(result.merged().context()));
        reply.bulk("replicas");
        List<Coordinator.ReplicaReply> replies = result == null ? List.of() : result.replies();
        reply.arrayHeader(replies.size());
        long now = keyspace.now();
        for (Coordinator.ReplicaReply rr : replies) {
            reply.arrayHeader(3);
            reply.bulk(rr.node().id());
            if (!rr.ok()) {
                reply.bulk("error");
                reply.bulk(rr.failure());
                continue;
            }
            reply.bulk("ok");
            reply.arrayHeader(rr.versions().size());
            for (Versioned<StoredValue> v : rr.versions().versions()) {
                reply.arrayHeader(4);
                reply.bulk(v.dot().toString());
                reply.integer(v.timestampMicros() / 1000);
                reply.bulk(v.value().isTombstone() ? "tombstone" : v.value().isLiveAt(now) ? "value" : "expired");
                reply.integer(v.value().isTombstone() ? 0 : v.value().value().length);
            }
        }
    }
}
