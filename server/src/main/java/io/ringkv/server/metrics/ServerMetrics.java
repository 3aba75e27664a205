package io.ringkv.server.metrics;

import io.ringkv.server.ServerContext;
import io.ringkv.server.ServerStats;
import io.ringkv.server.info.JvmMetrics;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.storage.lsm.LsmEngine;
import io.ringkv.storage.lsm.LsmStats;

/**
 * The node's own load as metrics (docs/metrics.md): the counters behind INFO stats and clients,
 * the keyspace's size, the heap, and the storage engine's state. Values come from where INFO
 * reads them (ServerStats, the keyspace, JvmMetrics, LsmEngine.stats()), so the two always agree.
 */
public final class ServerMetrics implements MetricsSource {

    private final ServerContext server;
    private final JvmMetrics jvm;

    public ServerMetrics(ServerContext server, JvmMetrics jvm) {
        this.server = server;
        this.jvm = jvm;
    }

    @Override
    public void collect(MetricsCollector out) {
        out.gauge("ringkv_info", "Always 1; the labels describe this server.", 1,
            "version", server.ringkvVersion(), "redis_version", server.redisVersion(),
            "mode", server.clusterEnabled() ? "cluster" : "standalone", "storage", server.config().get("storage"),
            "transport", server.transport());
        out.gauge("ringkv_uptime_seconds", "Seconds since the server started.",
            Math.max(0, (server.clock().millis() - server.startMillis()) / 1000));
        clients(out);
        stats(out);
        keyspace(out);
        memory(out);
        if (server.engine() instanceof LsmEngine lsm) {
            storage(lsm.stats(), out);
        }
    }

    private void clients(MetricsCollector out) {
        out.gauge("ringkv_connected_clients", "Client connections open now.", server.clients().count())
            .gauge("ringkv_max_clients", "The maxclients limit: connections past it are refused.",
                server.config().maxClients());
    }

    /* CONFIG RESETSTAT zeroes these, as it does INFO's: Prometheus's rate() reads that as a counter reset. */
    private void stats(MetricsCollector out) {
        ServerStats stats = server.stats();
        out.counter("ringkv_commands_processed_total", "Commands executed (INFO total_commands_processed).",
                stats.commandsProcessed.sum())
            .gauge("ringkv_instantaneous_ops_per_sec",
                "Commands per second over the last server cron period (INFO instantaneous_ops_per_sec).",
                stats.instantaneousOpsPerSec())
            .counter("ringkv_connections_received_total", "Client connections accepted, refused ones included.",
                stats.connectionsReceived.sum())
            .counter("ringkv_rejected_connections_total", "Client connections refused because of maxclients.",
                stats.rejectedConnections.sum())
            .counter("ringkv_net_input_bytes_total", "Bytes read from clients.", stats.netInputBytes.sum())
            .counter("ringkv_net_output_bytes_total", "Bytes written to clients.", stats.netOutputBytes.sum())
            .counter("ringkv_error_replies_total", "Error replies sent to clients.", stats.errorReplies.sum())
            .counter("ringkv_keyspace_hits_total", "Key lookups that found the key.", stats.keyspaceHits.sum())
            .counter("ringkv_keyspace_misses_total", "Key lookups that did not find the key.",
                stats.keyspaceMisses.sum());
    }

    private void keyspace(MetricsCollector out) {
        Keyspace keyspace = server.keyspace();
        out.gauge("ringkv_keys", "Keys held by this node (DBSIZE; in a cluster, the keys of its replicas).",
                keyspace.size())
            .gauge("ringkv_expiring_keys", "Keys with a TTL (INFO keyspace expires).", keyspace.volatileCount())
            .counter("ringkv_expired_keys_total", "Keys deleted because their TTL passed.", keyspace.expiredKeys())
            .gauge("ringkv_dataset_bytes", "Approximate bytes of keys and values held (INFO used_memory_dataset).",
                keyspace.approximateBytes());
    }

    private void memory(MetricsCollector out) {
        out.gauge("ringkv_used_memory_bytes", "JVM heap in use (INFO used_memory).", jvm.heapUsedBytes());
        long max = jvm.heapMaxBytes();
        if (max >= 0) {
            out.gauge("ringkv_heap_max_bytes", "The most heap the JVM may use (-Xmx).", max);
        }
        /*
         * The process's total, not INFO's used_cpu_user/used_cpu_sys: those sum the live threads,
         * so they drop when a thread ends, and a counter must never go down between restarts.
         */
        long cpu = jvm.processCpuNanos();
        if (cpu >= 0) {
            out.counter("ringkv_cpu_seconds_total", "CPU time used by the server process, user and system.", cpu / 1e9);
        }
    }

    private static void storage(LsmStats s, MetricsCollector out) {
        out.gauge("ringkv_storage_memtable_bytes", "Bytes held in memtables, the active one and those being flushed.",
                s.memtableBytes())
            .gauge("ringkv_storage_memtables_flushing", "Frozen memtables waiting for or in a flush.",
                s.frozenMemtables())
            .gauge("ringkv_storage_sstables", "SSTable files.", s.tables())
            .gauge("ringkv_storage_sstable_bytes", "Bytes of SSTable files on disk.", s.tableBytes())
            .gauge("ringkv_storage_commit_log_bytes", "Bytes of commit log segments on disk.", s.logBytes())
            .gauge("ringkv_storage_pending_compaction_bytes",
                "Bytes of SSTables the next compaction would rewrite; 0 when none is due.", s.pendingCompactionBytes())
            .counter("ringkv_storage_flushes_total", "Memtables flushed to SSTables.", s.flushes())
            .counter("ringkv_storage_compactions_total", "Compactions completed.", s.compactions())
            .counter("ringkv_storage_compacted_bytes_total", "Bytes written by compactions.", s.compactedBytes())
            .counter("ringkv_storage_block_cache_hits_total", "SSTable block reads served from the block cache.",
                s.cacheHits())
            .counter("ringkv_storage_block_cache_misses_total", "SSTable block reads that went to the file.",
                s.cacheMisses());
    }
}
