package io.ringkv.server.command;

import java.util.List;

final class StringCommands {

    private StringCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of();
    }
}
