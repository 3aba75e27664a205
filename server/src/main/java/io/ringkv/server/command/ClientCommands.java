package io.ringkv.server.command;

import java.util.List;

final class ClientCommands {

    private ClientCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of();
    }
}
