package io.ringkv.server.info;

import io.ringkv.server.ServerContext;
import io.ringkv.server.ServerStats;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.storage.lsm.LsmEngine;
import io.ringkv.storage.lsm.LsmStats;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The text of INFO, section by section, in Redis 7's order and field names.
 *
 * <p>Only fields ringkv can fill with a true value appear. Redis fields that describe machinery
 * ringkv does not have are either left out (allocator statistics, fork copy-on-write sizes,
 * per-command statistics) or, where their value is a plain fact about ringkv and tools commonly
 * read them, printed with that fact: {@code loading:0} (ringkv never loads a dataset),
 * {@code aof_enabled:0} (there is no AOF), {@code role:master} with no replicas (Redis-style
 * replication does not exist; ringkv's replication is the cluster's and has its own INFO).
 *
 * <p>Sections are chosen as Redis's genInfoSectionDict does: no argument means "default"; names
 * are case-insensitive; "all" and "everything" select every section; an unknown name selects
 * nothing, so a request naming only unknown sections gets an empty string.
 */
public final class ServerInfo {

    /** Redis's default sections, in output order (module_list prints as "# Modules"). */
    private static final List<String> ORDER = List.of(
        "server", "clients", "memory", "persistence", "storage", "stats", "replication", "cpu", "module_list", "cluster",
        "keyspace");

    /*
     * Replication ids are 40 hex characters in Redis. ringkv has no Redis-style replication
     * stream, so there is no second id; Redis prints this all-zero id when it has none.
     */
    private static final String NO_REPLID = "0".repeat(40);

    private final ServerContext server;
    private final JvmMetrics jvm;

    public ServerInfo(ServerContext server, JvmMetrics jvm) {
        this.server = server;
        this.jvm = jvm;
    }

    /** The INFO text for the given section arguments (empty: the default sections). */
    public String generate(List<String> sectionArgs) {
        Set<String> wanted = select(sectionArgs);
        InfoReport report = new InfoReport();
        for (String section : ORDER) {
            if (wanted.contains(section)) {
                switch (section) {
                    case "server" -> server(report);
                    case "clients" -> clients(report);
                    case "memory" -> memory(report);
                    case "persistence" -> persistence(report);
                    case "storage" -> storage(report);
                    case "stats" -> stats(report);
                    case "replication" -> replication(report);
                    case "cpu" -> cpu(report);
                    case "module_list" -> report.section("Modules");
                    case "cluster" -> cluster(report);
                    case "keyspace" -> keyspace(report);
                    default -> throw new IllegalStateException(section);
                }
            }
        }
        return report.render();
    }

    static Set<String> select(List<String> args) {
        Set<String> wanted = new HashSet<>();
        if (args.isEmpty()) {
            wanted.addAll(ORDER);
            return wanted;
        }
        for (String arg : args) {
            String name = arg.toLowerCase(Locale.ROOT);
            switch (name) {
                case "all", "everything", "default" -> wanted.addAll(ORDER);
                case "modules" -> wanted.add("module_list");
                default -> wanted.add(name);
            }
        }
        return wanted;
    }

    private void server(InfoReport r) {
        ServerConfig config = server.config();
        Instant now = server.clock().instant();
        long uptimeSeconds = Math.max(0, (now.toEpochMilli() - server.startMillis()) / 1000);
        r.section("Server")
            .field("redis_version", server.redisVersion())
            .field("ringkv_version", server.ringkvVersion())
            .field("redis_mode", server.clusterEnabled() ? "cluster" : "standalone")
            .field("os", jvm.os())
            .field("arch_bits", jvm.archBits())
            // Redis names its event-loop backend here (epoll, kqueue, ...); ours is Netty's.
            .field("multiplexing_api", server.transport())
            .field("process_id", jvm.pid())
            .field("run_id", server.runId())
            .field("tcp_port", server.boundPort())
            .field("server_time_usec", now.getEpochSecond() * 1_000_000L + now.getNano() / 1000)
            .field("uptime_in_seconds", uptimeSeconds)
            .field("uptime_in_days", uptimeSeconds / 86_400)
            .field("hz", config.hz())
            // Redis's dynamic-hz may raise hz above the configured value; ringkv's is fixed.
            .field("configured_hz", config.hz());
        jvm.executable().ifPresent(path -> r.field("executable", path));
        // Several event-loop threads serve clients when io-threads > 1: Redis's threaded I/O.
        r.field("io_threads_active", config.ioThreads() > 1 ? 1 : 0);
        StringBuilder listener = new StringBuilder("name=tcp");
        for (String address : config.get("bind").trim().split("\\s+")) {
            if (!address.isEmpty()) {
                listener.append(",bind=").append(address);
            }
        }
        listener.append(",port=").append(server.boundPort());
        r.field("listener0", listener.toString());
    }

    private void clients(InfoReport r) {
        r.section("Clients")
            .field("connected_clients", server.clients().count())
            // No cluster bus links, no blocking commands, no client tracking, no timeouts
            // pending in this issue: these are counts of things that cannot exist yet.
            .field("cluster_connections", server.clusterEnabled() ? server.cluster().connectedPeers() : 0)
            .field("maxclients", server.config().maxClients())
            .field("blocked_clients", 0)
            .field("tracking_clients", 0)
            .field("clients_in_timeout_table", 0)
            .field("total_blocking_keys", 0)
            .field("total_blocking_keys_on_nokey", 0);
    }

    private void memory(InfoReport r) {
        long used = jvm.heapUsedBytes();
        long system = jvm.totalSystemMemoryBytes();
        long maxmemory = server.config().longValue("maxmemory");
        r.section("Memory")
            .field("used_memory", used)
            .field("used_memory_human", InfoReport.bytesToHuman(used))
            .field("used_memory_dataset", server.keyspace().approximateBytes());
        if (system >= 0) {
            r.field("total_system_memory", system)
                .field("total_system_memory_human", InfoReport.bytesToHuman(system));
        }
        r.field("maxmemory", maxmemory)
            .field("maxmemory_human", InfoReport.bytesToHuman(maxmemory))
            .field("maxmemory_policy", server.config().get("maxmemory-policy"));
    }

    private void persistence(InfoReport r) {
        // ringkv takes no RDB snapshots and writes no AOF: nothing is ever in progress, and
        // Redis reports the server's start as the last save time when it never saved.
        r.section("Persistence")
            .field("loading", 0)
            .field("async_loading", 0)
            .field("rdb_changes_since_last_save", 0)
            .field("rdb_bgsave_in_progress", 0)
            .field("rdb_last_save_time", server.startMillis() / 1000)
            .field("rdb_last_bgsave_status", "ok")
            .field("rdb_saves", 0)
            .field("aof_enabled", 0)
            .field("aof_rewrite_in_progress", 0)
            .field("aof_rewrite_scheduled", 0)
            .field("aof_last_bgrewrite_status", "ok")
            .field("aof_rewrites", 0)
            .field("aof_last_write_status", "ok");
    }

    /**
     * ringkv's own section: the storage engine's state. Redis has no such section; clients read
     * INFO as named sections of name:value lines, so an extra one is ignored by those that do
     * not know it.
     */
    private void storage(InfoReport r) {
        r.section("Storage").field("storage_engine", server.config().get("storage"));
        if (server.engine() instanceof LsmEngine lsm) {
            LsmStats s = lsm.stats();
            r.field("storage_dir", server.config().get("dir"))
                .field("appendfsync", server.config().get("appendfsync"))
                .field("memtable_bytes", s.memtableBytes())
                .field("memtables_flushing", s.frozenMemtables())
                .field("sstables", s.tables())
                .field("sstable_bytes", s.tableBytes())
                .field("commit_log_bytes", s.logBytes())
                .field("flushes", s.flushes())
                .field("compactions", s.compactions())
                .field("compacted_bytes", s.compactedBytes())
                .field("pending_compaction_bytes", s.pendingCompactionBytes())
                .field("block_cache_hits", s.cacheHits())
                .field("block_cache_misses", s.cacheMisses())
                .field("last_sequence", s.sequence());
        }
    }

    private void stats(InfoReport r) {
        ServerStats stats = server.stats();
        Keyspace keyspace = server.keyspace();
        r.section("Stats")
            .field("total_connections_received", stats.connectionsReceived.sum())
            .field("total_commands_processed", stats.commandsProcessed.sum())
            .field("instantaneous_ops_per_sec", stats.instantaneousOpsPerSec())
            .field("total_net_input_bytes", stats.netInputBytes.sum())
            .field("total_net_output_bytes", stats.netOutputBytes.sum())
            .field("rejected_connections", stats.rejectedConnections.sum())
            .field("expired_keys", keyspace.expiredKeys())
            // maxmemory-policy can only be noeviction: nothing is ever evicted.
            .field("evicted_keys", 0)
            .field("keyspace_hits", stats.keyspaceHits.sum())
            .field("keyspace_misses", stats.keyspaceMisses.sum())
            .field("total_error_replies", stats.errorReplies.sum());
    }

    private void replication(InfoReport r) {
        r.section("Replication")
            .field("role", "master")
            .field("connected_slaves", 0)
            .field("master_failover_state", "no-failover")
            // The run id stands in for the replication id: both are the 40-hex identity of this
            // server's lifetime, and there is no replication stream whose history could differ.
            .field("master_replid", server.runId())
            .field("master_replid2", NO_REPLID)
            .field("master_repl_offset", 0)
            .field("second_repl_offset", -1)
            .field("repl_backlog_active", 0)
            .field("repl_backlog_first_byte_offset", 0)
            .field("repl_backlog_histlen", 0);
    }

    private void cpu(InfoReport r) {
        r.section("CPU");
        long sys = jvm.systemCpuNanos();
        long user = jvm.userCpuNanos();
        if (sys >= 0 && user >= 0) {
            r.field("used_cpu_sys", InfoReport.seconds(sys))
                .field("used_cpu_user", InfoReport.seconds(user));
        }
        // ringkv never forks.
        r.field("used_cpu_sys_children", InfoReport.seconds(0))
            .field("used_cpu_user_children", InfoReport.seconds(0));
    }

    private void cluster(InfoReport r) {
        r.section("Cluster").field("cluster_enabled", server.clusterEnabled() ? 1 : 0);
        if (server.cluster() instanceof io.ringkv.server.cluster.ClusterNode node) {
            // ringkv's own: the cluster as this node sees it, and what its coordinator did.
            var topology = node.topology();
            r.field("cluster_state", topology.complete() ? "ok" : "fail")
                .field("cluster_known_nodes", topology.nodes().size())
                .field("cluster_replication_factor", topology.effectiveReplicas())
                .field("cluster_read_repairs", node.coordinator().readRepairs())
                .field("cluster_speculative_reads", node.coordinator().speculativeReads())
                .field("cluster_unavailable_errors", node.coordinator().unavailableErrors())
                .field("cluster_sibling_warnings", node.replicas().siblingWarnings());
            var statuses = node.memberStatusCounts();
            r.field("cluster_nodes_suspected", statuses.getOrDefault(io.ringkv.cluster.gossip.MemberStatus.SUSPECT, 0))
                .field("cluster_nodes_down", statuses.getOrDefault(io.ringkv.cluster.gossip.MemberStatus.DOWN, 0));
            var ae = node.antiEntropy();
            r.field("cluster_antientropy_rounds", ae.rounds())
                .field("cluster_antientropy_bytes", ae.bytes())
                .field("cluster_antientropy_keys_repaired", ae.keysRepaired());
            io.ringkv.server.cluster.RingChanges changes = node.ringChanges();
            io.ringkv.cluster.stream.StreamCopier copier = changes.copier();
            r.field("cluster_ring_status", node.ringStatus().label())
                .field("cluster_ring_changing", topology.changing() ? 1 : 0)
                .field("cluster_stream_in_progress", changes.streaming() ? 1 : 0)
                .field("cluster_stream_slots_done", copier.slotsDone())
                .field("cluster_stream_slots_left", copier.slotsLeft())
                .field("cluster_stream_bytes_done", copier.bytesDone())
                .field("cluster_stream_bytes_left", copier.bytesLeft())
                .field("cluster_stream_keys_total", copier.keysStreamed())
                .field("cluster_stream_bytes_total", copier.bytesStreamed());
            r.field("cluster_hints_pending", node.hintsPending())
                .field("cluster_hints_replayed", node.hintsReplayed())
                .field("cluster_hints_dropped", node.hintsDropped());
            var t = node.transportStats();
            if (t != null) {
                r.field("cluster_requests_sent", t.requestsSent())
                    .field("cluster_requests_received", t.requestsReceived())
                    .field("cluster_bytes_sent", t.bytesSent())
                    .field("cluster_bytes_received", t.bytesReceived())
                    .field("cluster_request_timeouts", t.timeouts());
            }
        }
    }

    private void keyspace(InfoReport r) {
        r.section("Keyspace");
        Keyspace keyspace = server.keyspace();
        long keys = keyspace.size();
        if (keys > 0) {
            // avg_ttl: Redis's is a running estimate it reports as 0 until it has one; ringkv
            // keeps no estimate.
            r.field("db0", "keys=" + keys + ",expires=" + keyspace.volatileCount() + ",avg_ttl=0");
        }
    }
}
