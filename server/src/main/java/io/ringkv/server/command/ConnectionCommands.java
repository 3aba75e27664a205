package io.ringkv.server.command;

import java.util.List;

final class ConnectionCommands {

    private ConnectionCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of();
    }
}
