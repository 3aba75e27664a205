package io.ringkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.ringkv.server.ServerHarness;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Wire tests: the bytes Redis 7.2 answers for CLIENT and its subcommands. */
class ClientCommandsTest {

    /** Redis 7.2's CLIENT LIST line for an idle embedded-channel client, with a trailing newline. */
    private static String line(long id, String name, long age, long idle, String flags, String cmd, String libName,
                               String libVer) {
        return "id=" + id + " addr=embedded:0 laddr=embedded:0 fd=-1 name=" + name + " age=" + age + " idle=" + idle
            + " flags=" + flags + " db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0"
            + " rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=" + cmd + " user=default redir=-1 resp=2"
            + " lib-name=" + libName + " lib-ver=" + libVer + "\n";
    }

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    @Test
    void id() {
        ServerHarness h = new ServerHarness();
        assertEquals(":1\r\n", h.call("CLIENT", "ID"));
        assertEquals(":1\r\n", h.call("client", "id"));
        assertEquals(":2\r\n", h.callOn(h.newConnection(), "CLIENT", "ID"));
        assertEquals("-ERR wrong number of arguments for 'client|id' command\r\n", h.call("CLIENT", "ID", "x"));
    }

    @Test
    void containerErrors() {
        ServerHarness h = new ServerHarness();
        assertEquals("-ERR wrong number of arguments for 'client' command\r\n", h.call("CLIENT"));
        assertEquals("-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n", h.call("CLIENT", "nosuch"));
        // Lettuce 7 sends this after its handshake and ignores a failure (RedisHandshake
        // .enableMaintNotifications only logs it); Redis 7.2 does not know the subcommand.
        assertEquals("-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n",
            h.call("CLIENT", "MAINT_NOTIFICATIONS", "on", "moving-endpoint-type", "none"));
    }

    @Test
    void setnameAndGetname() {
        ServerHarness h = new ServerHarness();
        assertEquals("$-1\r\n", h.call("CLIENT", "GETNAME"));
        assertEquals("+OK\r\n", h.call("CLIENT", "SETNAME", "worker-1"));
        assertEquals("$8\r\nworker-1\r\n", h.call("CLIENT", "GETNAME"));
        String invalid = "-ERR Client names cannot contain spaces, newlines or special characters.\r\n";
        assertEquals(invalid, h.call("CLIENT", "SETNAME", "a b"));
        assertEquals(invalid, h.call("CLIENT", "SETNAME", "a\nb"));
        assertEquals(invalid, h.call("CLIENT", "SETNAME", "caf\u00e9"));
        assertEquals("$8\r\nworker-1\r\n", h.call("CLIENT", "GETNAME"));
        // The empty name removes the name.
        assertEquals("+OK\r\n", h.call("CLIENT", "SETNAME", ""));
        assertEquals("$-1\r\n", h.call("CLIENT", "GETNAME"));
        assertEquals("-ERR wrong number of arguments for 'client|setname' command\r\n", h.call("CLIENT", "SETNAME"));
        assertEquals("-ERR wrong number of arguments for 'client|getname' command\r\n",
            h.call("CLIENT", "GETNAME", "x"));
    }

    @Test
    void setinfo() {
        ServerHarness h = new ServerHarness();
        assertEquals("+OK\r\n", h.call("CLIENT", "SETINFO", "LIB-NAME", "lettuce"));
        assertEquals("+OK\r\n", h.call("CLIENT", "setinfo", "lib-ver", "7.0.0"));
        assertEquals(bulk(line(1, "", 0, 0, "N", "client|info", "lettuce", "7.0.0")), h.call("CLIENT", "INFO"));
        assertEquals("-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n",
            h.call("CLIENT", "SETINFO", "LIB-NAME", "my lib"));
        assertEquals("-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n",
            h.call("CLIENT", "SETINFO", "lib-ver", "1\n2"));
        assertEquals("-ERR Unrecognized option 'lib-foo'\r\n", h.call("CLIENT", "SETINFO", "lib-foo", "x"));
        assertEquals("-ERR wrong number of arguments for 'client|setinfo' command\r\n",
            h.call("CLIENT", "SETINFO", "lib-name"));
        // An empty value clears the attribute.
        assertEquals("+OK\r\n", h.call("CLIENT", "SETINFO", "lib-ver", ""));
        assertEquals(bulk(line(1, "", 0, 0, "N", "client|info", "lettuce", "")), h.call("CLIENT", "INFO"));
    }

    @Test
    void listShowsEveryClientInIdOrder() {
        ServerHarness h = new ServerHarness();
        EmbeddedChannel second = h.newConnection();
        h.clock.advance(3_000);
        assertEquals("+OK\r\n", h.callOn(second, "CLIENT", "SETNAME", "two"));
        h.clock.advance(2_000);
        assertEquals(bulk(line(1, "", 5, 0, "N", "client|list", "", "")
            + line(2, "two", 5, 2, "N", "client|setname", "", "")), h.call("CLIENT", "LIST"));
        assertEquals(bulk(line(1, "", 5, 0, "N", "client|list", "", "")
            + line(2, "two", 5, 2, "N", "client|setname", "", "")), h.call("CLIENT", "LIST", "TYPE", "normal"));
    }

    @Test
    void listFilters() {
        ServerHarness h = new ServerHarness();
        h.newConnection();
        assertEquals("$0\r\n\r\n", h.call("CLIENT", "LIST", "TYPE", "master"));
        assertEquals("$0\r\n\r\n", h.call("CLIENT", "LIST", "TYPE", "replica"));
        assertEquals("$0\r\n\r\n", h.call("CLIENT", "LIST", "TYPE", "slave"));
        assertEquals("$0\r\n\r\n", h.call("CLIENT", "LIST", "TYPE", "pubsub"));
        assertEquals("-ERR Unknown client type 'bogus'\r\n", h.call("CLIENT", "LIST", "TYPE", "bogus"));
        assertEquals(bulk(line(2, "", 0, 0, "N", "NULL", "", "")), h.call("CLIENT", "LIST", "ID", "2"));
        assertEquals(bulk(line(2, "", 0, 0, "N", "NULL", "", "") + line(1, "", 0, 0, "N", "client|list", "", "")),
            h.call("CLIENT", "LIST", "ID", "2", "99", "1"));
        assertEquals("$0\r\n\r\n", h.call("CLIENT", "LIST", "ID", "99"));
        assertEquals("-ERR Invalid client ID\r\n", h.call("CLIENT", "LIST", "ID", "1", "x"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "LIST", "TYPE"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "LIST", "ID"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "LIST", "foo", "bar"));
    }

    @Test
    void info() {
        ServerHarness h = new ServerHarness();
        assertEquals(bulk(line(1, "", 0, 0, "N", "client|info", "", "")), h.call("CLIENT", "INFO"));
        assertEquals("-ERR wrong number of arguments for 'client|info' command\r\n", h.call("CLIENT", "INFO", "x"));
    }

    @Test
    void killById() {
        ServerHarness h = new ServerHarness();
        EmbeddedChannel second = h.newConnection();
        assertEquals(":1\r\n", h.call("CLIENT", "KILL", "ID", "2"));
        assertFalse(second.isOpen());
        assertTrue(h.isOpen());
        assertEquals(bulk(line(1, "", 0, 0, "N", "client|list", "", "")), h.call("CLIENT", "LIST"));
        assertEquals(":0\r\n", h.call("CLIENT", "KILL", "ID", "2"));
        // The caller is skipped unless SKIPME NO.
        assertEquals(":0\r\n", h.call("CLIENT", "KILL", "ID", "1"));
        assertTrue(h.isOpen());
        assertEquals(":1\r\n", h.call("CLIENT", "KILL", "ID", "1", "SKIPME", "no"));
        assertFalse(h.isOpen());
    }

    @Test
    void killFilters() {
        ServerHarness h = new ServerHarness();
        EmbeddedChannel second = h.newConnection();
        EmbeddedChannel third = h.newConnection();
        assertEquals(":0\r\n", h.call("CLIENT", "KILL", "TYPE", "master"));
        assertEquals(":0\r\n", h.call("CLIENT", "KILL", "ADDR", "10.0.0.1:1234"));
        assertEquals(":0\r\n", h.call("CLIENT", "KILL", "LADDR", "10.0.0.1:6379"));
        assertEquals(":1\r\n", h.call("CLIENT", "KILL", "USER", "default", "ID", "3"));
        assertFalse(third.isOpen());
        assertEquals(":1\r\n", h.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"));
        assertFalse(second.isOpen());
        assertTrue(h.isOpen());
    }

    @Test
    void killErrors() {
        ServerHarness h = new ServerHarness();
        String badId = "-ERR client-id should be greater than 0\r\n";
        assertEquals(badId, h.call("CLIENT", "KILL", "ID", "0"));
        assertEquals(badId, h.call("CLIENT", "KILL", "ID", "-5"));
        assertEquals(badId, h.call("CLIENT", "KILL", "ID", "abc"));
        assertEquals("-ERR Unknown client type 'bogus'\r\n", h.call("CLIENT", "KILL", "TYPE", "bogus"));
        assertEquals("-ERR No such user 'bob'\r\n", h.call("CLIENT", "KILL", "USER", "bob"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "KILL", "SKIPME", "maybe"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "KILL", "ID", "1", "SKIPME"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "KILL", "FOO", "bar"));
        assertEquals("-ERR wrong number of arguments for 'client|kill' command\r\n", h.call("CLIENT", "KILL"));
        assertEquals("-ERR No such client\r\n", h.call("CLIENT", "KILL", "10.0.0.1:1234"));
        assertTrue(h.isOpen());
    }

    @Test
    void killOldFormMayKillTheCaller() {
        ServerHarness h = new ServerHarness();
        EmbeddedChannel second = h.newConnection();
        // Embedded channels all share the address "embedded:0": the old form matches both.
        assertEquals("+OK\r\n", h.call("CLIENT", "KILL", "embedded:0"));
        assertFalse(second.isOpen());
        assertFalse(h.isOpen());
    }

    @Test
    void noEvictAndNoTouch() {
        ServerHarness h = new ServerHarness();
        assertEquals("+OK\r\n", h.call("CLIENT", "NO-EVICT", "on"));
        assertEquals("+OK\r\n", h.call("CLIENT", "NO-TOUCH", "ON"));
        assertEquals(bulk(line(1, "", 0, 0, "eT", "client|info", "", "")), h.call("CLIENT", "INFO"));
        assertEquals("+OK\r\n", h.call("CLIENT", "NO-EVICT", "off"));
        assertEquals(bulk(line(1, "", 0, 0, "T", "client|info", "", "")), h.call("CLIENT", "INFO"));
        assertEquals("+OK\r\n", h.call("CLIENT", "NO-TOUCH", "off"));
        assertEquals(bulk(line(1, "", 0, 0, "N", "client|info", "", "")), h.call("CLIENT", "INFO"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "NO-EVICT", "maybe"));
        assertEquals("-ERR syntax error\r\n", h.call("CLIENT", "NO-TOUCH", "maybe"));
        assertEquals("-ERR wrong number of arguments for 'client|no-evict' command\r\n",
            h.call("CLIENT", "NO-EVICT"));
    }

    @Test
    void help() {
        ServerHarness h = new ServerHarness();
        String help = h.call("CLIENT", "HELP");
        assertTrue(help.startsWith("*56\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
            + "+CACHING (YES|NO)\r\n"), help);
        assertTrue(help.endsWith("+HELP\r\n+    Print this help.\r\n"), help);
        assertEquals("-ERR wrong number of arguments for 'client|help' command\r\n", h.call("CLIENT", "HELP", "x"));
    }

    @Test
    void trackingSubcommandsWithTrackingOff() {
        ServerHarness h = new ServerHarness();
        assertEquals(":-1\r\n", h.call("CLIENT", "GETREDIR"));
        assertEquals("*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n",
            h.call("CLIENT", "TRACKINGINFO"));
        assertEquals("-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
            + "OPTOUT mode enabled\r\n", h.call("CLIENT", "CACHING", "yes"));
    }

    @Test
    void unblock() {
        ServerHarness h = new ServerHarness();
        assertEquals(":0\r\n", h.call("CLIENT", "UNBLOCK", "1"));
        assertEquals(":0\r\n", h.call("CLIENT", "UNBLOCK", "1", "ERROR"));
        assertEquals("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
            h.call("CLIENT", "UNBLOCK", "1", "later"));
        assertEquals("-ERR value is not an integer or out of range\r\n", h.call("CLIENT", "UNBLOCK", "x"));
        assertEquals("-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n",
            h.call("CLIENT", "UNBLOCK", "1", "timeout", "x"));
    }

    @Test
    void addressesAreFormattedAsRedisDoes() {
        assertEquals("127.0.0.1:6379", ClientCommands.address(new InetSocketAddress("127.0.0.1", 6379)));
        assertEquals("[::1]:6379", ClientCommands.address(new InetSocketAddress("::1", 6379)));
        assertEquals("embedded:0", ClientCommands.address(new io.netty.channel.embedded.EmbeddedChannel()
            .remoteAddress()));
    }
}
