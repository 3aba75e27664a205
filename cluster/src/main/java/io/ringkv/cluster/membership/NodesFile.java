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
 *   myself &lt;40 hex id&gt; &lt;ring status&gt; &lt;ring version&gt;
 *   node &lt;id&gt; &lt;host:port@cport&gt; &lt;weight&gt; &lt;rack&gt; &lt;datacenter&gt; &lt;ring status&gt; &lt;ring version&gt;
 *   departed &lt;id&gt;
 * </pre>
 *
 * The ring status is RingStatus's lower-case name; a file of issue 4 without the two ring
 * fields reads as NORMAL, version 0.
 *
 * Written to a temporary file and renamed over the old one, so a crash leaves one or the other.
 */
public final class NodesFile {

    private final Path file;

    public NodesFile(Path file) {
        this.file = file;
    }

    /** The saved state, or null when there is no file yet. */
    public record State(String selfId, RingStatus selfRing, long selfRingVersion, List<Membership.Entry> entries,
                        List<String> departed) {

        /** The members' addresses and places, without their ring status. */
        public List<NodeInfo> members() {
            return entries.stream().map(Membership.Entry::node).toList();
        }
    }

    public State load() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String selfId = null;
        RingStatus selfRing = RingStatus.NORMAL;
        long selfVersion = 0;
        List<Membership.Entry> members = new ArrayList<>();
        List<String> departed = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            try {
                if (f[0].equals("myself") && (f.length == 2 || f.length == 4)) {
                    selfId = f[1];
                    if (f.length == 4) {
                        selfRing = ring(f[2]);
                        selfVersion = Long.parseLong(f[3]);
                    }
                } else if (f[0].equals("node") && (f.length == 6 || f.length == 8)) {
                    NodeInfo node = new NodeInfo(new Member(f[1], Integer.parseInt(f[3]), f[4], f[5]), NodeAddress.parse(f[2]));
                    members.add(f.length == 6 ? new Membership.Entry(node, RingStatus.NORMAL, 0)
                        : new Membership.Entry(node, ring(f[6]), Long.parseLong(f[7])));
                } else if (f[0].equals("departed") && f.length == 2) {
                    departed.add(f[1]);
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
        return new State(selfId, selfRing, selfVersion, members, departed);
    }

    private static RingStatus ring(String name) {
        return RingStatus.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }

    /** Issue 4's form: every member NORMAL. */
    public void save(String selfId, List<NodeInfo> members) throws IOException {
        save(selfId, RingStatus.NORMAL, 0, members.stream().map(n -> new Membership.Entry(n, RingStatus.NORMAL, 0)).toList(),
            List.of());
    }

    public void save(String selfId, RingStatus selfRing, long selfRingVersion, List<Membership.Entry> members,
                     java.util.Collection<String> departed) throws IOException {
        StringBuilder sb = new StringBuilder("# ringkv cluster state, written by the node: do not edit\n");
        sb.append("myself ").append(selfId).append(' ').append(selfRing.label()).append(' ').append(selfRingVersion)
            .append('\n');
        for (Membership.Entry e : members) {
            NodeInfo m = e.node();
            sb.append("node ").append(m.id()).append(' ').append(m.address()).append(' ').append(m.member().weight())
                .append(' ').append(m.member().rack()).append(' ').append(m.member().datacenter()).append(' ')
                .append(e.ring().label()).append(' ').append(e.ringVersion()).append('\n');
        }
        for (String id : new java.util.TreeSet<>(departed)) {
            sb.append("departed ").append(id).append('\n');
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
