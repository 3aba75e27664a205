package io.ringkv.server;

import io.ringkv.server.client.ClientRegistry;
import io.ringkv.server.command.CommandTable;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.storage.Engine;
import java.time.Clock;

/**
 * The parts of a running server that commands use, handed to every handler through its request.
 * Built once by {@link RingkvServer}; no static state, so several servers can share one JVM.
 *
 * @param redisVersion the Redis version whose behaviour ringkv reproduces (INFO, HELLO)
 * @param transport the network transport in use ("epoll", "io_uring", "nio")
 * @param tcpPort the port actually bound (differs from the config when it asked for 0)
 * @param cluster the cluster this node is part of, or null when cluster-enabled is no
 */
public record ServerContext(
    ServerConfig config,
    Engine engine,
    Keyspace keyspace,
    ServerStats stats,
    ClientRegistry clients,
    CommandTable commands,
    Clock clock,
    ServerLog log,
    long startMillis,
    String runId,
    String redisVersion,
    String ringkvVersion,
    String transport,
    java.util.concurrent.atomic.AtomicInteger tcpPort,
    io.ringkv.server.cluster.ClusterView cluster) {

    public static final String REDIS_VERSION = "7.2.0";
    public static final String RINGKV_VERSION = "0.1.0";

    public boolean clusterEnabled() {
        return cluster != null;
    }

    public int boundPort() {
        return tcpPort.get();
    }
}
