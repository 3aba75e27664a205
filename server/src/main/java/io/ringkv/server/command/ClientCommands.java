package io.ringkv.server.command;

import io.netty.channel.Channel;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.resp.Reply;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * CLIENT and its subcommands, with Redis 7.2's replies (networking.c clientCommand).
 *
 * <p>CLIENT LIST / INFO print Redis 7.2's line layout field for field, so tools that parse it
 * (redis-cli, monitoring scripts, client libraries' tests) find every field they look for. Fields
 * about machinery ringkv does not have (pub/sub, MULTI, query and reply buffer accounting) show
 * the values of an idle client with none of it: sub=0 multi=-1 qbuf=0 and so on.
 *
 * <p>Every connection is a "normal" client: there are no replicas, masters or pub/sub clients yet,
 * so TYPE filters other than NORMAL match nothing.
 */
final class ClientCommands {

    /** CLIENT NO-EVICT / NO-TOUCH state, kept on the channel; shown as flags 'e' and 'T'. */
    private static final AttributeKey<Boolean> NO_EVICT = AttributeKey.valueOf("ringkv.client.no-evict");
    private static final AttributeKey<Boolean> NO_TOUCH = AttributeKey.valueOf("ringkv.client.no-touch");

    private static final String NAME_INVALID = "ERR Client names cannot contain spaces, newlines or special characters.";

    private static final String[] HELP = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)",
        "    Will not touch LRU/LFU stats when this mode is on.",
        "HELP",
        "    Print this help.",
    };

    /** Client types as CLIENT LIST / KILL TYPE name them; only NORMAL exists in ringkv. */
    private enum ClientType { NORMAL, OTHER }

    private ClientCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(CommandSpec.command("client", -2).group("connection").since("2.4.0")
            .acl("@slow")
            .summary("A container for client connection commands.").complexity("Depends on subcommand.")
            .subcommands(
                sub("caching", 3, false, "6.0.0", "Instructs the server whether to track the keys in the next request.",
                    ClientCommands::caching),
                sub("getname", 2, false, "2.6.9", "Returns the name of the connection.", ClientCommands::getname),
                sub("getredir", 2, false, "6.0.0",
                    "Returns the client ID to which the connection's tracking notifications are redirected.",
                    r -> r.reply().integer(-1)),
                sub("help", 2, false, "5.0.0", "Returns helpful text about the different subcommands.",
                    ClientCommands::help),
                sub("id", 2, false, "5.0.0", "Returns the unique client ID of the connection.",
                    r -> r.reply().integer(r.session().id())),
                sub("info", 2, false, "6.2.0", "Returns information about the connection.", ClientCommands::info),
                sub("kill", -3, true, "2.4.0", "Terminates open connections.", ClientCommands::kill),
                sub("list", -2, true, "2.4.0", "Lists open connections.", ClientCommands::list),
                sub("no-evict", 3, true, "7.0.0", "Sets the client eviction mode of the connection.",
                    r -> onOff(r, NO_EVICT)),
                sub("no-touch", 3, false, "7.2.0",
                    "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
                    r -> onOff(r, NO_TOUCH)),
                sub("setinfo", 4, false, "7.2.0", "Sets information specific to the client or connection.",
                    ClientCommands::setinfo),
                sub("setname", 3, false, "2.6.9", "Sets the connection name.", ClientCommands::setname),
                sub("trackinginfo", 2, false, "6.2.0",
                    "Returns information about server-assisted client-side caching for the connection.",
                    ClientCommands::trackinginfo),
                sub("unblock", -3, true, "5.0.0",
                    "Unblocks a client blocked by a blocking command from a different connection.",
                    ClientCommands::unblock))
            .handler(ClientCommands::dispatch));
    }

    private static CommandSpec sub(String name, int arity, boolean admin, String since, String summary,
                                   CommandHandler handler) {
        CommandSpec.Builder b = CommandSpec.command("client|" + name, arity).group("connection").since(since)
            .summary(summary);
        if (name.equals("help")) {
            b.flags("loading", "stale").acl("@slow", "@connection");
        } else if (admin) {
            b.flags("admin", "noscript", "loading", "stale").acl("@admin", "@slow", "@dangerous", "@connection");
        } else {
            b.flags("noscript", "loading", "stale").acl("@slow", "@connection");
        }
        if (name.equals("list") || name.equals("kill")) {
            b.complexity("O(N) where N is the number of client connections");
        }
        return b.handler(handler);
    }

    /**
     * Finds the subcommand and checks its arity, as Redis's processCommand does for containers.
     * The connection's last command becomes the subcommand ("client|list"), which is what Redis
     * shows in cmd= of CLIENT LIST.
     */
    static void dispatch(Request r) {
        CommandSpec sub = r.spec().subcommand(r.string(1));
        if (sub == null) {
            throw new CommandError(Errors.unknownSubcommand(r.string(1), "CLIENT"));
        }
        if (!sub.arityAccepts(r.argc())) {
            throw new CommandError(Errors.wrongArity(sub.name()));
        }
        r.session().touch(r.server().clock().millis(), sub.name());
        sub.handler().execute(r);
    }

    static void help(Request r) {
        Reply reply = r.reply();
        reply.arrayHeader(HELP.length);
        for (String line : HELP) {
            reply.simple(line);
        }
    }

    static void getname(Request r) {
        String name = r.session().name();
        if (name.isEmpty()) {
            r.reply().nullBulk();
        } else {
            r.reply().bulk(name);
        }
    }

    /** An empty name removes the name, as in Redis. */
    static void setname(Request r) {
        byte[] name = r.arg(2);
        if (!validAttribute(name)) {
            throw new CommandError(NAME_INVALID);
        }
        r.session().name(new String(name, StandardCharsets.US_ASCII));
        r.reply().ok();
    }

    /**
     * CLIENT SETINFO LIB-NAME|LIB-VER value. The error texts repeat the attribute as the client
     * typed it, as Redis's do; an empty value clears the attribute.
     */
    static void setinfo(Request r) {
        String attribute = r.string(2);
        String key = attribute.toLowerCase(Locale.ROOT);
        if (!key.equals("lib-name") && !key.equals("lib-ver")) {
            throw new CommandError("ERR Unrecognized option '" + attribute + "'");
        }
        byte[] value = r.arg(3);
        if (!validAttribute(value)) {
            throw new CommandError("ERR " + attribute + " cannot contain spaces, newlines or special characters.");
        }
        String text = new String(value, StandardCharsets.US_ASCII);
        if (key.equals("lib-name")) {
            r.session().libName(text);
        } else {
            r.session().libVersion(text);
        }
        r.reply().ok();
    }

    /**
     * Redis's validateClientAttr: only printable ASCII without spaces ('!' to '~'), so that
     * CLIENT LIST lines can always be split on spaces. (Redis stops checking at a NUL byte, as a
     * C string ends there; ringkv refuses the NUL instead of storing a name that breaks the line.)
     */
    static boolean validAttribute(byte[] value) {
        for (byte b : value) {
            if (b < '!' || b > '~') {
                return false;
            }
        }
        return true;
    }

    static void info(Request r) {
        r.reply().bulk(infoLine(r.server(), r.session()) + "\n");
    }

    /** CLIENT LIST [TYPE type] | CLIENT LIST ID id [id ...], with Redis's argument rules. */
    static void list(Request r) {
        ServerContext server = r.server();
        StringBuilder out = new StringBuilder();
        if (r.argc() == 4 && r.keyword(2).equals("type")) {
            ClientType type = clientType(r.string(3));
            if (type == ClientType.NORMAL) {
                for (ClientSession session : server.clients().sortedById()) {
                    out.append(infoLine(server, session)).append('\n');
                }
            }
        } else if (r.argc() > 3 && r.keyword(2).equals("id")) {
            for (int j = 3; j < r.argc(); j++) {
                long id;
                try {
                    id = r.longArg(j);
                } catch (CommandError e) {
                    throw new CommandError("ERR Invalid client ID");
                }
                ClientSession session = server.clients().byId(id);
                if (session != null) {
                    out.append(infoLine(server, session)).append('\n');
                }
            }
        } else if (r.argc() != 2) {
            throw new CommandError(Errors.SYNTAX);
        } else {
            for (ClientSession session : server.clients().sortedById()) {
                out.append(infoLine(server, session)).append('\n');
            }
        }
        r.reply().bulk(out.toString());
    }

    /**
     * CLIENT KILL addr (old form: +OK or "No such client", and a client may kill itself) or
     * CLIENT KILL filter value ... (new form: the number killed; the caller is skipped unless
     * SKIPME NO). A killed connection is closed at once; the caller, if it matched, is closed
     * after its reply is written.
     */
    static void kill(Request r) {
        ServerContext server = r.server();
        ClientSession self = r.session();
        String addr = null;
        String laddr = null;
        ClientType type = null;
        long id = 0;
        boolean skipMe = true;
        if (r.argc() == 3) {
            addr = r.string(2);
            skipMe = false;
        } else {
            for (int i = 2; i < r.argc(); i += 2) {
                boolean moreArgs = r.argc() > i + 1;
                String option = r.keyword(i);
                if (option.equals("id") && moreArgs) {
                    id = clientId(r.arg(i + 1));
                } else if (option.equals("type") && moreArgs) {
                    type = clientType(r.string(i + 1));
                } else if (option.equals("addr") && moreArgs) {
                    addr = r.string(i + 1);
                } else if (option.equals("laddr") && moreArgs) {
                    laddr = r.string(i + 1);
                } else if (option.equals("user") && moreArgs) {
                    // Only the default user exists, and every connection is authenticated as it.
                    if (!r.string(i + 1).equals(ConnectionCommands.DEFAULT_USER)) {
                        throw new CommandError("ERR No such user '" + r.string(i + 1) + "'");
                    }
                } else if (option.equals("skipme") && moreArgs) {
                    String value = r.keyword(i + 1);
                    if (value.equals("yes")) {
                        skipMe = true;
                    } else if (value.equals("no")) {
                        skipMe = false;
                    } else {
                        throw new CommandError(Errors.SYNTAX);
                    }
                } else {
                    throw new CommandError(Errors.SYNTAX);
                }
            }
        }
        int killed = 0;
        boolean closeSelf = false;
        for (ClientSession client : server.clients().sortedById()) {
            if (addr != null && !addr.equals(address(client.channel().remoteAddress()))) {
                continue;
            }
            if (laddr != null && !laddr.equals(address(client.channel().localAddress()))) {
                continue;
            }
            if (type != null && type != ClientType.NORMAL) {
                continue;
            }
            if (id != 0 && client.id() != id) {
                continue;
            }
            if (client == self) {
                if (skipMe) {
                    continue;
                }
                closeSelf = true;
            } else {
                // The victim may live on another event loop, where the close runs later: mark it
                // first so its dispatcher drops whatever it reads from now on, which makes the
                // kill effective before this reply, as it is in Redis.
                client.closeAfterReply();
                client.channel().close();
            }
            killed++;
        }
        if (r.argc() == 3) {
            if (killed == 0) {
                throw new CommandError("ERR No such client");
            }
            r.reply().ok();
        } else {
            r.reply().integer(killed);
        }
        if (closeSelf) {
            self.closeAfterReply();
        }
    }

    /** Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) with its own message for both failures. */
    private static long clientId(byte[] arg) {
        long id;
        try {
            id = Request.parseLong(arg);
        } catch (CommandError e) {
            id = 0;
        }
        if (id < 1) {
            throw new CommandError("ERR client-id should be greater than 0");
        }
        return id;
    }

    private static ClientType clientType(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "normal":
                return ClientType.NORMAL;
            case "slave", "replica", "pubsub", "master":
                return ClientType.OTHER;
            default:
                throw new CommandError("ERR Unknown client type '" + name + "'");
        }
    }

    /** NO-EVICT / NO-TOUCH ON|OFF: only remembered (and shown in flags); ringkv neither evicts nor tracks LRU. */
    private static void onOff(Request r, AttributeKey<Boolean> flag) {
        String value = r.keyword(2);
        if (value.equals("on")) {
            r.session().channel().attr(flag).set(Boolean.TRUE);
        } else if (value.equals("off")) {
            r.session().channel().attr(flag).set(null);
        } else {
            throw new CommandError(Errors.SYNTAX);
        }
        r.reply().ok();
    }

    /** RESET turns NO-EVICT and NO-TOUCH off. */
    static void clearFlags(ClientSession session) {
        session.channel().attr(NO_EVICT).set(null);
        session.channel().attr(NO_TOUCH).set(null);
    }

    /** Tracking is never on, so CACHING always gets Redis's "not in tracking mode" error. */
    static void caching(Request r) {
        throw new CommandError("ERR CLIENT CACHING can be called only when the client is in tracking mode with "
            + "OPTIN or OPTOUT mode enabled");
    }

    /** Tracking off: Redis's map of flags [off], redirect -1, prefixes []. */
    static void trackinginfo(Request r) {
        Reply reply = r.reply();
        reply.mapHeader(3);
        reply.bulk("flags");
        reply.bulkArray("off");
        reply.bulk("redirect");
        reply.integer(-1);
        reply.bulk("prefixes");
        reply.emptyArray();
    }

    /** No command blocks in ringkv yet, so there is never a client to unblock: 0. */
    static void unblock(Request r) {
        if (r.argc() > 4) {
            // Redis's table arity is -3, but clientCommand only takes 3 or 4 arguments.
            throw new CommandError("ERR unknown subcommand or wrong number of arguments for '" + r.string(1)
                + "'. Try CLIENT HELP.");
        }
        if (r.argc() == 4) {
            String reason = r.keyword(3);
            if (!reason.equals("timeout") && !reason.equals("error")) {
                throw new CommandError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            }
        }
        r.longArg(2);
        r.reply().integer(0);
    }

    /**
     * One CLIENT LIST line in Redis 7.2's field order, without the trailing newline. age and idle
     * are whole seconds, computed as Redis does from second-truncated timestamps.
     */
    static String infoLine(ServerContext server, ClientSession s) {
        long now = server.clock().millis();
        Channel channel = s.channel();
        return "id=" + s.id()
            + " addr=" + address(channel.remoteAddress())
            + " laddr=" + address(channel.localAddress())
            + " fd=" + fd(channel)
            + " name=" + s.name()
            + " age=" + (Math.floorDiv(now, 1000) - Math.floorDiv(s.createdMillis(), 1000))
            + " idle=" + (Math.floorDiv(now, 1000) - Math.floorDiv(s.lastInteractionMillis(), 1000))
            + " flags=" + flags(s)
            + " db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0"
            + " obl=0 oll=0 omem=0 tot-mem=0 events=r"
            + " cmd=" + s.lastCommand()
            + " user=" + ConnectionCommands.DEFAULT_USER
            + " redir=-1 resp=2"
            + " lib-name=" + s.libName()
            + " lib-ver=" + s.libVersion();
    }

    /** Redis's flag letters that can apply here, in Redis's order: c, e, T; N when none. */
    private static String flags(ClientSession s) {
        StringBuilder b = new StringBuilder(3);
        if (s.shouldCloseAfterReply()) {
            b.append('c');
        }
        if (s.channel().hasAttr(NO_EVICT) && s.channel().attr(NO_EVICT).get() != null) {
            b.append('e');
        }
        if (s.channel().hasAttr(NO_TOUCH) && s.channel().attr(NO_TOUCH).get() != null) {
            b.append('T');
        }
        return b.isEmpty() ? "N" : b.toString();
    }

    /**
     * The socket's descriptor on the native transports (epoll, io_uring); -1 where the transport
     * does not expose it (NIO, in-memory test channels), which is what Redis shows for clients
     * without a socket.
     */
    private static int fd(Channel channel) {
        if (channel instanceof UnixChannel unix) {
            try {
                return unix.fd().intValue();
            } catch (RuntimeException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * An address as Redis prints it (anetFdToString / connFormatAddr): "ip:port" for IPv4,
     * "[ip]:port" for IPv6 (compressed form, as inet_ntop writes it), "path:0" for a Unix socket.
     * Any other address (an in-memory channel's) prints as its text followed by ":0".
     */
    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            if (inet.getAddress() == null) {
                return inet.getHostString() + ":" + inet.getPort();
            }
            String ip = NetUtil.toAddressString(inet.getAddress());
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + inet.getPort();
        }
        return (address == null ? "?" : address.toString()) + ":0";
    }
}
