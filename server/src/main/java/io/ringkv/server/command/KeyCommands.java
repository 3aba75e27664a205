package io.ringkv.server.command;

import java.util.List;

final class KeyCommands {

    private KeyCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of();
    }
}
