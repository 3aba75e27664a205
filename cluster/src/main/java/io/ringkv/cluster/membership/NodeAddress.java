package io.ringkv.cluster.membership;

import java.util.Objects;

/**
 * Where a node is reached: its client (RESP) port and its cluster port, on one host. Written
 * "host:port@cport" as in Redis Cluster's CLUSTER NODES; "host:port" alone means the cluster
 * port is port + 10000, Redis Cluster's bus offset.
 */
public record NodeAddress(String host, int port, int clusterPort) {

    /** The offset of the cluster port over the client port when none is given. */
    public static final int CLUSTER_PORT_OFFSET = 10000;

    public NodeAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        checkPort(port, "port");
        checkPort(clusterPort, "cluster port");
    }

    private static void checkPort(int p, String what) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(what + " out of range 1..65535: " + p);
        }
    }

    /** Parses "host:port" or "host:port@cport" (an IPv6 host in brackets: "[::1]:7000"). */
    public static NodeAddress parse(String text) {
        String t = text.trim();
        int at = t.indexOf('@');
        String hostPort = at < 0 ? t : t.substring(0, at);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port[@cport], got '" + text + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            int cport = at < 0 ? port + CLUSTER_PORT_OFFSET : Integer.parseInt(t.substring(at + 1));
            return new NodeAddress(host, port, cport);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port[@cport], got '" + text + "'");
        }
    }

    /** Same host (as written) and client port: the same node, whatever its cluster port. */
    public boolean sameClientAddress(NodeAddress other) {
        return host.equals(other.host) && port == other.port;
    }

    /** "host:port@cport", as CLUSTER NODES writes an address. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return h + ":" + port + "@" + clusterPort;
    }
}
