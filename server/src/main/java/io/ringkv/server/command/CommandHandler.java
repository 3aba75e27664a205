package io.ringkv.server.command;

/** Executes one command: reads {@link Request#args()}, writes exactly one reply. */
@FunctionalInterface
public interface CommandHandler {
    void execute(Request request);
}
