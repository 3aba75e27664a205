package io.ringkv.server.command;

import static io.ringkv.server.command.CommandSpec.command;

import io.ringkv.server.ServerLog;
import io.ringkv.server.config.ConfigException;
import io.ringkv.server.config.ServerConfig;
import io.ringkv.server.info.JvmMetrics;
import io.ringkv.server.info.ServerInfo;
import io.ringkv.server.keyspace.Glob;
import io.ringkv.server.resp.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The server family: INFO, TIME, CONFIG and COMMAND, with Redis 7's replies.
 *
 * <p>COMMAND answers from the command table itself ({@link CommandSpec}), so what it says about a
 * command is what the dispatcher enforces. CONFIG and COMMAND are containers: the dispatcher
 * checks the container's arity, and each handler here finds the subcommand and checks its arity,
 * as Redis's processCommand does for "config|get".
 */
final class ServerCommands {

    private static final String SERVER = "server";
    private static final String PER_PARAMETER = "O(N) when N is the number of configuration parameters provided";
    private static final String PER_COMMAND = "O(N) where N is the number of commands to look up";
    private static final String ALL_COMMANDS = "O(N) where N is the total number of Redis commands";
    private static final String PER_ARGUMENT = "O(N) where N is the number of arguments to the command";

    private static final String NO_CONFIG_FILE = "ERR The server is running without a config file";
    private static final String GETKEYS_INVALID_COMMAND = "ERR Invalid command specified";
    private static final String GETKEYS_NO_KEYS = "ERR The command has no key arguments";
    private static final String GETKEYS_BAD_ARITY = "ERR Invalid number of arguments specified for command";
    private static final String GETKEYS_BAD_ARGS = "ERR Invalid arguments specified for command";

    /*
     * Redis prints a command's flags in this fixed order (server.c addReplyFlagsForCommand) and
     * hides some of them on purpose ("sentinel", "only_sentinel", "protected", ...), which is
     * why the table, not the declaration order, decides what COMMAND INFO shows. Declarations
     * may spell a flag with '-' or '_' or neither ("no-auth", "no_auth", "noauth"): matching
     * ignores both.
     */
    private static final List<String> VISIBLE_FLAGS = List.of(
        "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking", "loading", "stale",
        "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth", "may_replicate", "no_mandatory_keys",
        "no_async_loading", "no_multi", "movablekeys", "allow_busy");

    /** Redis's ACL categories in the order COMMAND INFO prints them (acl.c ACLCommandCategories). */
    private static final List<String> ACL_CATEGORIES = List.of(
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction",
        "scripting");

    /*
     * Command tips (COMMAND INFO's 8th element) from Redis's src/commands/*.json. CommandSpec has
     * no field for them, so they live here, for the commands this family declares; other
     * commands answer an empty tips list.
     */
    private static final Map<String, List<String>> TIPS = Map.ofEntries(
        Map.entry("info", List.of("nondeterministic_output", "request_policy:all_shards", "response_policy:special")),
        Map.entry("time", List.of("nondeterministic_output")),
        Map.entry("config|set", List.of("request_policy:all_nodes", "response_policy:all_succeeded")),
        Map.entry("config|resetstat", List.of("request_policy:all_nodes", "response_policy:all_succeeded")),
        Map.entry("config|rewrite", List.of("request_policy:all_nodes", "response_policy:all_succeeded")),
        Map.entry("command", List.of("nondeterministic_output_order")),
        Map.entry("command|docs", List.of("nondeterministic_output_order")),
        Map.entry("command|info", List.of("nondeterministic_output_order")),
        Map.entry("command|list", List.of("nondeterministic_output_order")));

    private static final String[] CONFIG_HELP = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
    };

    private static final String[] COMMAND_HELP = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
    };

    private ServerCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(
            command("info", -1).flags("loading", "stale", "sentinel").acl("@slow", "@dangerous")
                .group(SERVER).since("1.0.0").summary("Returns information and statistics about the server.")
                .complexity("O(1)").handler(ServerCommands::info),
            command("time", 1).flags("loading", "stale", "fast").acl("@fast")
                .group(SERVER).since("2.6.0").summary("Returns the server time.")
                .complexity("O(1)").handler(ServerCommands::time),
            command("config", -2).acl("@slow")
                .group(SERVER).since("2.0.0").summary("A container for server configuration commands.")
                .complexity("Depends on subcommand.")
                .subcommands(
                    command("config|get", -3).flags("admin", "noscript", "loading", "stale")
                        .acl("@admin", "@slow", "@dangerous").group(SERVER).since("2.0.0")
                        .summary("Returns the effective values of configuration parameters.")
                        .complexity(PER_PARAMETER).handler(ServerCommands::configGet),
                    command("config|set", -4).flags("admin", "noscript", "loading", "stale")
                        .acl("@admin", "@slow", "@dangerous").group(SERVER).since("2.0.0")
                        .summary("Sets configuration parameters in-flight.")
                        .complexity(PER_PARAMETER).handler(ServerCommands::configSet),
                    command("config|resetstat", 2).flags("admin", "noscript", "loading", "stale")
                        .acl("@admin", "@slow", "@dangerous").group(SERVER).since("2.0.0")
                        .summary("Resets the server's statistics.")
                        .complexity("O(1)").handler(ServerCommands::configResetStat),
                    command("config|rewrite", 2).flags("admin", "noscript", "loading", "stale")
                        .acl("@admin", "@slow", "@dangerous").group(SERVER).since("2.8.0")
                        .summary("Persists the effective configuration to file.")
                        .complexity("O(1)").handler(ServerCommands::configRewrite),
                    command("config|help", 2).flags("loading", "stale").acl("@slow")
                        .group(SERVER).since("5.0.0")
                        .summary("Returns helpful text about the different subcommands.")
                        .complexity("O(1)").handler(r -> help(r, CONFIG_HELP)))
                .handler(r -> dispatch(r, "CONFIG")),
            command("command", -1).flags("loading", "stale", "sentinel").acl("@slow", "@connection")
                .group(SERVER).since("2.8.13").summary("Returns detailed information about all commands.")
                .complexity(ALL_COMMANDS)
                .subcommands(
                    command("command|count", 2).flags("loading", "stale", "sentinel").acl("@slow", "@connection")
                        .group(SERVER).since("2.8.13").summary("Returns a count of commands.")
                        .complexity("O(1)").handler(ServerCommands::commandCount),
                    command("command|docs", -2).flags("loading", "stale", "sentinel").acl("@slow", "@connection")
                        .group(SERVER).since("7.0.0")
                        .summary("Returns documentary information about one, multiple or all commands.")
                        .complexity(PER_COMMAND).handler(ServerCommands::commandDocs),
                    command("command|getkeys", -3).flags("loading", "stale", "sentinel")
                        .acl("@slow", "@connection").group(SERVER).since("2.8.13")
                        .summary("Extracts the key names from an arbitrary command.")
                        .complexity(PER_ARGUMENT).handler(ServerCommands::commandGetKeys),
                    command("command|help", 2).flags("loading", "stale", "sentinel").acl("@slow", "@connection")
                        .group(SERVER).since("5.0.0")
                        .summary("Returns helpful text about the different subcommands.")
                        .complexity("O(1)").handler(r -> help(r, COMMAND_HELP)),
                    command("command|info", -2).flags("loading", "stale", "sentinel").acl("@slow", "@connection")
                        .group(SERVER).since("2.8.13")
                        .summary("Returns information about one, multiple or all commands.")
                        .complexity(PER_COMMAND).handler(ServerCommands::commandInfo),
                    command("command|list", -2).flags("loading", "stale", "sentinel").acl("@slow", "@connection")
                        .group(SERVER).since("7.0.0").summary("Returns a list of command names.")
                        .complexity(ALL_COMMANDS).handler(ServerCommands::commandList))
                .handler(ServerCommands::commandContainer));
    }

    // ---------------------------------------------------------------- containers

    /** Runs the subcommand named by argument 1, after Redis's unknown-subcommand and arity checks. */
    private static void dispatch(Request r, String container) {
        CommandSpec sub = r.spec().subcommand(r.string(1));
        if (sub == null) {
            throw new CommandError(Errors.unknownSubcommand(r.string(1), container));
        }
        if (!sub.arityAccepts(r.argc())) {
            throw new CommandError(Errors.wrongArity(sub.name()));
        }
        sub.handler().execute(r);
    }

    /** Redis's addReplyHelp: a header naming the command as typed, the lines, then HELP. */
    private static void help(Request r, String[] lines) {
        Reply out = r.reply();
        out.arrayHeader(lines.length + 3);
        out.simple(r.string(0).toUpperCase(Locale.ROOT) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String line : lines) {
            out.simple(line);
        }
        out.simple("HELP");
        out.simple("    Print this help.");
    }

    // ---------------------------------------------------------------- INFO, TIME

    private static void info(Request r) {
        List<String> sections = new ArrayList<>(r.argc() - 1);
        for (int i = 1; i < r.argc(); i++) {
            sections.add(r.string(i));
        }
        r.reply().bulk(new ServerInfo(r.server(), JvmMetrics.current()).generate(sections));
    }

    /** [unix seconds, microseconds within the second], both as bulk strings, from the injected clock. */
    private static void time(Request r) {
        Instant now = r.server().clock().instant();
        Reply out = r.reply();
        out.arrayHeader(2);
        out.bulk(now.getEpochSecond());
        out.bulk(now.getNano() / 1000);
    }

    // ---------------------------------------------------------------- CONFIG

    /*
     * Redis 7 (config.c configGetCommand): a parameter without glob characters is looked up by
     * name, case-insensitively, and answered under the name as the client spelled it; a pattern
     * matches every option name, case-insensitively, answered under the option's own name. An
     * option matched by several parameters appears once.
     */
    private static void configGet(Request r) {
        ServerConfig config = r.server().config();
        Map<String, String> matches = new LinkedHashMap<>(); // option name -> name to answer with
        for (int i = 2; i < r.argc(); i++) {
            String parameter = r.string(i);
            if (parameter.indexOf('*') < 0 && parameter.indexOf('?') < 0 && parameter.indexOf('[') < 0) {
                ServerConfig.Option option = config.option(parameter);
                if (option != null) {
                    matches.putIfAbsent(option.name(), parameter);
                }
                continue;
            }
            for (String name : ServerConfig.options().keySet()) {
                if (!matches.containsKey(name) && Glob.matches(parameter, name, true)) {
                    matches.put(name, name);
                }
            }
        }
        Reply out = r.reply();
        out.mapHeader(matches.size());
        for (Map.Entry<String, String> match : matches.entrySet()) {
            out.bulk(match.getValue());
            out.bulk(config.get(match.getKey()));
        }
    }

    /*
     * Redis 7 (config.c configSetCommand) checks every pair before changing anything. Errors
     * have a precedence: an unknown name wins (the first one is named); otherwise the last
     * immutable or repeated parameter is named; only then are the values validated, all of them
     * before any is applied (ServerConfig.setAll).
     */
    private static void configSet(Request r) {
        if ((r.argc() & 1) != 0) {
            throw new CommandError(Errors.wrongArity("config|set"));
        }
        ServerConfig config = r.server().config();
        String unknown = null;
        String problem = null;
        String problemArgument = null;
        Set<String> seen = new LinkedHashSet<>();
        Map<String, String> changes = new LinkedHashMap<>();
        for (int i = 2; i < r.argc(); i += 2) {
            String name = r.string(i);
            ServerConfig.Option option = config.option(name);
            if (option == null) {
                if (unknown == null) {
                    unknown = name;
                }
                continue;
            }
            if (!option.mutable()) {
                problem = "can't set immutable config";
                problemArgument = name;
                continue;
            }
            if (!seen.add(option.name())) {
                problem = "duplicate parameter";
                problemArgument = name;
                continue;
            }
            changes.put(name, r.string(i + 1));
        }
        if (unknown != null) {
            throw new CommandError("ERR Unknown option or number of arguments for CONFIG SET - '" + unknown + "'");
        }
        if (problem != null) {
            throw new CommandError("ERR CONFIG SET failed (possibly related to argument '" + problemArgument + "') - "
                + problem);
        }
        try {
            config.setAll(changes);
        } catch (ConfigException e) {
            throw new CommandError("ERR " + e.getMessage());
        }
        // The log level is the one option whose new value must be pushed to its user: the log
        // keeps its threshold in a field rather than reading the config on every line.
        if (seen.contains("loglevel")) {
            r.server().log().threshold(ServerLog.parseLevel(config.get("loglevel")));
        }
        r.reply().ok();
    }

    private static void configResetStat(Request r) {
        r.server().stats().reset();
        r.reply().ok();
    }

    /*
     * ringkv never rewrites a configuration file (its options may come from a file and the
     * command line together, and it keeps no record of which); it answers as Redis does when
     * it has no file to rewrite.
     */
    private static void configRewrite(Request r) {
        throw new CommandError(NO_CONFIG_FILE);
    }

    // ---------------------------------------------------------------- COMMAND

    private static void commandContainer(Request r) {
        if (r.argc() == 1) {
            writeAllInfo(r);
            return;
        }
        dispatch(r, "COMMAND");
    }

    private static void writeAllInfo(Request r) {
        Reply out = r.reply();
        var all = r.server().commands().all();
        out.arrayHeader(all.size());
        for (CommandSpec spec : all) {
            writeInfo(out, spec);
        }
    }

    private static void commandCount(Request r) {
        r.reply().integer(r.server().commands().all().size());
    }

    /** One entry per name asked for, in order; a name that is no command answers a null. */
    private static void commandInfo(Request r) {
        if (r.argc() == 2) {
            writeAllInfo(r);
            return;
        }
        Reply out = r.reply();
        out.arrayHeader(r.argc() - 2);
        for (int i = 2; i < r.argc(); i++) {
            CommandSpec spec = lookupFullName(r.server().commands(), r.string(i));
            if (spec == null) {
                out.nullBulk();
            } else {
                writeInfo(out, spec);
            }
        }
    }

    /** Names that are no command are left out of the map, as Redis does. */
    private static void commandDocs(Request r) {
        Reply out = r.reply();
        CommandTable table = r.server().commands();
        List<CommandSpec> specs = new ArrayList<>();
        if (r.argc() == 2) {
            specs.addAll(table.all());
        } else {
            for (int i = 2; i < r.argc(); i++) {
                CommandSpec spec = lookupFullName(table, r.string(i));
                if (spec != null) {
                    specs.add(spec);
                }
            }
        }
        out.mapHeader(specs.size());
        for (CommandSpec spec : specs) {
            out.bulk(spec.name());
            writeDocs(out, spec);
        }
    }

    /*
     * COMMAND LIST [FILTERBY MODULE m | ACLCAT c | PATTERN p]: every command, each container
     * followed by its subcommands. Filters apply to subcommands too. An ACL category is named
     * without '@' and matched case-insensitively; an unknown one (or "@string") matches nothing.
     * ringkv loads no modules, so a MODULE filter matches nothing.
     */
    private static void commandList(Request r) {
        String filterType = null;
        String filterArg = null;
        for (int i = 2; i < r.argc(); i++) {
            int more = r.argc() - 1 - i;
            if (r.keyword(i).equals("filterby") && more == 2) {
                filterType = r.keyword(i + 1);
                if (!filterType.equals("module") && !filterType.equals("aclcat") && !filterType.equals("pattern")) {
                    throw new CommandError(Errors.SYNTAX);
                }
                filterArg = r.string(i + 2);
                i += 2;
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec spec : r.server().commands().allWithSubcommands()) {
            if (filterType == null || listFilterAccepts(spec, filterType, filterArg)) {
                names.add(spec.name());
            }
        }
        r.reply().bulkArray(names.toArray(String[]::new));
    }

    private static boolean listFilterAccepts(CommandSpec spec, String type, String arg) {
        return switch (type) {
            case "module" -> false;
            case "aclcat" -> {
                String category = arg.toLowerCase(Locale.ROOT);
                yield ACL_CATEGORIES.contains(category) && categories(spec).contains(category);
            }
            case "pattern" -> Glob.matches(arg, spec.name(), true);
            default -> throw new IllegalStateException(type);
        };
    }

    /*
     * COMMAND GETKEYS cmd arg...: the keys the table's key positions pick out of the given
     * command line, after Redis's checks in Redis's order (server.c getKeysSubcommandImpl).
     */
    private static void commandGetKeys(Request r) {
        String[] argv = new String[r.argc() - 2];
        for (int i = 2; i < r.argc(); i++) {
            argv[i - 2] = r.string(i);
        }
        CommandSpec spec = r.server().commands().lookup(argv[0]);
        if (spec != null && !spec.subcommands().isEmpty() && argv.length >= 2) {
            spec = spec.subcommand(argv[1]);
        }
        if (spec == null) {
            throw new CommandError(GETKEYS_INVALID_COMMAND);
        }
        if (spec.firstKey() <= 0) {
            throw new CommandError(GETKEYS_NO_KEYS);
        }
        if (!spec.arityAccepts(argv.length)) {
            throw new CommandError(GETKEYS_BAD_ARITY);
        }
        int last = spec.lastKey() < 0 ? argv.length + spec.lastKey() : spec.lastKey();
        int step = Math.max(1, spec.keyStep());
        List<String> keys = new ArrayList<>();
        for (int i = spec.firstKey(); i <= last && i < argv.length; i += step) {
            keys.add(argv[i]);
        }
        if (keys.isEmpty()) {
            if (spec.hasFlag("no_mandatory_keys") || spec.hasFlag("no-mandatory-keys")) {
                r.reply().emptyArray();
                return;
            }
            throw new CommandError(GETKEYS_BAD_ARGS);
        }
        r.reply().bulkArray(keys.toArray(String[]::new));
    }

    /** A command by its full name: "get", or "config|get" for a subcommand (server.c lookupCommandBySds). */
    private static CommandSpec lookupFullName(CommandTable table, String fullName) {
        int bar = fullName.indexOf('|');
        if (bar < 0) {
            return table.lookup(fullName);
        }
        if (fullName.indexOf('|', bar + 1) >= 0) {
            return null;
        }
        CommandSpec container = table.lookup(fullName.substring(0, bar));
        if (container == null || container.subcommands().isEmpty()) {
            return null;
        }
        return container.subcommand(fullName.substring(bar + 1));
    }

    /*
     * Redis 7's 10-element entry: name, arity, flags, first key, last key, key step, ACL
     * categories, tips, key specs, subcommands (each an entry of the same shape). Key specs are
     * answered empty: CommandSpec holds the legacy key range (elements 4-6), not the key
     * specs' access flags, and a key spec with guessed flags would mislead a client more than
     * none at all.
     */
    private static void writeInfo(Reply out, CommandSpec spec) {
        out.arrayHeader(10);
        out.bulk(spec.name());
        out.integer(spec.arity());
        List<String> flags = visibleFlags(spec);
        out.arrayHeader(flags.size());
        for (String flag : flags) {
            out.simple(flag);
        }
        out.integer(spec.firstKey());
        out.integer(spec.lastKey());
        out.integer(spec.keyStep());
        List<String> categories = categories(spec);
        out.arrayHeader(categories.size());
        for (String category : categories) {
            out.simple("@" + category);
        }
        List<String> tips = TIPS.getOrDefault(spec.name(), List.of());
        out.arrayHeader(tips.size());
        for (String tip : tips) {
            out.bulk(tip);
        }
        out.emptyArray();
        out.arrayHeader(spec.subcommands().size());
        for (CommandSpec sub : spec.subcommands()) {
            writeInfo(out, sub);
        }
    }

    /*
     * Redis 7's COMMAND DOCS map (server.c addReplyCommandDocs) in its order: summary, since,
     * group, complexity, then the subcommands as a map of full name to their own docs. Redis
     * also sends "arguments" and "history"; CommandSpec does not describe arguments, so they
     * are left out, as Redis leaves them out for a command that takes none (redis-cli then
     * shows no argument hints for the command).
     */
    private static void writeDocs(Reply out, CommandSpec spec) {
        boolean summary = spec.summary() != null && !spec.summary().isEmpty();
        boolean since = spec.since() != null && !spec.since().isEmpty();
        boolean complexity = spec.complexity() != null && !spec.complexity().isEmpty();
        boolean subcommands = !spec.subcommands().isEmpty();
        out.mapHeader(1 + (summary ? 1 : 0) + (since ? 1 : 0) + (complexity ? 1 : 0) + (subcommands ? 1 : 0));
        if (summary) {
            out.bulk("summary");
            out.bulk(spec.summary());
        }
        if (since) {
            out.bulk("since");
            out.bulk(spec.since());
        }
        out.bulk("group");
        out.bulk(spec.group());
        if (complexity) {
            out.bulk("complexity");
            out.bulk(spec.complexity());
        }
        if (subcommands) {
            out.bulk("subcommands");
            out.mapHeader(spec.subcommands().size());
            for (CommandSpec sub : spec.subcommands()) {
                out.bulk(sub.name());
                writeDocs(out, sub);
            }
        }
    }

    private static String flagKey(String flag) {
        return flag.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** The declared flags Redis shows, in Redis's order and spelling. */
    static List<String> visibleFlags(CommandSpec spec) {
        Set<String> declared = new LinkedHashSet<>();
        for (String flag : spec.flags()) {
            declared.add(flagKey(flag));
        }
        List<String> visible = new ArrayList<>();
        for (String flag : VISIBLE_FLAGS) {
            if (declared.contains(flagKey(flag))) {
                visible.add(flag);
            }
        }
        return visible;
    }

    /*
     * The ACL categories (without '@') in Redis's order: the declared ones plus those Redis
     * derives from the flags (server.c setImplicitACLCategories): write -> @write, readonly ->
     * @read (not for scripting), admin -> @admin and @dangerous, pubsub, fast, blocking, and
     * @slow for every command that is not @fast.
     */
    static List<String> categories(CommandSpec spec) {
        Set<String> set = new LinkedHashSet<>();
        for (String category : spec.aclCategories()) {
            set.add(category.startsWith("@") ? category.substring(1).toLowerCase(Locale.ROOT)
                : category.toLowerCase(Locale.ROOT));
        }
        Set<String> flags = new LinkedHashSet<>();
        for (String flag : spec.flags()) {
            flags.add(flagKey(flag));
        }
        if (flags.contains("write")) {
            set.add("write");
        }
        if (flags.contains("readonly") && !set.contains("scripting")) {
            set.add("read");
        }
        if (flags.contains("admin")) {
            set.addAll(Arrays.asList("admin", "dangerous"));
        }
        if (flags.contains("pubsub")) {
            set.add("pubsub");
        }
        if (flags.contains("fast")) {
            set.add("fast");
        }
        if (flags.contains("blocking")) {
            set.add("blocking");
        }
        if (!set.contains("fast")) {
            set.add("slow");
        }
        List<String> ordered = new ArrayList<>();
        for (String category : ACL_CATEGORIES) {
            if (set.contains(category)) {
                ordered.add(category);
            }
        }
        return ordered;
    }
}
