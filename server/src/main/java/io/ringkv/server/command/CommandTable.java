package io.ringkv.server.command;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every command the server knows, looked up by name without allocating: the name's bytes are
 * folded to lower case while hashing into an open-addressing table, so the hot path (one lookup
 * per request) builds no String.
 */
public final class CommandTable {

    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();
    private final CommandSpec[] slots;
    private final byte[][] names;
    private final int mask;

    public CommandTable(Collection<CommandSpec> commands) {
        for (CommandSpec spec : commands) {
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("command declared twice: " + spec.name());
            }
        }
        int size = Integer.highestOneBit(Math.max(16, byName.size() * 4) - 1) << 1;
        slots = new CommandSpec[size];
        names = new byte[size][];
        mask = size - 1;
        for (CommandSpec spec : byName.values()) {
            byte[] name = spec.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            int i = hash(name) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = spec;
            names[i] = name;
        }
    }

    /** The command named by {@code name} in any letter case, or null. */
    public CommandSpec lookup(byte[] name) {
        int i = hash(name) & mask;
        while (slots[i] != null) {
            if (equalsIgnoreCase(names[i], name)) {
                return slots[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public CommandSpec lookup(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    public Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    /** Commands and subcommands, for COMMAND LIST / COUNT. */
    public List<CommandSpec> allWithSubcommands() {
        List<CommandSpec> list = new ArrayList<>();
        for (CommandSpec spec : byName.values()) {
            list.add(spec);
            list.addAll(spec.subcommands());
        }
        return list;
    }

    private static int hash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + lower(b);
        }
        return h ^ (h >>> 16);
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private static boolean equalsIgnoreCase(byte[] lowerName, byte[] name) {
        if (lowerName.length != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (lowerName[i] != lower(name[i])) {
                return false;
            }
        }
        return true;
    }
}
