package io.ringkv.server.command;

/**
 * A command refused with an error reply; the message is the full Redis text, code included
 * ("ERR syntax error"). Thrown from argument parsing deep inside a handler and turned into the
 * reply by the dispatcher, so handlers read straight through. No stack trace: it is control flow.
 */
public final class CommandError extends RuntimeException {
    public CommandError(String redisErrorText) {
        super(redisErrorText, null, false, false);
    }
}
