package io.ringkv.compat;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.server.RingkvServer;
import io.ringkv.server.ServerLog;
import io.ringkv.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Several cluster nodes in one JVM (no static state: each RingkvServer is built from its own
 * config), talking over real loopback sockets: the data path end to end, and MOVED redirects.
 */
class InJvmClusterTest {

    private final List<RingkvServer> servers = new ArrayList<>();
    private final List<ByteArrayOutputStream> logs = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RingkvServer::close);
    }

    private int[] start(int n, String... extra) throws Exception {
        int[] ports = new int[n];
        int[] cports = new int[n];
        StringBuilder seeds = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ports[i] = RingkvProcess.freePort();
            cports[i] = RingkvProcess.freePort();
            seeds.append(i == 0 ? "" : " ").append("127.0.0.1:").append(ports[i]).append('@').append(cports[i]);
        }
        Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target", "clusters")), "injvm-");
        for (int i = 0; i < n; i++) {
            List<String> args = new ArrayList<>(List.of("--port", Integer.toString(ports[i]), "--bind", "127.0.0.1",
                "--dir", Files.createDirectories(root.resolve("n" + i)).toString(), "--storage", "memory",
                "--cluster-enabled", "yes", "--cluster-seeds", seeds.toString(),
                "--cluster-port", Integer.toString(cports[i])));
            args.addAll(List.of(extra));
            ServerConfig config = ServerConfig.fromArgs(args.toArray(String[]::new));
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            logs.add(log);
            RingkvServer server = new RingkvServer(config, Clock.systemUTC(),
                new ServerLog(new PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), ServerLog.Level.NOTICE));
            servers.add(server);
            server.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> servers.stream()
            .allMatch(s -> s.context().cluster().topology().complete()));
        return ports;
    }

    @Test
    void everyNodeCoordinatesEveryKey() throws Exception {
        int[] ports = start(3);
        try (Jedis a = new Jedis("127.0.0.1", ports[0]); Jedis b = new Jedis("127.0.0.1", ports[1]);
             Jedis c = new Jedis("127.0.0.1", ports[2])) {
            for (int i = 0; i < 200; i++) {
                (i % 2 == 0 ? a : b).set("k" + i, "v" + i);
            }
            for (int i = 0; i < 200; i++) {
                assertEquals("v" + i, c.get("k" + i));
            }
            assertEquals(1L, c.incr("counter"));
            assertEquals(2L, a.incr("counter"));
            assertEquals(List.of("v0", "v1"), b.mget("k0", "k1"));
            assertEquals(2L, c.del("k0", "k1", "nope"));
            assertEquals(0L, a.exists("k0", "k1"));
            assertTrue(a.info("cluster").contains("cluster_known_nodes:3"), a.info("cluster"));
            assertTrue(a.info("server").contains("redis_mode:cluster"));
        }
    }

    @Test
    void withRedirectsAKeyThisNodeDoesNotHoldIsMoved() throws Exception {
        // Three nodes, N=1: each key lives on one node, so two in three keys are elsewhere.
        int[] ports = start(3, "--replication-factor", "1", "--cluster-redirects", "yes");
        try (Jedis a = new Jedis("127.0.0.1", ports[0])) {
            int moved = 0;
            int local = 0;
            for (int i = 0; i < 60; i++) {
                String key = "key" + i;
                try {
                    a.set(key, "x");
                    local++;
                } catch (JedisDataException e) {
                    long slot = a.clusterKeySlot(key);
                    assertTrue(e.getMessage().matches("MOVED " + slot + " 127\\.0\\.0\\.1:\\d+"), e.getMessage());
                    moved++;
                }
            }
            assertTrue(moved > 10 && local > 10, "moved " + moved + ", local " + local);
            // Keyless commands are never redirected.
            assertEquals("PONG", a.ping());
        }
    }
}
