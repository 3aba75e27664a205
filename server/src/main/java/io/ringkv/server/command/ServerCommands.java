package io.ringkv.server.command;

import java.util.List;

final class ServerCommands {

    private ServerCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of();
    }
}
