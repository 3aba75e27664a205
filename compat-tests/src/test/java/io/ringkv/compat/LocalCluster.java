package io.ringkv.compat;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import redis.clients.jedis.Jedis;

/**
 * A cluster of real ringkv processes on loopback for a test: N nodes on free ports, each with
 * its own data directory and cluster port, all given every node as a seed. A node can be killed
 * (SIGKILL), stopped and restarted on the same port and data, as bin/ringkv-cluster does.
 *
 * <pre>
 * try (LocalCluster cluster = LocalCluster.start(3, "--replication-factor", "3")) {
 *     ... new Jedis("127.0.0.1", cluster.port(0)) ...
 * }
 * </pre>
 */
public final class LocalCluster implements AutoCloseable {

    private final int[] ports;
    private final int[] clusterPorts;
    private final Path[] dirs;
    private final RingkvProcess[] nodes;
    private final String[] options;
    /** Options for one node only (its datacenter, say), after the shared ones. */
    private final IntFunction<String[]> nodeOptions;
    /** Per node: options set later for it alone ({@link #nodeOptions(int, String...)}), after those. */
    private final String[][] laterOptions;
    /** Nodes 0..founders-1 found the cluster and are its seeds; the others join it when started. */
    private final int founders;

    private LocalCluster(int n, IntFunction<String[]> nodeOptions, String[] options) throws IOException {
        this(n, n, nodeOptions, options);
    }

    private LocalCluster(int n, int founders, IntFunction<String[]> nodeOptions, String[] options) throws IOException {
        this.ports = new int[n];
        this.clusterPorts = new int[n];
        this.dirs = new Path[n];
        this.nodes = new RingkvProcess[n];
        this.options = options;
        this.nodeOptions = nodeOptions;
        this.laterOptions = new String[n][];
        this.founders = founders;
        Path base = Files.createDirectories(Path.of("target", "clusters"));
        Path root = Files.createTempDirectory(base, "cluster-");
        for (int i = 0; i < n; i++) {
            ports[i] = RingkvProcess.freePort();
            clusterPorts[i] = RingkvProcess.freePort();
            dirs[i] = root.resolve("node-" + i);
        }
    }

    /** Starts {@code n} nodes and waits until every one knows the whole cluster. */
    public static LocalCluster start(int n, String... options) throws IOException {
        return start(n, i -> new String[0], options);
    }

    /**
     * Starts {@code n} nodes, node {@code i} with {@code options} and then {@code nodeOptions(i)}
     * (e.g. its {@code --datacenter}), and waits until every one knows the whole cluster.
     */
    public static LocalCluster start(int n, IntFunction<String[]> nodeOptions, String... options) throws IOException {
        return startFounders(new LocalCluster(n, nodeOptions, options), n);
    }

    /** Starts nodes 0..count-1 and waits until each knows the whole cluster; closes it on failure. */
    private static LocalCluster startFounders(LocalCluster cluster, int count) throws IOException {
        try {
            for (int i = 0; i < count; i++) {
                cluster.startNode(i);
            }
            cluster.awaitComplete();
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * Starts {@code founders} nodes that form the cluster, with room for {@code spares} more:
     * {@link #startNode} on a spare starts a node whose seeds are the founders, so it joins
     * the running cluster (docs/elasticity.md).
     */
    public static LocalCluster startWithSpares(int founders, int spares, String... options) throws IOException {
        return startFounders(new LocalCluster(founders + spares, founders, i -> new String[0], options), founders);
    }

    /** Options for node {@code i} alone, used from its next start on. */
    public void nodeOptions(int i, String... extra) {
        laterOptions[i] = extra;
    }

    private String seeds() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < founders; i++) {
            sb.append(i == 0 ? "" : " ").append("127.0.0.1:").append(ports[i]).append('@').append(clusterPorts[i]);
        }
        return sb.toString();
    }

    /** Starts node {@code i} (again) on its port and data; waits until it serves. */
    public void startNode(int i) throws IOException {
        List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-seeds", seeds(),
            "--cluster-port", Integer.toString(clusterPorts[i])));
        args.addAll(Arrays.asList(options));
        args.addAll(Arrays.asList(nodeOptions.apply(i)));
        if (laterOptions[i] != null) {
            args.addAll(Arrays.asList(laterOptions[i]));
        }
        nodes[i] = RingkvProcess.start(ports[i], dirs[i], args.toArray(String[]::new));
    }

    /**
     * Starts several nodes (again) at once and waits until each serves: a start is mostly a JVM
     * coming up, so on a busy machine a few in parallel take little longer than one.
     */
    public void startNodes(int... which) throws IOException {
        List<java.util.concurrent.CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i : which) {
            starts.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    startNode(i);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, runnable -> Thread.ofPlatform().name("start-node-" + i).start(runnable)));
        }
        for (java.util.concurrent.CompletableFuture<Void> start : starts) {
            try {
                start.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException io) {
                    throw io.getCause();
                }
                throw e;
            }
        }
    }

    /** Waits until every running node answers cluster_state:ok. */
    public void awaitComplete() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (int i = 0; i < nodes.length; i++) {
                if (running(i) && !clusterOk(i)) {
                    return false;
                }
            }
            return true;
        });
    }

    private boolean clusterOk(int i) {
        try (Jedis jedis = new Jedis("127.0.0.1", ports[i])) {
            return jedis.clusterInfo().contains("cluster_state:ok");
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A field of INFO cluster on the node at {@code port} (cluster_ring_status, say), or "" when
     * the node does not answer or has no such field.
     */
    public static String clusterInfo(int port, String field) {
        try (Jedis jedis = new Jedis("127.0.0.1", port, 10_000)) {
            for (String line : jedis.info("cluster").split("\r\n")) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1);
                }
            }
            return "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    public int size() {
        return nodes.length;
    }

    public int port(int i) {
        return ports[i];
    }

    /** Node {@code i}'s cluster bus port (a free port, not port + 10000). */
    public int clusterPort(int i) {
        return clusterPorts[i];
    }

    /** Node {@code i}'s directory (--dir): its nodes.conf and its ringkv-data. */
    public Path dir(int i) {
        return dirs[i];
    }

    public RingkvProcess node(int i) {
        return nodes[i];
    }

    public boolean running(int i) {
        return nodes[i] != null && nodes[i].process().isAlive();
    }

    /** SIGKILL of node {@code i}: no shutdown, nothing flushed. */
    public void kill9(int i) throws InterruptedException {
        nodes[i].kill9();
    }

    /** SIGSTOP / SIGCONT of node {@code i}: it stops answering without closing its sockets. */
    public void pause(int i) throws IOException, InterruptedException {
        signal(i, "STOP");
    }

    public void resume(int i) throws IOException, InterruptedException {
        signal(i, "CONT");
    }

    private void signal(int i, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(nodes[i].process().pid())).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " failed");
        }
    }

    /** The logs of every node, for failure messages. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                sb.append("---- node ").append(i).append(" (port ").append(ports[i]).append(")\n").append(nodes[i].log());
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (RingkvProcess node : nodes) {
            if (node != null) {
                if (!node.process().isAlive()) {
                    continue;
                }
                // A paused node cannot act on SIGTERM until it is continued.
                try {
                    new ProcessBuilder("kill", "-CONT", Long.toString(node.process().pid())).start().waitFor();
                } catch (IOException | InterruptedException e) {
                    // SIGKILL below still ends it.
                }
                node.close();
            }
        }
    }
}
