package io.ringkv.server.command;

import java.util.List;

/**
 * A command declared as data, as Redis declares its commands in src/commands/*.json: what COMMAND
 * INFO and COMMAND DOCS answer and what the dispatcher checks before calling the handler.
 *
 * @param name lower-case name ("get"); for a subcommand "container|sub" ("client|id")
 * @param arity Redis's convention: N means exactly N arguments counting the name, -N at least N
 * @param flags Redis's command flags ("write", "readonly", "fast", "noauth", "loading", "stale", ...)
 * @param firstKey position of the first key argument (0: none)
 * @param lastKey position of the last key (-1: the last argument)
 * @param keyStep distance between keys
 * @param aclCategories Redis's ACL categories ("@string", "@read", "@fast", ...)
 * @param group COMMAND DOCS group ("string", "generic", "connection", "server")
 * @param since the Redis version that introduced the command
 * @param summary COMMAND DOCS summary
 * @param complexity COMMAND DOCS complexity
 * @param handler the code; null for a container whose subcommands do the work
 * @param subcommands for containers (CLIENT, CONFIG, COMMAND)
 */
public record CommandSpec(
    String name,
    int arity,
    List<String> flags,
    int firstKey,
    int lastKey,
    int keyStep,
    List<String> aclCategories,
    String group,
    String since,
    String summary,
    String complexity,
    CommandHandler handler,
    List<CommandSpec> subcommands) {

    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    /** Whether {@code argc} arguments (the name included) satisfy the arity. */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** The subcommand named {@code sub} (case-insensitive), or null. */
    public CommandSpec subcommand(String sub) {
        String full = name + "|" + sub.toLowerCase(java.util.Locale.ROOT);
        for (CommandSpec spec : subcommands) {
            if (spec.name().equals(full)) {
                return spec;
            }
        }
        return null;
    }

    /** A builder, so that the tables read as declarations. */
    public static Builder command(String name, int arity) {
        return new Builder(name, arity);
    }

    public static final class Builder {
        private final String name;
        private final int arity;
        private List<String> flags = List.of();
        private int firstKey;
        private int lastKey;
        private int keyStep;
        private List<String> acl = List.of();
        private String group = "generic";
        private String since = "1.0.0";
        private String summary = "";
        private String complexity = "O(1)";
        private List<CommandSpec> subcommands = List.of();

        private Builder(String name, int arity) {
            this.name = name;
            this.arity = arity;
        }

        public Builder flags(String... flags) {
            this.flags = List.of(flags);
            return this;
        }

        public Builder keys(int first, int last, int step) {
            this.firstKey = first;
            this.lastKey = last;
            this.keyStep = step;
            return this;
        }

        public Builder acl(String... categories) {
            this.acl = List.of(categories);
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder since(String since) {
            this.since = since;
            return this;
        }

        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        public Builder complexity(String complexity) {
            this.complexity = complexity;
            return this;
        }

        public Builder subcommands(CommandSpec... subcommands) {
            this.subcommands = List.of(subcommands);
            return this;
        }

        public CommandSpec handler(CommandHandler handler) {
            return new CommandSpec(name, arity, flags, firstKey, lastKey, keyStep, acl, group, since, summary,
                complexity, handler, subcommands);
        }
    }
}
