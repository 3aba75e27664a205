package io.ringkv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.ringkv.server.ServerHarness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wire tests: the bytes Redis 7.2 answers for PING, ECHO, QUIT, RESET, SELECT, AUTH and HELLO. */
class ConnectionCommandsTest {

    private static final String NOAUTH = "-NOAUTH Authentication required.\r\n";
    private static final String WRONGPASS = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    private static final String HELLO_NOAUTH = "-NOAUTH HELLO must be called with the client already authenticated, "
        + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select "
        + "the RESP protocol version at the same time\r\n";

    private static ServerHarness secured() {
        return new ServerHarness(Map.of("requirepass", "secret"));
    }

    private static String helloMap(long id) {
        return "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.0\r\n$5\r\nproto\r\n:2\r\n"
            + "$2\r\nid\r\n:" + id + "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
            + "$7\r\nmodules\r\n*0\r\n";
    }

    @Test
    void ping() {
        ServerHarness h = new ServerHarness();
        assertEquals("+PONG\r\n", h.call("PING"));
        assertEquals("+PONG\r\n", h.call("ping"));
        assertEquals("$5\r\nhello\r\n", h.call("PING", "hello"));
        assertEquals("$0\r\n\r\n", h.call("PING", ""));
        assertEquals("-ERR wrong number of arguments for 'ping' command\r\n", h.call("PING", "a", "b"));
        assertEquals("+PONG\r\n", h.raw("PING\r\n"));
    }

    @Test
    void echo() {
        ServerHarness h = new ServerHarness();
        assertEquals("$11\r\nhello world\r\n", h.call("ECHO", "hello world"));
        assertEquals("$0\r\n\r\n", h.call("ECHO", ""));
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", h.call("ECHO"));
        assertEquals("-ERR wrong number of arguments for 'echo' command\r\n", h.call("ECHO", "a", "b"));
    }

    @Test
    void quitAnswersOkThenCloses() {
        ServerHarness h = new ServerHarness();
        assertEquals("+OK\r\n", h.call("QUIT"));
        assertFalse(h.isOpen());
    }

    @Test
    void quitIgnoresWhatIsPipelinedAfterIt() {
        ServerHarness h = new ServerHarness();
        assertEquals("+PONG\r\n+OK\r\n",
            h.raw(ServerHarness.encode("PING") + ServerHarness.encode("QUIT") + ServerHarness.encode("PING")));
        assertFalse(h.isOpen());
    }

    @Test
    void quitNeedsNoAuthentication() {
        ServerHarness h = secured();
        assertEquals("+OK\r\n", h.call("QUIT", "extra"));
        assertFalse(h.isOpen());
    }

    @Test
    void select() {
        ServerHarness h = new ServerHarness();
        assertEquals("+OK\r\n", h.call("SELECT", "0"));
        assertEquals("-ERR DB index is out of range\r\n", h.call("SELECT", "1"));
        assertEquals("-ERR DB index is out of range\r\n", h.call("SELECT", "15"));
        assertEquals("-ERR DB index is out of range\r\n", h.call("SELECT", "-1"));
        assertEquals("-ERR value is not an integer or out of range\r\n", h.call("SELECT", "abc"));
        assertEquals("-ERR value is not an integer or out of range\r\n", h.call("SELECT", "0.5"));
        assertEquals("-ERR value is not an integer or out of range\r\n", h.call("SELECT", "4294967296"));
        assertEquals("-ERR wrong number of arguments for 'select' command\r\n", h.call("SELECT"));
    }

    @Test
    void authWithoutAPasswordConfigured() {
        ServerHarness h = new ServerHarness();
        assertEquals("-ERR AUTH <password> called without any password configured for the default user. "
            + "Are you sure your configuration is correct?\r\n", h.call("AUTH", "x"));
        assertEquals("+OK\r\n", h.call("AUTH", "default", "anything"));
        assertEquals(WRONGPASS, h.call("AUTH", "bob", "anything"));
        assertEquals("-ERR syntax error\r\n", h.call("AUTH", "a", "b", "c"));
        assertEquals("-ERR wrong number of arguments for 'auth' command\r\n", h.call("AUTH"));
    }

    @Test
    void authWithRequirepass() {
        ServerHarness h = secured();
        assertEquals(NOAUTH, h.call("PING"));
        assertEquals(NOAUTH, h.call("ECHO", "k"));
        assertEquals(NOAUTH, h.call("CLIENT", "ID"));
        assertEquals(NOAUTH, h.call("SELECT", "0"));
        assertEquals(WRONGPASS, h.call("AUTH", "wrong"));
        assertEquals(WRONGPASS, h.call("AUTH", "default", "wrong"));
        assertEquals(WRONGPASS, h.call("AUTH", "bob", "secret"));
        assertEquals(NOAUTH, h.call("PING"));
        assertEquals("+OK\r\n", h.call("AUTH", "secret"));
        assertEquals("+PONG\r\n", h.call("PING"));
        // A failed AUTH does not undo an earlier success.
        assertEquals(WRONGPASS, h.call("AUTH", "wrong"));
        assertEquals("+PONG\r\n", h.call("PING"));
    }

    @Test
    void authIsPerConnection() {
        ServerHarness h = secured();
        assertEquals("+OK\r\n", h.call("AUTH", "default", "secret"));
        EmbeddedChannel other = h.newConnection();
        assertEquals(NOAUTH, h.callOn(other, "PING"));
        assertEquals("+OK\r\n", h.callOn(other, "AUTH", "secret"));
        assertEquals("+PONG\r\n", h.callOn(other, "PING"));
    }

    @Test
    void helloTwoAnswersTheRedisMap() {
        ServerHarness h = new ServerHarness();
        assertEquals(helloMap(1), h.call("HELLO"));
        assertEquals(helloMap(1), h.call("HELLO", "2"));
        assertEquals(helloMap(2), h.callOn(h.newConnection(), "hello", "2"));
    }

    @Test
    void helloVersions() {
        ServerHarness h = new ServerHarness();
        assertEquals("-NOPROTO sorry, this protocol version is not supported.\r\n", h.call("HELLO", "3"));
        assertEquals("-NOPROTO unsupported protocol version\r\n", h.call("HELLO", "1"));
        assertEquals("-NOPROTO unsupported protocol version\r\n", h.call("HELLO", "4"));
        assertEquals("-ERR Protocol version is not an integer or out of range\r\n", h.call("HELLO", "two"));
        assertEquals("-ERR Protocol version is not an integer or out of range\r\n",
            h.call("HELLO", "99999999999999999999"));
        // The version is checked before the options.
        assertEquals("-NOPROTO sorry, this protocol version is not supported.\r\n",
            h.call("HELLO", "3", "AUTH", "default", "x"));
    }

    @Test
    void helloOptions() {
        ServerHarness h = new ServerHarness();
        assertEquals(helloMap(1), h.call("HELLO", "2", "SETNAME", "app"));
        assertEquals("$3\r\napp\r\n", h.call("CLIENT", "GETNAME"));
        assertEquals(helloMap(1), h.call("HELLO", "2", "AUTH", "default", "anything", "setname", "b"));
        assertEquals("$1\r\nb\r\n", h.call("CLIENT", "GETNAME"));
        assertEquals("-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
            h.call("HELLO", "2", "SETNAME", "a b"));
        assertEquals("$1\r\nb\r\n", h.call("CLIENT", "GETNAME"));
        assertEquals(WRONGPASS, h.call("HELLO", "2", "AUTH", "bob", "x"));
        assertEquals("-ERR Syntax error in HELLO option 'FOO'\r\n", h.call("HELLO", "2", "FOO"));
        assertEquals("-ERR Syntax error in HELLO option 'AUTH'\r\n", h.call("HELLO", "2", "AUTH", "default"));
        assertEquals("-ERR Syntax error in HELLO option 'SETNAME'\r\n", h.call("HELLO", "2", "SETNAME"));
    }

    @Test
    void helloWithRequirepass() {
        ServerHarness h = secured();
        assertEquals(HELLO_NOAUTH, h.call("HELLO"));
        assertEquals(HELLO_NOAUTH, h.call("HELLO", "2"));
        assertEquals(HELLO_NOAUTH, h.call("HELLO", "2", "SETNAME", "app"));
        assertEquals(WRONGPASS, h.call("HELLO", "2", "AUTH", "default", "wrong"));
        assertEquals(NOAUTH, h.call("PING"));
        // Refused before AUTH is looked at: the connection stays unauthenticated.
        assertEquals("-NOPROTO sorry, this protocol version is not supported.\r\n",
            h.call("HELLO", "3", "AUTH", "default", "secret"));
        assertEquals(NOAUTH, h.call("PING"));
        assertEquals(helloMap(1), h.call("HELLO", "2", "AUTH", "default", "secret", "SETNAME", "app"));
        assertEquals("+PONG\r\n", h.call("PING"));
        assertEquals("$3\r\napp\r\n", h.call("CLIENT", "GETNAME"));
        assertEquals(helloMap(1), h.call("HELLO"));
    }

    @Test
    void resetClearsNameButKeepsLibraryInfo() {
        ServerHarness h = new ServerHarness();
        assertEquals("+OK\r\n", h.call("CLIENT", "SETNAME", "app"));
        assertEquals("+OK\r\n", h.call("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
        assertEquals("+OK\r\n", h.call("CLIENT", "NO-EVICT", "on"));
        assertEquals("+RESET\r\n", h.call("RESET"));
        assertEquals("$-1\r\n", h.call("CLIENT", "GETNAME"));
        String info = h.call("CLIENT", "INFO");
        assertTrue(info.contains(" flags=N "), info);
        assertTrue(info.contains(" lib-name=jedis "), info);
        assertEquals("+PONG\r\n", h.call("PING"));
        assertEquals("-ERR wrong number of arguments for 'reset' command\r\n", h.call("RESET", "x"));
    }

    @Test
    void resetDeauthenticatesWhenAPasswordIsRequired() {
        ServerHarness h = secured();
        assertEquals("+RESET\r\n", h.call("RESET"));
        assertEquals("+OK\r\n", h.call("AUTH", "secret"));
        assertEquals("+PONG\r\n", h.call("PING"));
        assertEquals("+RESET\r\n", h.call("RESET"));
        assertEquals(NOAUTH, h.call("PING"));
    }
}
