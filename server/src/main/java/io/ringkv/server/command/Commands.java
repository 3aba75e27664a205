package io.ringkv.server.command;

import java.util.ArrayList;
import java.util.List;

/** The full command table: every family's declarations, gathered once per server. */
public final class Commands {

    private Commands() {
    }

    public static CommandTable table() {
        List<CommandSpec> all = new ArrayList<>();
        all.addAll(StringCommands.specs());
        all.addAll(KeyCommands.specs());
        all.addAll(ConnectionCommands.specs());
        all.addAll(ClientCommands.specs());
        all.addAll(ServerCommands.specs());
        all.addAll(ClusterCommands.specs());
        all.addAll(KvCommands.specs());
        return new CommandTable(all);
    }
}
