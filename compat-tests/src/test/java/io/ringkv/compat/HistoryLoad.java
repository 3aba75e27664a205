package io.ringkv.compat;

import io.ringkv.compat.history.History;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The load of the cluster's fault tests: concurrent clients that write unique values to a few
 * keys and read them, each through one node, moving to the next node when theirs is
 * unreachable, every invocation and outcome recorded in a {@link History} for the checker. An
 * error reply or a connection lost after sending makes a write indeterminate (it may have been
 * applied somewhere).
 */
final class HistoryLoad implements AutoCloseable {

    final History history = new History();
    final AtomicInteger unavailable = new AtomicInteger();
    /** Requests refused by a node that has left the ring (the client then moves on). */
    final AtomicInteger leftNodeRefusals = new AtomicInteger();
    final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong counter = new AtomicLong();
    private final List<Thread> clients = new ArrayList<>();
    private final LocalCluster cluster;
    private final int keys;

    HistoryLoad(LocalCluster cluster, int clientCount, int keys) {
        this.cluster = cluster;
        this.keys = keys;
        for (int c = 0; c < clientCount; c++) {
            String name = "c" + c;
            int firstNode = c % cluster.size();
            clients.add(Thread.ofPlatform().name(name).start(() -> run(name, firstNode)));
        }
    }

    /** Waits until {@code more} further operations have been invoked (phases by work, not time). */
    void awaitMoreOperations(int more) {
        int target = history.size() + more;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
            .pollInterval(java.time.Duration.ofMillis(20)).until(() -> history.size() >= target);
    }

    /** Stops the clients and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : clients) {
            t.join(30_000);
        }
    }

    private void run(String name, int firstNode) {
        int node = firstNode;
        Jedis jedis = null;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get()) {
            if (jedis == null) {
                try {
                    jedis = new Jedis("127.0.0.1", cluster.port(node), 5000);
                    jedis.ping();
                } catch (JedisConnectionException e) {
                    jedis = null;
                    node = (node + 1) % cluster.size();
                    continue;
                }
            }
            String key = "key" + random.nextInt(keys);
            boolean write = random.nextBoolean();
            String value = name + "-" + counter.incrementAndGet();
            long id = write ? history.invokeWrite(name, key, value) : history.invokeRead(name, key);
            try {
                if (write) {
                    jedis.set(key, value);
                    history.ok(id);
                } else {
                    history.okRead(id, jedis.get(key));
                }
            } catch (JedisConnectionException e) {
                history.indeterminate(id);
                jedis.close();
                jedis = null;
                node = (node + 1) % cluster.size();
            } catch (JedisDataException e) {
                history.indeterminate(id);
                if (e.getMessage().contains("has left the cluster")) {
                    // A decommissioned node refuses everything: go to another, as a client
                    // behind a load balancer would once the node is gone.
                    leftNodeRefusals.incrementAndGet();
                    jedis.close();
                    jedis = null;
                    node = (node + 1) % cluster.size();
                } else if (e.getMessage().startsWith("UNAVAILABLE")) {
                    unavailable.incrementAndGet();
                } else {
                    unexpected.add(e.getMessage());
                }
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    /** Every key's value as a read at ALL through node {@code via} sees it. */
    Map<String, String> finalValues(int via) {
        Map<String, String> finals = new HashMap<>();
        try (Jedis jedis = new Jedis("127.0.0.1", cluster.port(via), 5000)) {
            jedis.sendCommand(() -> "KV.CONSISTENCY".getBytes(), "READ", "ALL");
            for (int k = 0; k < keys; k++) {
                String v = jedis.get("key" + k);
                if (v != null) {
                    finals.put("key" + k, v);
                }
            }
        }
        return finals;
    }
}
