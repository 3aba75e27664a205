package io.ringkv.server.config;

import io.ringkv.server.resp.InlineParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every option the server reads, with Redis's names, units and defaults where Redis has the
 * option. Values are kept as canonical text (what CONFIG GET answers); typed accessors parse
 * them. Reads are lock-free (a concurrent map); CONFIG SET of several options validates all of
 * them before applying any, as Redis 7 does.
 *
 * <p>Started like redis-server: an optional redis.conf-style file, then {@code --name value}
 * overrides, the later winning.
 */
public final class ServerConfig {

    /** One option: its type, default, and whether CONFIG SET may change it while running. */
    public record Option(String name, OptionType type, String defaultValue, boolean mutable, String doc) {
    }

    private static final long MAX_MEMORY = Long.MAX_VALUE;
    private static final Map<String, Option> OPTIONS = declare(
        new Option("bind", new OptionType.Text(), "127.0.0.1 -::1", false,
            "Addresses to listen on, separated by spaces; a leading '-' marks an address that may be missing."),
        new Option("port", new OptionType.Integer(0, 65535), "6379", false, "TCP port for clients."),
        new Option("metrics-port", new OptionType.Integer(0, 65535), "0", false,
            "HTTP port on the bind addresses for Prometheus metrics (GET /metrics) and the probes GET /ready and"
                + " GET /live; 0 disables it."),
        new Option("tcp-backlog", new OptionType.Integer(0, Integer.MAX_VALUE), "511", false, "Listen backlog."),
        new Option("tcp-keepalive", new OptionType.Integer(0, Integer.MAX_VALUE), "300", true,
            "Seconds between TCP keepalive probes to clients (0 disables)."),
        new Option("timeout", new OptionType.Integer(0, Integer.MAX_VALUE), "0", true,
            "Close a client after this many seconds idle (0 disables)."),
        new Option("maxclients", new OptionType.Integer(1, Integer.MAX_VALUE), "10000", true,
            "Maximum number of connected clients."),
        new Option("requirepass", new OptionType.Text(), "", true,
            "Password clients must give with AUTH (empty: no password)."),
        new Option("proto-max-bulk-len", new OptionType.Memory(1024 * 1024, 512L * 1024 * 1024), "536870912", true,
            "Largest bulk string (one argument) a client may send. At most 512mb: the RESP decoder's own limit."),
        new Option("client-query-buffer-limit", new OptionType.Memory(1024 * 1024, MAX_MEMORY), "1073741824", true,
            "Largest request a client may have pending before it is disconnected."),
        new Option("dir", new OptionType.Text(), ".", false, "Working directory for data files."),
        new Option("storage", new OptionType.Choice(List.of("lsm", "memory")), "lsm", false,
            "Storage engine. 'lsm': the durable log-structured engine (commit log, memtable, SSTables) in"
                + " <dir>/ringkv-data. 'memory': a pure in-memory cache; nothing survives a restart."),
        new Option("memtable-size", new OptionType.Memory(64 * 1024, 4L * 1024 * 1024 * 1024), "67108864", false,
            "lsm: a memtable this large is frozen and flushed to an SSTable."),
        new Option("block-cache-size", new OptionType.Memory(0, MAX_MEMORY), "268435456", false,
            "lsm: memory for recently read SSTable blocks (the hot data); 0 disables the cache."),
        new Option("bloom-bits-per-key", new OptionType.Integer(1, 64), "10", false,
            "lsm: bloom filter bits per key in new SSTables (10: about 1% false positives)."),
        new Option("sstable-block-size", new OptionType.Memory(1024, 1024 * 1024), "4096", false,
            "lsm: uncompressed size of an SSTable data block."),
        new Option("sstable-compression", new OptionType.Choice(List.of("lz4", "none")), "lz4", false,
            "lsm: block compression of new SSTables; a block that does not shrink is stored raw."),
        new Option("tombstone-grace", new OptionType.Integer(0, Integer.MAX_VALUE), "864000", false,
            "lsm: seconds a delete's tombstone is kept by compaction (the cluster's anti-entropy needs it)."),
        new Option("compaction-throughput", new OptionType.Memory(0, MAX_MEMORY), "67108864", false,
            "lsm: bytes per second compaction may write (0: unthrottled)."),
        new Option("commit-log-segment-size", new OptionType.Memory(64 * 1024, 1024L * 1024 * 1024), "67108864", false,
            "lsm: size at which a commit log segment file is closed and a new one started."),
        new Option("appendonly", new OptionType.Bool(), "no", false,
            "Redis's AOF switch. Answered for tools that ask; ringkv's durability is the storage engine's."),
        new Option("appendfsync", new OptionType.Choice(List.of("always", "everysec", "no")), "everysec", true,
            "When the commit log is synced to disk: always, everysec or no (Redis's meaning)."),
        new Option("save", new OptionType.Text(), "", true,
            "Redis's RDB snapshot schedule. ringkv takes no snapshots; kept so tools that ask get an answer."),
        new Option("databases", new OptionType.Integer(1, 1), "1", false, "Only database 0 exists."),
        new Option("hz", new OptionType.Integer(1, 500), "10", true,
            "Background task frequency (active expiry, idle-client checks), per second."),
        new Option("io-threads", new OptionType.ThreadCount(128), "auto", false,
            "Event-loop threads serving clients; 'auto' is one per CPU core, at most 8."),
        new Option("io-transport", new OptionType.Choice(List.of("auto", "epoll", "io_uring", "nio")), "auto", false,
            "Network transport: auto picks native epoll, then io_uring, then NIO."),
        new Option("maxmemory", new OptionType.Memory(0, MAX_MEMORY), "0", true,
            "Reported in INFO; eviction is not implemented."),
        new Option("maxmemory-policy", new OptionType.Choice(List.of("noeviction")), "noeviction", true,
            "Only noeviction is supported."),
        new Option("loglevel", new OptionType.Choice(List.of("debug", "verbose", "notice", "warning", "nothing")),
            "notice", true, "Log verbosity."),
        new Option("logfile", new OptionType.Text(), "", false, "Log file; empty logs to standard output."),
        new Option("pidfile", new OptionType.Text(), "", false, "Write the process id here at start."),
        new Option("daemonize", new OptionType.Choice(List.of("no")), "no", false,
            "Only 'no': run under a supervisor instead."),
        new Option("cluster-enabled", new OptionType.Bool(), "no", false,
            "yes: this node is part of a ringkv cluster (ring, replicas, quorums, versions). no: a single"
                + " Redis-like node."),
        new Option("cluster-seeds", new OptionType.Text(), "", false,
            "cluster: other nodes to form the cluster with, as host:port (their client port; cluster port"
                + " port+10000) or host:port@cport, separated by spaces."),
        new Option("cluster-port", new OptionType.Integer(0, 65535), "0", false,
            "cluster: port for traffic between nodes; 0 means port + 10000, as Redis Cluster's bus."),
        new Option("cluster-announce-ip", new OptionType.Text(), "", false,
            "cluster: the address other nodes and clients are told to use; empty: the first bind address."),
        new Option("cluster-config-file", new OptionType.Text(), "nodes.conf", false,
            "cluster: file in dir where the node keeps its id and the members it has met."),
        new Option("cluster-secret", new OptionType.Text(), "", false,
            "cluster: shared secret every node must prove on connect (empty: no check)."),
        new Option("replication-factor", new OptionType.Replication(), "3", false,
            "cluster: N, the number of distinct nodes that hold each key, or a count per datacenter"
                + " like dc1:2,dc2:1 (unlisted datacenters hold no replicas)."),
        new Option("write-quorum", new OptionType.Quorum(), "quorum", true,
            "cluster: W, replicas that must acknowledge a write: a number, one, quorum, all, local_quorum"
                + " or each_quorum."),
        new Option("read-quorum", new OptionType.Quorum(), "quorum", true,
            "cluster: R, replicas that must answer a read: a number, one, quorum, all, local_quorum or"
                + " each_quorum."),
        new Option("vnodes", new OptionType.Integer(1, 4096), "256", false,
            "cluster: ring tokens a weight-1 node places."),
        new Option("weight", new OptionType.Integer(1, 64), "1", false,
            "cluster: this node's share of the ring relative to a weight-1 node (bigger machines)."),
        new Option("rack", new OptionType.Text(), "rack1", false,
            "cluster: this node's rack; replicas of a key go to different racks where possible."),
        new Option("datacenter", new OptionType.Text(), "dc1", false,
            "cluster: this node's datacenter; replicas of a key go to different datacenters where possible."),
        new Option("request-timeout", new OptionType.Integer(1, Integer.MAX_VALUE), "2000", true,
            "cluster: milliseconds a request may wait for its quorum before it fails with UNAVAILABLE."),
        new Option("vclock-max-entries", new OptionType.Integer(1, 4096), "32", true,
            "cluster: clock entries kept per version; older entries beyond it are pruned."),
        new Option("max-siblings", new OptionType.Integer(1, 100000), "100", true,
            "cluster: most concurrent versions kept per key; a warning is logged from a quarter of it."),
        new Option("gossip-interval", new OptionType.Integer(10, 60_000), "1000", false,
            "cluster: milliseconds between gossip rounds (heartbeats and failure detection)."),
        new Option("anti-entropy-interval", new OptionType.Integer(0, 86_400), "60", false,
            "cluster: seconds between anti-entropy passes (Merkle-tree comparison with one peer); 0 disables."),
        new Option("max-hint-window", new OptionType.Integer(0, Integer.MAX_VALUE), "10800", true,
            "cluster: seconds a hint for a replica that missed a write is kept for delivery; 0 keeps no hints."),
        new Option("sloppy-quorum", new OptionType.Bool(), "no", true,
            "cluster: yes lets the next healthy node past the preference list stand in for a down replica"
                + " (its hint counts towards W; reads ask the first N healthy nodes); no keeps strict quorums."),
        new Option("cluster-redirects", new OptionType.Bool(), "no", true,
            "cluster: yes answers MOVED for keys this node holds no replica of (every client must be"
                + " cluster-aware); no coordinates them."));

    private final Map<String, String> values = new ConcurrentHashMap<>();
    /**
     * The numeric options parsed once, when set: the request path reads limits such as
     * proto-max-bulk-len for every argument and must not parse text each time.
     */
    private final Map<String, Long> numbers = new ConcurrentHashMap<>();
    /** Components that act on a runtime change (CONFIG SET appendfsync reaches the engine). */
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();

    public ServerConfig() {
        OPTIONS.values().forEach(o -> store(o.name(), o.defaultValue()));
    }

    private static Map<String, Option> declare(Option... options) {
        Map<String, Option> map = new LinkedHashMap<>();
        for (Option option : options) {
            map.put(option.name(), option);
        }
        return Collections.unmodifiableMap(map);
    }

    public static Map<String, Option> options() {
        return OPTIONS;
    }

    /**
     * Builds a config the way redis-server reads its command line: an optional file first, then
     * {@code --name value...} pairs (a name's values run until the next {@code --}).
     */
    public static ServerConfig fromArgs(String[] args) throws ConfigException {
        ServerConfig config = new ServerConfig();
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("--")) {
            Path file = Path.of(args[0]);
            try {
                config.loadFile(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ConfigException("Fatal error, can't open config file '" + args[0] + "': " + e.getMessage());
            }
            i = 1;
        }
        while (i < args.length) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException("Invalid argument '" + arg + "': expected --name value");
            }
            String name = arg.substring(2);
            List<String> parts = new ArrayList<>();
            i++;
            while (i < args.length && !args[i].startsWith("--")) {
                parts.add(args[i]);
                i++;
            }
            config.applyStartup(name, String.join(" ", parts), "--" + name);
        }
        return config;
    }

    /** Applies a redis.conf-style text: one directive per line, '#' comments, quoted values. */
    public void loadFile(String text) throws ConfigException {
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            byte[][] words = InlineParser.split(line);
            if (words == null || words.length == 0) {
                throw fileError(n + 1, line, "Unbalanced quotes in configuration line");
            }
            List<String> rest = new ArrayList<>();
            for (int w = 1; w < words.length; w++) {
                rest.add(new String(words[w], StandardCharsets.UTF_8));
            }
            try {
                applyStartup(new String(words[0], StandardCharsets.UTF_8), String.join(" ", rest), line);
            } catch (ConfigException e) {
                throw fileError(n + 1, line, e.getMessage());
            }
        }
    }

    private static ConfigException fileError(int lineNumber, String line, String reason) {
        return new ConfigException("\n*** FATAL CONFIG FILE ERROR ***\nReading the configuration file, at line "
            + lineNumber + "\n>>> '" + line + "'\n" + reason);
    }

    private void applyStartup(String rawName, String value, String context) throws ConfigException {
        String name = rawName.toLowerCase(Locale.ROOT);
        Option option = OPTIONS.get(name);
        if (option == null) {
            throw new ConfigException("Bad directive or wrong number of arguments");
        }
        store(name, option.type().normalise(value));
    }

    private void store(String name, String canonical) {
        OptionType type = OPTIONS.get(name).type();
        if (type instanceof OptionType.Integer || type instanceof OptionType.Memory) {
            numbers.put(name, Long.parseLong(canonical));
        }
        values.put(name, canonical);
    }

    /** Calls {@code listener} with the new value whenever CONFIG SET changes {@code name}. */
    public void onChange(String name, Consumer<String> listener) {
        listeners.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** The option, or {@code null} if the server has no option of that name. */
    public Option option(String name) {
        return OPTIONS.get(name.toLowerCase(Locale.ROOT));
    }

    /** The current value of an option the server has; throws for an unknown name. */
    public String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no such option: " + name);
        }
        return value;
    }

    /**
     * CONFIG SET of several options: every pair is checked first and nothing changes unless all
     * are valid. Throws with Redis's error text (without the "ERR " prefix).
     */
    public void setAll(Map<String, String> changes) throws ConfigException {
        Map<String, String> normalised = new LinkedHashMap<>();
        for (Map.Entry<String, String> change : changes.entrySet()) {
            Option option = option(change.getKey());
            if (option == null) {
                throw new ConfigException("Unknown option or number of arguments for CONFIG SET - '"
                    + change.getKey() + "'");
            }
            if (!option.mutable()) {
                throw new ConfigException("CONFIG SET failed (possibly related to argument '" + option.name()
                    + "') - can't set immutable config");
            }
            try {
                normalised.put(option.name(), option.type().normalise(change.getValue()));
            } catch (ConfigException e) {
                throw new ConfigException("CONFIG SET failed (possibly related to argument '" + option.name()
                    + "') - " + e.getMessage());
            }
        }
        normalised.forEach(this::store);
        normalised.forEach((name, value) -> listeners.getOrDefault(name, List.of()).forEach(l -> l.accept(value)));
    }

    public int intValue(String name) {
        return (int) longValue(name);
    }

    public long longValue(String name) {
        Long value = numbers.get(name);
        if (value == null) {
            throw new IllegalArgumentException("not a numeric option: " + name);
        }
        return value;
    }

    public int port() {
        return intValue("port");
    }

    public String requirePass() {
        return get("requirepass");
    }

    public long protoMaxBulkLen() {
        return longValue("proto-max-bulk-len");
    }

    public long clientQueryBufferLimit() {
        return longValue("client-query-buffer-limit");
    }

    public int maxClients() {
        return intValue("maxclients");
    }

    public long timeoutSeconds() {
        return longValue("timeout");
    }

    /**
     * Event-loop threads. Unlike Redis, whose command execution is single-threaded whatever
     * io-threads says, ringkv runs commands on its event loops (keys are guarded by striped locks),
     * so more loops mean more commands in parallel; "auto" uses the machine's cores, up to 8.
     */
    public int ioThreads() {
        String value = get("io-threads");
        return value.equals("auto") ? Math.min(8, Runtime.getRuntime().availableProcessors()) : Integer.parseInt(value);
    }

    public int hz() {
        return intValue("hz");
    }
}
