package io.ringkv.server.command;

import static io.ringkv.server.ServerHarness.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.ringkv.server.ServerContext;
import io.ringkv.server.ServerHarness;
import io.ringkv.server.info.InfoReport;
import io.ringkv.server.resp.RespPipeline;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServerCommandsTest {

    private final ServerHarness h = new ServerHarness();

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    private static String simple(String... lines) {
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            b.append('+').append(line).append("\r\n");
        }
        return b.toString();
    }

    /** The body of a bulk string reply, checking that the length header is right. */
    private static String bulkBody(String reply) {
        int crlf = reply.indexOf("\r\n");
        assertTrue(reply.startsWith("$"), reply);
        int length = Integer.parseInt(reply.substring(1, crlf));
        String body = reply.substring(crlf + 2);
        assertEquals(length + 2, body.length(), "bulk length header");
        assertTrue(body.endsWith("\r\n"));
        return body.substring(0, length);
    }

    private static List<String> sectionTitles(String info) {
        List<String> titles = new ArrayList<>();
        Matcher m = Pattern.compile("^# (\\w+)$", Pattern.MULTILINE).matcher(info.replace("\r\n", "\n"));
        while (m.find()) {
            titles.add(m.group(1));
        }
        return titles;
    }

    private static String field(String info, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":([^\r\n]*)\r\n").matcher(info);
        return m.find() ? m.group(1) : null;
    }

    // ---------------------------------------------------------------- TIME

    @Test
    void timeAnswersSecondsAndMicrosecondsFromTheClock() {
        assertEquals("*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n", h.call("TIME"));
        h.clock.advance(1234);
        assertEquals("*2\r\n$10\r\n1700000001\r\n$6\r\n234000\r\n", h.call("time"));
        assertEquals("-ERR wrong number of arguments for 'time' command\r\n", h.call("TIME", "x"));
    }

    // ---------------------------------------------------------------- INFO

    @Test
    void infoHasRedisLayoutAndDefaultSections() {
        String info = bulkBody(h.call("INFO"));
        assertTrue(info.startsWith("# Server\r\nredis_version:" + ServerContext.REDIS_VERSION + "\r\n"), info);
        assertEquals(List.of("Server", "Clients", "Memory", "Persistence", "Storage", "Stats", "Replication", "CPU", "Modules",
            "Cluster", "Keyspace"), sectionTitles(info));
        // Every line is a section header, a blank separator or name:value; CRLF everywhere.
        for (String line : info.split("\r\n", -1)) {
            assertTrue(line.isEmpty() || line.startsWith("# ") || line.matches("[a-z0-9_]+:[^\r\n]*"), line);
        }
        assertTrue(info.endsWith("\r\n"));
        assertTrue(info.contains("\r\n\r\n# Clients\r\n"));
        assertEquals(-1, info.replace("\r\n", "").indexOf('\n'));
        assertEquals("standalone", field(info, "redis_mode"));
        assertEquals("master", field(info, "role"));
        assertEquals("0", field(info, "cluster_enabled"));
        assertEquals("0", field(info, "loading"));
        assertEquals("0", field(info, "aof_enabled"));
        assertEquals("noeviction", field(info, "maxmemory_policy"));
        assertEquals(h.context.runId(), field(info, "run_id"));
        assertEquals(String.valueOf(ProcessHandle.current().pid()), field(info, "process_id"));
        assertEquals("1700000000000000", field(info, "server_time_usec"));
        assertEquals("1", field(info, "connected_clients"));
        assertTrue(field(info, "used_cpu_user").matches("\\d+\\.\\d{6}"));
        assertTrue(Long.parseLong(field(info, "used_memory")) > 0);
    }

    @Test
    void infoSectionsAreSelectedCaseInsensitively() {
        String server = bulkBody(h.call("INFO", "SERVER"));
        assertEquals(List.of("Server"), sectionTitles(server));
        String two = bulkBody(h.call("info", "keyspace", "Clients"));
        assertEquals(List.of("Clients", "Keyspace"), sectionTitles(two));
        assertTrue(two.endsWith("\r\n\r\n# Keyspace\r\n"), two);
        assertEquals("$0\r\n\r\n", h.call("INFO", "nosuchsection"));
        assertEquals(sectionTitles(bulkBody(h.call("INFO"))), sectionTitles(bulkBody(h.call("INFO", "all"))));
        assertEquals(sectionTitles(bulkBody(h.call("INFO"))), sectionTitles(bulkBody(h.call("INFO", "everything"))));
        assertEquals(List.of("Server", "Keyspace"), sectionTitles(bulkBody(h.call("INFO", "keyspace", "server"))));
        assertEquals("$11\r\n# Modules\r\n\r\n", h.call("INFO", "modules"));
    }

    @Test
    void infoUptimeFollowsTheClock() {
        h.clock.advance(2 * 86_400_000L + 5_000);
        String server = bulkBody(h.call("INFO", "server"));
        assertEquals(String.valueOf(2 * 86_400 + 5), field(server, "uptime_in_seconds"));
        assertEquals("2", field(server, "uptime_in_days"));
    }

    @Test
    void infoKeyspaceListsDb0OnlyWhenItHasKeys() {
        assertEquals("$12\r\n# Keyspace\r\n\r\n", h.call("INFO", "keyspace"));
        byte[] a = "a".getBytes(StandardCharsets.UTF_8);
        byte[] b = "b".getBytes(StandardCharsets.UTF_8);
        h.context.keyspace().locked(a, () -> {
            h.context.keyspace().put(a, Record.persistent(a));
            return null;
        });
        h.context.keyspace().locked(b, () -> {
            h.context.keyspace().put(b, new Record(b, h.clock.millis() + 10_000));
            return null;
        });
        assertEquals(bulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"), h.call("INFO", "keyspace"));
    }

    @Test
    void infoStatsCountsAndResetstatClearsThem() {
        h.call("NOSUCH");
        String stats = bulkBody(h.call("INFO", "stats"));
        assertEquals("2", field(stats, "total_commands_processed"));
        assertEquals("1", field(stats, "total_error_replies"));
        assertEquals("1", field(stats, "total_connections_received"));
        assertEquals("0", field(stats, "expired_keys"));
        assertEquals("+OK\r\n", h.call("CONFIG", "RESETSTAT"));
        stats = bulkBody(h.call("INFO", "stats"));
        assertEquals("1", field(stats, "total_commands_processed"));
        assertEquals("0", field(stats, "total_error_replies"));
    }

    @Test
    void bytesToHumanMatchesRedis() {
        assertEquals("0B", InfoReport.bytesToHuman(0));
        assertEquals("1023B", InfoReport.bytesToHuman(1023));
        assertEquals("1.00K", InfoReport.bytesToHuman(1024));
        assertEquals("1.50M", InfoReport.bytesToHuman(1024 * 1024 * 3 / 2));
        assertEquals("2.00G", InfoReport.bytesToHuman(2L << 30));
        assertEquals("0.000000", InfoReport.seconds(0));
        assertEquals("1.500000", InfoReport.seconds(1_500_000_000L));
    }

    // ---------------------------------------------------------------- CONFIG

    @Test
    void configGetByNameAndPattern() {
        assertEquals("*2\r\n$4\r\nsave\r\n$0\r\n\r\n", h.call("CONFIG", "GET", "save"));
        assertEquals("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", h.call("CONFIG", "GET", "appendonly"));
        assertEquals("*2\r\n$9\r\nMAXMEMORY\r\n$1\r\n0\r\n", h.call("config", "get", "MAXMEMORY"));
        assertEquals("*10\r\n" + bulk("maxclients") + bulk("10000") + bulk("maxmemory") + bulk("0")
            + bulk("maxmemory-policy") + bulk("noeviction") + bulk("max-siblings") + bulk("100")
            + bulk("max-hint-window") + bulk("10800"),
            h.call("CONFIG", "GET", "MAX*"));
        // Each option once, however many parameters match it.
        assertEquals("*6\r\n" + bulk("maxmemory") + bulk("0") + bulk("maxmemory-policy") + bulk("noeviction")
            + bulk("hz") + bulk("10"),
            h.call("CONFIG", "GET", "maxmemory", "maxmem*", "hz", "HZ", "h?"));
        assertEquals("*0\r\n", h.call("CONFIG", "GET", "nosuch"));
        assertEquals("-ERR wrong number of arguments for 'config|get' command\r\n", h.call("CONFIG", "GET"));
    }

    @Test
    void configSetAppliesAndValidatesAllFirst() {
        assertEquals("+OK\r\n", h.call("CONFIG", "SET", "maxmemory", "1mb", "timeout", "30"));
        assertEquals("*2\r\n" + bulk("maxmemory") + bulk("1048576"), h.call("CONFIG", "GET", "maxmemory"));
        assertEquals("*2\r\n" + bulk("timeout") + bulk("30"), h.call("CONFIG", "GET", "timeout"));
        assertEquals("-ERR wrong number of arguments for 'config|set' command\r\n",
            h.call("CONFIG", "SET", "maxmemory", "1", "timeout"));
        assertEquals("-ERR wrong number of arguments for 'config|set' command\r\n",
            h.call("CONFIG", "SET", "maxmemory"));
        assertEquals("-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
            h.call("CONFIG", "SET", "port", "1", "nosuch", "1", "other", "2"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config\r\n",
            h.call("CONFIG", "SET", "timeout", "5", "port", "1"));
        assertEquals("-ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter\r\n",
            h.call("CONFIG", "SET", "maxmemory", "1", "MAXMEMORY", "2"));
        assertTrue(h.call("CONFIG", "SET", "timeout", "7", "maxclients", "notanumber")
            .startsWith("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - "));
        // Nothing applied when any value is bad.
        assertEquals("*2\r\n" + bulk("timeout") + bulk("30"), h.call("CONFIG", "GET", "timeout"));
    }

    @Test
    void configSetLoglevelChangesTheLogThreshold() {
        assertEquals("+OK\r\n", h.call("CONFIG", "SET", "loglevel", "warning"));
        assertEquals("*2\r\n" + bulk("loglevel") + bulk("warning"), h.call("CONFIG", "GET", "loglevel"));
        int before = h.log().length();
        h.context.log().notice("should not appear");
        assertEquals(before, h.log().length());
        h.context.log().warning("should appear");
        assertTrue(h.log().length() > before);
    }

    @Test
    void configHelpRewriteAndUnknownSubcommand() {
        assertEquals("*11\r\n" + simple(
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Print this help."), h.call("config", "help"));
        assertEquals("-ERR The server is running without a config file\r\n", h.call("CONFIG", "REWRITE"));
        assertEquals("-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n", h.call("config", "foo"));
        assertEquals("-ERR wrong number of arguments for 'config' command\r\n", h.call("CONFIG"));
        assertEquals("-ERR wrong number of arguments for 'config|help' command\r\n", h.call("CONFIG", "HELP", "x"));
    }

    // ---------------------------------------------------------------- COMMAND

    private static final String TIME_INFO = "*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n"
        + ":0\r\n:0\r\n:0\r\n*1\r\n+@fast\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n";

    private static final String CONFIG_GET_INFO = "*10\r\n$10\r\nconfig|get\r\n:-3\r\n"
        + "*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n"
        + "*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";

    @Test
    void commandInfoGivesRedis7Entries() {
        assertEquals("*1\r\n" + TIME_INFO, h.call("COMMAND", "INFO", "TIME"));
        assertEquals("*3\r\n" + TIME_INFO + "$-1\r\n" + CONFIG_GET_INFO,
            h.call("COMMAND", "INFO", "time", "nosuch", "config|get"));
        assertEquals("*1\r\n$-1\r\n", h.call("COMMAND", "INFO", "time|x"));
        String config = h.call("COMMAND", "INFO", "config");
        assertTrue(config.startsWith("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n"
            + "*0\r\n*0\r\n*5\r\n" + CONFIG_GET_INFO), config);
        String info = h.call("COMMAND", "INFO", "info");
        assertEquals("*1\r\n*10\r\n$4\r\ninfo\r\n:-1\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n"
            + "*2\r\n+@slow\r\n+@dangerous\r\n*3\r\n$23\r\nnondeterministic_output\r\n"
            + "$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n", info);
    }

    @Test
    void commandAndCommandInfoWithoutNamesListEverything() {
        int count = h.context.commands().all().size();
        assertEquals(":" + count + "\r\n", h.call("COMMAND", "COUNT"));
        String all = h.call("COMMAND");
        assertTrue(all.startsWith("*" + count + "\r\n*10\r\n"), all);
        assertTrue(all.contains(TIME_INFO));
        assertEquals(all, h.call("COMMAND", "INFO"));
    }

    @Test
    void commandDocsGivesTheRedis7Map() {
        String timeDocs = "$4\r\ntime\r\n*8\r\n" + bulk("summary") + bulk("Returns the server time.") + bulk("since")
            + bulk("2.6.0") + bulk("group") + bulk("server") + bulk("complexity") + bulk("O(1)");
        assertEquals("*2\r\n" + timeDocs, h.call("COMMAND", "DOCS", "time"));
        assertEquals("*2\r\n" + timeDocs, h.call("COMMAND", "DOCS", "nosuch", "TIME"));
        assertEquals("*0\r\n", h.call("COMMAND", "DOCS", "nosuch"));
        String helpDocs = "*8\r\n" + bulk("summary") + bulk("Returns helpful text about the different subcommands.")
            + bulk("since") + bulk("5.0.0") + bulk("group") + bulk("server") + bulk("complexity") + bulk("O(1)");
        assertEquals("*2\r\n" + bulk("config|help") + helpDocs, h.call("COMMAND", "DOCS", "config|help"));
        String config = h.call("COMMAND", "DOCS", "config");
        assertTrue(config.startsWith("*2\r\n" + bulk("config") + "*10\r\n" + bulk("summary")
            + bulk("A container for server configuration commands.") + bulk("since") + bulk("2.0.0")
            + bulk("group") + bulk("server") + bulk("complexity") + bulk("Depends on subcommand.")
            + bulk("subcommands") + "*10\r\n" + bulk("config|get")), config);
        assertTrue(config.endsWith(bulk("config|help") + helpDocs), config);
        // All commands: a map with one entry per top-level command (redis-cli reads this at start).
        int count = h.context.commands().all().size();
        assertTrue(h.call("COMMAND", "DOCS").startsWith("*" + 2 * count + "\r\n"));
    }

    @Test
    void commandListWithFilters() {
        String all = h.call("COMMAND", "LIST");
        int names = h.context.commands().allWithSubcommands().size();
        assertTrue(all.startsWith("*" + names + "\r\n"));
        assertTrue(all.contains(bulk("config") + bulk("config|get")), all);
        // Other families declare admin commands too (CLIENT KILL, ...): check the CONFIG ones
        // are listed and that a plain data command is not.
        String admin = h.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN");
        for (String name : new String[] {"config|get", "config|set", "config|resetstat", "config|rewrite"}) {
            assertTrue(admin.contains(bulk(name)), admin);
        }
        assertFalse(admin.contains(bulk("config|help")), admin);
        assertFalse(admin.contains(bulk("get")), admin);
        assertEquals("*0\r\n", h.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "@admin"));
        assertEquals("*0\r\n", h.call("COMMAND", "LIST", "FILTERBY", "MODULE", "json"));
        assertEquals("*3\r\n" + bulk("config|help") + bulk("command|help") + bulk("command|info"),
            h.call("COMMAND", "LIST", "filterby", "pattern", "CO*|[hi]*"));
        assertEquals("-ERR syntax error\r\n", h.call("COMMAND", "LIST", "FILTERBY", "color", "x"));
        assertEquals("-ERR syntax error\r\n", h.call("COMMAND", "LIST", "FILTERBY", "pattern"));
        assertEquals("-ERR syntax error\r\n", h.call("COMMAND", "LIST", "foo"));
    }

    @Test
    void commandHelpAndErrors() {
        String help = h.call("COMMAND", "HELP");
        assertTrue(help.startsWith("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            + "+(no subcommand)\r\n+    Return details about all Redis commands.\r\n"), help);
        assertTrue(help.endsWith("+GETKEYSANDFLAGS <full-command>\r\n"
            + "+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Print this help.\r\n"));
        assertEquals("-ERR unknown subcommand 'nope'. Try COMMAND HELP.\r\n", h.call("command", "nope"));
        assertEquals("-ERR wrong number of arguments for 'command|count' command\r\n",
            h.call("COMMAND", "COUNT", "x"));
        assertEquals("-ERR wrong number of arguments for 'command|getkeys' command\r\n",
            h.call("COMMAND", "GETKEYS"));
    }

    @Test
    void commandGetKeysUsesTheKeyPositions() {
        // The table under test holds only this family's commands (which take no keys), so give
        // GETKEYS a server with two keyed commands declared the way the other families do.
        List<CommandSpec> specs = new ArrayList<>(ServerCommands.specs());
        specs.add(CommandSpec.command("get", 2).flags("readonly", "fast").keys(1, 1, 1)
            .acl("@read", "@string", "@fast").handler(r -> r.reply().nullBulk()));
        specs.add(CommandSpec.command("mset", -3).flags("write", "denyoom").keys(1, -1, 2)
            .acl("@write", "@string", "@slow").handler(r -> r.reply().ok()));
        ServerContext c = h.context;
        ServerContext context = new ServerContext(c.config(), c.engine(), c.keyspace(), c.stats(), c.clients(),
            new CommandTable(specs), c.clock(), c.log(), c.startMillis(), c.runId(), c.redisVersion(),
            c.ringkvVersion(), c.transport(), c.tcpPort(), c.cluster());
        EmbeddedChannel channel = new EmbeddedChannel(new RespPipeline(context));
        assertEquals("*1\r\n$1\r\nk\r\n", h.raw(channel, encode("COMMAND", "GETKEYS", "GET", "k")));
        assertEquals("*2\r\n$1\r\na\r\n$1\r\nb\r\n",
            h.raw(channel, encode("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2")));
        assertEquals("-ERR Invalid number of arguments specified for command\r\n",
            h.raw(channel, encode("COMMAND", "GETKEYS", "get", "a", "b")));
        assertEquals("-ERR The command has no key arguments\r\n",
            h.raw(channel, encode("COMMAND", "GETKEYS", "time")));
        assertEquals("-ERR The command has no key arguments\r\n",
            h.raw(channel, encode("COMMAND", "GETKEYS", "config", "get", "x")));
        assertEquals("-ERR Invalid command specified\r\n", h.raw(channel, encode("COMMAND", "GETKEYS", "nosuch")));
        assertEquals("-ERR Invalid command specified\r\n",
            h.raw(channel, encode("COMMAND", "GETKEYS", "config", "nosuch")));
        // Implicit ACL categories and flag order as Redis prints them.
        assertEquals("*1\r\n*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n"
            + "*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
            h.raw(channel, encode("COMMAND", "INFO", "mset")));
    }

    @Test
    void flagsAreShownInRedisOrderAndSpelling() {
        CommandSpec spec = CommandSpec.command("x", 1).flags("fast", "no-auth", "sentinel", "stale", "loading")
            .handler(r -> { });
        assertEquals(List.of("loading", "stale", "fast", "no_auth"), ServerCommands.visibleFlags(spec));
        assertEquals(List.of("fast"), ServerCommands.categories(spec));
        CommandSpec admin = CommandSpec.command("y", 1).flags("admin", "noscript").handler(r -> { });
        assertEquals(List.of("admin", "slow", "dangerous"), ServerCommands.categories(admin));
    }
}
