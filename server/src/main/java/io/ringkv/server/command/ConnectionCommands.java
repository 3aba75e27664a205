package io.ringkv.server.command;

import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The connection family: PING, ECHO, QUIT, RESET, SELECT, AUTH, HELLO, with Redis 7.2's replies
 * (networking.c, acl.c, server.c).
 *
 * <p>Authentication model: Redis 7 has ACL users; ringkv has only Redis's "default" user, whose
 * password is {@code requirepass} (no password configured means the user is "nopass" and every
 * connection starts authenticated). A failed AUTH never de-authenticates a connection, as in
 * Redis, where ACLAuthenticateUser leaves the client untouched on failure.
 */
final class ConnectionCommands {

    static final String DEFAULT_USER = "default";

    private static final String AUTH_WITHOUT_PASSWORD = "ERR AUTH <password> called without any password "
        + "configured for the default user. Are you sure your configuration is correct?";
    private static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already "
        + "authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate "
        + "the client and select the RESP protocol version at the same time";
    private static final String HELLO_BAD_VERSION = "ERR Protocol version is not an integer or out of range";
    /** What Redis answers for a protocol version other than 2 and 3. */
    private static final String HELLO_UNSUPPORTED_VERSION = "NOPROTO unsupported protocol version";
    private static final String CLIENT_NAME_INVALID =
        "ERR Client names cannot contain spaces, newlines or special characters.";

    private ConnectionCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(
            CommandSpec.command("ping", -1).flags("fast").acl("@fast", "@connection")
                .group("connection").since("1.0.0").summary("Returns the server's liveliness response.")
                .handler(ConnectionCommands::ping),
            CommandSpec.command("echo", 2).flags("fast").acl("@fast", "@connection")
                .group("connection").since("1.0.0").summary("Returns the given string.")
                .handler(ConnectionCommands::echo),
            CommandSpec.command("quit", -1).flags("allow-busy", "noscript", "loading", "stale", "fast", "no-auth")
                .acl("@fast", "@connection").group("connection").since("1.0.0").summary("Closes the connection.")
                .handler(ConnectionCommands::quit),
            CommandSpec.command("reset", 1).flags("noscript", "loading", "stale", "fast", "no-auth", "allow-busy")
                .acl("@fast", "@connection").group("connection").since("6.2.0").summary("Resets the connection.")
                .handler(ConnectionCommands::reset),
            CommandSpec.command("select", 2).flags("loading", "stale", "fast").acl("@fast", "@connection")
                .group("connection").since("1.0.0").summary("Changes the selected database.")
                .handler(ConnectionCommands::select),
            CommandSpec.command("auth", -2)
                .flags("noscript", "loading", "stale", "fast", "no-auth", "sentinel", "allow-busy")
                .acl("@fast", "@connection").group("connection").since("1.0.0")
                .summary("Authenticates the connection.")
                .complexity("O(N) where N is the number of passwords defined for the user")
                .handler(ConnectionCommands::auth),
            CommandSpec.command("hello", -1)
                .flags("noscript", "loading", "stale", "fast", "no-auth", "sentinel", "allow-busy")
                .acl("@fast", "@connection").group("connection").since("6.0.0")
                .summary("Handshakes with the Redis server.")
                .handler(ConnectionCommands::hello));
    }

    static void ping(Request r) {
        if (r.argc() > 2) {
            throw r.wrongArity();
        }
        if (r.argc() == 1) {
            r.reply().simple("PONG");
        } else {
            r.reply().bulk(r.arg(1));
        }
    }

    static void echo(Request r) {
        r.reply().bulk(r.arg(1));
    }

    /** +OK, then the dispatcher closes the connection once the batch is flushed and reads no more. */
    static void quit(Request r) {
        r.reply().ok();
        r.session().closeAfterReply();
    }

    /**
     * Back to the state of a new connection (Redis's clearClientConnectionState): no name, RESP2,
     * database 0, client flags (NO-EVICT, NO-TOUCH) off, and authenticated only if the default
     * user needs no password. The library name and version stay: they still describe the library
     * behind the connection.
     */
    static void reset(Request r) {
        ClientSession session = r.session();
        session.name("");
        session.authenticated(r.server().config().requirePass().isEmpty());
        ClientCommands.clearFlags(session);
        r.reply().simple("RESET");
    }

    /**
     * Only database 0 exists ({@code databases} is fixed at 1). Redis parses the index as a C int
     * first, so an index beyond 32 bits is "not an integer" rather than "out of range".
     */
    static void select(Request r) {
        long index = r.longArg(1);
        if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
            throw new CommandError(Errors.NOT_INTEGER);
        }
        if (index < 0 || index >= r.server().config().intValue("databases")) {
            throw new CommandError(Errors.DB_INDEX_OUT_OF_RANGE);
        }
        r.reply().ok();
    }

    /**
     * AUTH password | AUTH username password. The one-argument form with no password configured
     * is an error (Redis keeps the pre-ACL behaviour there), while the two-argument form
     * succeeds for "default" with any password, since that user is then "nopass".
     */
    static void auth(Request r) {
        if (r.argc() > 3) {
            throw new CommandError(Errors.SYNTAX);
        }
        byte[] username;
        byte[] password;
        if (r.argc() == 2) {
            if (r.server().config().requirePass().isEmpty()) {
                throw new CommandError(AUTH_WITHOUT_PASSWORD);
            }
            username = DEFAULT_USER.getBytes(StandardCharsets.US_ASCII);
            password = r.arg(1);
        } else {
            username = r.arg(1);
            password = r.arg(2);
        }
        if (!checkCredentials(r.server(), username, password)) {
            throw new CommandError(Errors.WRONGPASS);
        }
        r.session().authenticated(true);
        r.reply().ok();
    }

    /**
     * HELLO [protover [AUTH username password] [SETNAME name]], in Redis's order: the version,
     * then the options (a bad SETNAME is refused before anything changes), then AUTH, then the
     * authentication requirement, and only then the name and the reply.
     *
     * <p>ringkv speaks RESP2 only: HELLO 3 is refused with NOPROTO, the answer clients such as
     * Lettuce take as "fall back to RESP2 and AUTH". The check comes before AUTH, so a refused
     * HELLO 3 AUTH changes nothing.
     */
    static void hello(Request r) {
        if (r.argc() >= 2) {
            long version;
            try {
                version = r.longArg(1);
            } catch (CommandError e) {
                throw new CommandError(HELLO_BAD_VERSION);
            }
            if (version < 2 || version > 3) {
                throw new CommandError(HELLO_UNSUPPORTED_VERSION);
            }
            if (version == 3) {
                throw new CommandError(Errors.NOPROTO);
            }
        }
        byte[] username = null;
        byte[] password = null;
        byte[] clientName = null;
        for (int j = 2; j < r.argc(); j++) {
            int moreArgs = r.argc() - 1 - j;
            String option = r.keyword(j);
            if (option.equals("auth") && moreArgs >= 2) {
                username = r.arg(j + 1);
                password = r.arg(j + 2);
                j += 2;
            } else if (option.equals("setname") && moreArgs >= 1) {
                clientName = r.arg(j + 1);
                if (!ClientCommands.validAttribute(clientName)) {
                    throw new CommandError(CLIENT_NAME_INVALID);
                }
                j++;
            } else {
                throw new CommandError("ERR Syntax error in HELLO option '" + r.string(j) + "'");
            }
        }
        ClientSession session = r.session();
        if (username != null) {
            if (!checkCredentials(r.server(), username, password)) {
                throw new CommandError(Errors.WRONGPASS);
            }
            session.authenticated(true);
        }
        if (!session.authenticated()) {
            throw new CommandError(HELLO_NOAUTH);
        }
        if (clientName != null) {
            session.name(new String(clientName, StandardCharsets.US_ASCII));
        }
        Reply reply = r.reply();
        reply.mapHeader(7);
        reply.bulk("server");
        reply.bulk("redis");
        reply.bulk("version");
        reply.bulk(r.server().redisVersion());
        reply.bulk("proto");
        reply.integer(2);
        reply.bulk("id");
        reply.integer(session.id());
        reply.bulk("mode");
        reply.bulk("standalone");
        reply.bulk("role");
        reply.bulk("master");
        reply.bulk("modules");
        reply.emptyArray();
    }

    /**
     * Whether {@code username}/{@code password} authenticate as the default user: the name must be
     * "default"; with no requirepass any password is accepted. The password is compared in time
     * independent of where it differs, as Redis compares password hashes.
     */
    static boolean checkCredentials(ServerContext server, byte[] username, byte[] password) {
        if (!MessageDigest.isEqual(username, DEFAULT_USER.getBytes(StandardCharsets.US_ASCII))) {
            return false;
        }
        String required = server.config().requirePass();
        if (required.isEmpty()) {
            return true;
        }
        return MessageDigest.isEqual(password, required.getBytes(StandardCharsets.UTF_8));
    }
}
