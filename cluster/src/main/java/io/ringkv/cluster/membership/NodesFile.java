package io.ringkv.cluster.membership;

import io.ringkv.cluster.ring.Member;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The node's cluster state on disk (cluster-config-file, "nodes.conf" in dir, as Redis Cluster
 * names it): this node's id, which fixes its ring tokens and must survive restarts, and the
 * members it has met, so that a restarted node knows the whole ring even while a seed is down.
 * Text, one entry a line:
 *
 * <pre>
 *   myself &lt;40 hex id&gt;
 *   node &lt;id&gt; &lt;host:port@cport&gt; &lt;weight&gt; &lt;rack&gt; &lt;datacenter&gt;
 * </pre>
 *
 * Written to a temporary file and renamed over the old one, so a crash leaves one or the other.
 */
public final class NodesFile {

    private final Path file;

    public NodesFile(Path file) {
        this.file = file;
    }

    /** The saved state, or null when there is no file yet. */
    public record State(String selfId, List<NodeInfo> members) {
    }

    public State load() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String selfId = null;
        List<NodeInfo> members = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            try {
                if (f[0].equals("myself") && f.length == 2) {
                    selfId = f[1];
                } else if (f[0].equals("node") && f.length == 6) {
                    members.add(new NodeInfo(new Member(f[1], Integer.parseInt(f[3]), f[4], f[5]), NodeAddress.parse(f[2])));
                } else {
                    throw new IllegalArgumentException("unknown entry");
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " line " + n + ": " + e.getMessage() + ": '" + t + "'");
            }
        }
        if (selfId == null) {
            throw new IOException(file + " has no 'myself' line");
        }
        return new State(selfId, members);
    }

    public void save(String selfId, List<NodeInfo> members) throws IOException {
        StringBuilder sb = new StringBuilder("# ringkv cluster state, written by the node: do not edit\n");
        sb.append("myself ").append(selfId).append('\n');
        for (NodeInfo m : members) {
            sb.append("node ").append(m.id()).append(' ').append(m.address()).append(' ').append(m.member().weight())
                .append(' ').append(m.member().rack()).append(' ').append(m.member().datacenter()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Synced before and after the rename, so that a crash leaves the old file or the new
        // one, never an empty one.
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename is then as durable as they make it.
        }
    }

    /** A new random node id: 40 hex characters, like Redis Cluster's. */
    public static String newId(SecureRandom random) {
        byte[] b = new byte[20];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
