package io.ringkv.server.command;

import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One command being executed: its arguments, the client, where the reply goes, and the server's
 * shared parts. One instance per connection, reused for every request on it.
 *
 * <p>The parsing helpers throw {@link CommandError} with Redis's text, so a handler reads as the
 * happy path.
 */
public final class Request {

    private final ServerContext server;
    private final ClientSession session;
    private byte[][] args;
    private CommandSpec spec;

    public Request(ServerContext server, ClientSession session) {
        this.server = server;
        this.session = session;
    }

    void reset(byte[][] args, CommandSpec spec) {
        this.args = args;
        this.spec = spec;
    }

    public ServerContext server() {
        return server;
    }

    public ClientSession session() {
        return session;
    }

    public Reply reply() {
        return session.reply();
    }

    public CommandSpec spec() {
        return spec;
    }

    public byte[][] args() {
        return args;
    }

    public int argc() {
        return args.length;
    }

    public byte[] arg(int i) {
        return args[i];
    }

    public String string(int i) {
        return new String(args[i], StandardCharsets.UTF_8);
    }

    /** The argument in lower case, for matching keywords (EX, NX, MATCH, ...). */
    public String keyword(int i) {
        return string(i).toLowerCase(Locale.ROOT);
    }

    /** The argument as a 64-bit integer, or Redis's "value is not an integer" error. */
    public long longArg(int i) {
        return parseLong(args[i]);
    }

    public static long parseLong(byte[] bytes) {
        long[] out = new long[1];
        if (!Numbers.parseLong(bytes, out)) {
            throw new CommandError(Errors.NOT_INTEGER);
        }
        return out[0];
    }

    /** Throws Redis's wrong-arity error for this command. */
    public CommandError wrongArity() {
        return new CommandError(Errors.wrongArity(spec.name()));
    }
}
