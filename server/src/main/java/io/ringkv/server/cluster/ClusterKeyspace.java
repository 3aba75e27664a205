package io.ringkv.server.cluster;

import io.ringkv.cluster.coordinator.Consistency;
import io.ringkv.cluster.coordinator.Coordinator;
import io.ringkv.cluster.coordinator.UnavailableException;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.replica.TooManySiblingsException;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.cluster.version.Versioned;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.command.CommandError;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.server.keyspace.KeyLocks;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.server.keyspace.KeyScans;
import io.ringkv.storage.ByteKey;
import io.ringkv.storage.Engine;
import io.ringkv.storage.Record;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Database 0 in a cluster: every read is a quorum read of the key's replicas, every write a
 * quorum write of a new version, through this node's {@link Coordinator}. The command families
 * run unchanged on top; what they see is the winner of each key's siblings (docs/cluster.md).
 *
 * <p>Calls block until the quorum answers or the request times out, so commands that use this
 * keyspace run on virtual threads, never on an event loop (see ClusterCommandExecutor).
 *
 * <p>What the plain commands guarantee here:
 * <ul>
 *   <li>GET: the winner among the versions R replicas hold; with W + R > N it reflects every
 *       write acknowledged before the GET began.
 *   <li>SET, MSET, DEL (and every write): a blind write that supersedes every version this node
 *       has read or holds; acknowledged after W replicas stored it. A failed (UNAVAILABLE) write
 *       may still have reached some replicas.
 *   <li>Read-modify-write commands (INCR, APPEND, SETNX, GETSET, EXPIRE, ...): the read and the
 *       write run under this node's key lock, so they are atomic among the clients of one node.
 *       Two nodes running INCR on one key at once may each write the same result: the two
 *       versions become siblings, GET shows one of them, and an increment is lost. Cluster
 *       clients send a key to the head of its preference list, so they do not race this way.
 *   <li>MSET, DEL and EXISTS of several keys are not atomic across keys: each key is written or
 *       read on its own replicas, in parallel.
 * </ul>
 */
public final class ClusterKeyspace implements Keyspace {

    private final Coordinator coordinator;
    private final ReplicaStore replicas;
    private final ServerConfig config;
    private final Clock clock;
    private final KeyLocks locks = new KeyLocks(4096);
    private final KeyScans scans;
    /** The client whose command this thread runs, for its KV.CONSISTENCY levels. */
    private final ThreadLocal<ClientSession> session = new ThreadLocal<>();

    public ClusterKeyspace(Coordinator coordinator, ReplicaStore replicas, ServerConfig config, Clock clock,
                           RandomGenerator random) {
        this.coordinator = coordinator;
        this.replicas = replicas;
        this.config = config;
        this.clock = clock;
        this.scans = new KeyScans(replicas.engine(), clock, random,
            (record, now) -> ReplicaStore.winner(ReplicaStore.decode(record), now) != null);
    }

    /** Runs {@code action} with {@code client}'s consistency levels in force on this thread. */
    public void runFor(ClientSession client, Runnable action) {
        session.set(client);
        try {
            action.run();
        } finally {
            session.remove();
        }
    }

    public Consistency readLevel() {
        return readLevel(session.get());
    }

    public Consistency writeLevel() {
        return writeLevel(session.get());
    }

    /** {@code client}'s read level (KV.CONSISTENCY), else read-quorum. */
    public Consistency readLevel(ClientSession client) {
        Consistency c = client == null ? null : client.readConsistency();
        return c != null ? c : parsed("read-quorum");
    }

    public Consistency writeLevel(ClientSession client) {
        Consistency c = client == null ? null : client.writeConsistency();
        return c != null ? c : parsed("write-quorum");
    }

    /*
     * The config holds the canonical text; parsing it on every request would be a waste on the
     * hot path, so the last parse is kept with its text and redone only when the text changed.
     */
    private record ParsedLevel(String text, Consistency level) {
    }

    private volatile ParsedLevel lastRead = new ParsedLevel("", null);
    private volatile ParsedLevel lastWrite = new ParsedLevel("", null);

    private Consistency parsed(String option) {
        boolean read = option.equals("read-quorum");
        String text = config.get(option);
        ParsedLevel cached = read ? lastRead : lastWrite;
        if (cached.text().equals(text)) {
            return cached.level();
        }
        ParsedLevel fresh = new ParsedLevel(text, Consistency.parse(text));
        if (read) {
            lastRead = fresh;
        } else {
            lastWrite = fresh;
        }
        return fresh.level();
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    public long timeoutMillis() {
        return config.longValue("request-timeout");
    }

    // ---- versioned operations (KV.*) ---------------------------------------------------------

    public Coordinator.ReadResult readVersions(byte[] key, Consistency level) {
        return await(coordinator.read(key, level, timeoutMillis()));
    }

    /** Every replica's versions of {@code key}, failures included (KV.INFO). */
    public Coordinator.ReadResult inspect(byte[] key) {
        return await(coordinator.inspect(key, timeoutMillis()));
    }

    public Siblings<StoredValue> writeVersion(byte[] key, VectorClock context, boolean blind, StoredValue value,
                                              Consistency level) {
        return await(coordinator.write(key, context, blind, value, level, timeoutMillis()));
    }

    /**
     * Waits for a quorum future. The coordinator fails every request by its deadline; the extra
     * second here only guards against a bug there turning into a hung client.
     */
    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeoutMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnavailableException u) {
                throw new CommandError("UNAVAILABLE " + u.getMessage());
            }
            if (cause instanceof TooManySiblingsException t) {
                throw new CommandError("ERR " + t.getMessage());
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new CommandError("UNAVAILABLE the request did not complete within request-timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandError("UNAVAILABLE interrupted");
        }
    }

    private Record live(byte[] key, Siblings<StoredValue> versions) {
        long now = clock.millis();
        Versioned<StoredValue> w = ReplicaStore.winner(versions, now);
        if (w == null) {
            expireLocally(replicas, key, versions, now);
            return null;
        }
        return w.value().toRecord();
    }

    /**
     * Lazy expiry: a read that found a key whose winner has expired removes this node's record
     * of it if every version has expired (what Redis does to an expired key it meets), so DBSIZE
     * and SCAN here stop counting it at once. Other replicas expire it on their own cycle.
     */
    public static void expireLocally(ReplicaStore replicas, byte[] key, Siblings<StoredValue> versions, long now) {
        for (Versioned<StoredValue> v : versions.versions()) {
            if (!v.value().isTombstone()) {
                replicas.expire(io.ringkv.cluster.ring.Slots.slot(key), key, now);
                return;
            }
        }
    }

    // ---- Keyspace ----------------------------------------------------------------------------

    @Override
    public long now() {
        return clock.millis();
    }

    @Override
    public <T> T locked(byte[] key, Supplier<T> action) {
        return locks.withLock(key, action);
    }

    @Override
    public <T> T locked(byte[][] keys, Supplier<T> action) {
        return locks.withLocks(keys, action);
    }

    @Override
    public Record get(byte[] key) {
        return live(key, readVersions(key, readLevel()).merged());
    }

    @Override
    public Record[] getAll(byte[][] keys, int from, int step) {
        int n = Math.max(0, (keys.length - from + step - 1) / step);
        Consistency level = readLevel();
        List<CompletableFuture<Coordinator.ReadResult>> reads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reads.add(coordinator.read(keys[from + i * step], level, timeoutMillis()));
        }
        Record[] out = new Record[n];
        for (int i = 0; i < n; i++) {
            out[i] = live(keys[from + i * step], await(reads.get(i)).merged());
        }
        return out;
    }

    @Override
    public void put(byte[] key, Record record) {
        writeVersion(key, VectorClock.empty(), true, StoredValue.of(record), writeLevel());
    }

    @Override
    public void putAll(byte[][] keys, Record[] records) {
        // A repeated key ends with its last record, as MSET's sequential writes would leave it;
        // writing both in parallel could apply them in either order.
        Map<ByteKey, Record> last = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) {
            last.put(new ByteKey(keys[i]), records[i]);
        }
        Consistency level = writeLevel();
        List<CompletableFuture<Siblings<StoredValue>>> writes = new ArrayList<>(last.size());
        last.forEach((k, r) -> writes.add(
            coordinator.write(k.bytes(), VectorClock.empty(), true, StoredValue.of(r), level, timeoutMillis())));
        RuntimeException first = null;
        for (CompletableFuture<Siblings<StoredValue>> w : writes) {
            try {
                await(w);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void store(byte[] key, Record record) {
        put(key, record);
    }

    @Override
    public Record remove(byte[] key) {
        Record previous = get(key);
        if (previous != null) {
            writeVersion(key, VectorClock.empty(), true, StoredValue.TOMBSTONE, writeLevel());
        }
        return previous;
    }

    @Override
    public long removeAll(byte[][] keys) {
        Map<ByteKey, Boolean> distinct = new LinkedHashMap<>();
        for (byte[] k : keys) {
            distinct.put(new ByteKey(k), Boolean.TRUE);
        }
        byte[][] unique = distinct.keySet().stream().map(k -> k.bytes()).toArray(byte[][]::new);
        Record[] current = getAll(unique, 0, 1);
        Consistency level = writeLevel();
        List<CompletableFuture<Siblings<StoredValue>>> deletes = new ArrayList<>();
        for (int i = 0; i < unique.length; i++) {
            if (current[i] != null) {
                deletes.add(coordinator.write(unique[i], VectorClock.empty(), true, StoredValue.TOMBSTONE, level,
                    timeoutMillis()));
            }
        }
        for (CompletableFuture<Siblings<StoredValue>> d : deletes) {
            await(d);
        }
        return deletes.size();
    }

    /**
     * FLUSHALL and FLUSHDB delete every key on every node, and need every node to answer:
     * clearing only some would be undone by read repair from the others.
     */
    @Override
    public void clear() {
        await(coordinator.flushAll(timeoutMillis()));
    }

    /** Keys this node holds a replica of: every record but deleted ones (node-local, as Redis Cluster's DBSIZE). */
    @Override
    public long size() {
        return replicas.keyCount();
    }

    @Override
    public long volatileCount() {
        return replicas.volatileCount();
    }

    @Override
    public long expiredKeys() {
        return replicas.expiredRecords();
    }

    @Override
    public long approximateBytes() {
        return replicas.engine().approximateBytes();
    }

    /**
     * Active expiry in a cluster: each replica removes, on its own, the records whose every
     * version is an expired value (an expired version reads as missing everywhere already, since
     * its expiry is an absolute time). See ReplicaStore.expireCycle.
     */
    @Override
    public int activeExpireCycle(long budgetMillis) {
        return replicas.expireCycle(200, clock.millis());
    }

    /** SCAN, KEYS and RANDOMKEY see the keys this node holds replicas of, as Redis Cluster's node-local scans. */
    @Override
    public ScanPage scan(long cursor, long count, byte[] pattern, String typeFilter) {
        return scans.scan(cursor, count, pattern, typeFilter);
    }

    @Override
    public List<byte[]> keys(byte[] pattern) {
        return scans.keys(pattern);
    }

    @Override
    public byte[] randomKey() {
        return scans.randomKey();
    }

    public ReplicaStore replicas() {
        return replicas;
    }

    public Engine engine() {
        return replicas.engine();
    }

}
