package io.ringkv.server.command;

import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.resp.ProtocolError;
import io.ringkv.server.resp.Reply;
import java.nio.charset.StandardCharsets;

/**
 * Runs one client's decoded messages (commands and protocol errors) and writes their replies:
 * the part of dispatching that does not depend on which thread runs the command. The event-loop
 * dispatcher ({@link CommandDispatcher}) and the cluster's off-loop one
 * ({@link OffLoopCommandDispatcher}) both use it.
 *
 * <p>Checks run in Redis's order (processCommand): unknown command, arity, authentication.
 */
final class CommandRunner {

    private final ServerContext server;
    private final ClientSession session;
    private final Request request;

    CommandRunner(ServerContext server, ClientSession session) {
        this.server = server;
        this.session = session;
        this.request = new Request(server, session);
    }

    /** Runs {@code msg} (a command's byte[][] or a ProtocolError), replying into {@code reply}. */
    void run(Object msg, Reply reply) {
        if (msg instanceof byte[][] argv) {
            execute(argv, reply);
        } else if (msg instanceof ProtocolError error) {
            if (error.reply()) {
                reply.error(error.errorText());
            } else {
                server.log().verbose("Closing client id=" + session.id() + ": " + error.reason());
            }
            session.closeAfterReply();
        }
    }

    private void execute(byte[][] argv, Reply reply) {
        if (session.shouldCloseAfterReply()) {
            return; // after QUIT or a protocol error nothing more is read, as in Redis
        }
        CommandSpec spec = server.commands().lookup(argv[0]);
        server.stats().commandsProcessed.increment();
        session.touch(server.clock().millis(), spec == null ? "NULL" : spec.name());
        if (spec == null) {
            String[] rest = new String[argv.length - 1];
            for (int i = 1; i < argv.length; i++) {
                rest[i - 1] = new String(argv[i], StandardCharsets.UTF_8);
            }
            error(reply, Errors.unknownCommand(new String(argv[0], StandardCharsets.UTF_8), rest));
            return;
        }
        if (!spec.arityAccepts(argv.length)) {
            error(reply, Errors.wrongArity(spec.name()));
            return;
        }
        if (!session.authenticated() && !spec.hasFlag("no-auth")) {
            error(reply, Errors.NOAUTH);
            return;
        }
        request.reset(argv, spec);
        int mark = reply.buffer().writerIndex();
        try {
            spec.handler().execute(request);
        } catch (CommandError e) {
            reply.buffer().writerIndex(mark); // drop any partial reply
            error(reply, e.getMessage());
        } catch (java.io.UncheckedIOException | io.ringkv.storage.CorruptionException e) {
            // The engine could not read or write its files (disk full, I/O error, a block whose
            // checksum fails): the command fails with the reason (file and offset for
            // corruption) and the connection stays usable. Corrupt bytes are never returned.
            reply.buffer().writerIndex(mark);
            server.log().warning("Command '" + spec.name() + "' failed in storage: " + e.getMessage());
            error(reply, "ERR storage error: " + e.getMessage());
        } catch (RuntimeException e) {
            reply.buffer().writerIndex(mark);
            server.log().warning("Command '" + spec.name() + "' failed: " + e);
            error(reply, "ERR internal error: " + e.getClass().getSimpleName());
        }
    }

    private void error(Reply reply, String text) {
        server.stats().errorReplies.increment();
        reply.error(text);
    }
}
