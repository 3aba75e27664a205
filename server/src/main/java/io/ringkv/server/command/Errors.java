package io.ringkv.server.command;

/** Redis 7's error texts, byte for byte, in one place. */
public final class Errors {

    public static final String SYNTAX = "ERR syntax error";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String NOPROTO = "NOPROTO unsupported protocol version";
    public static final String MAX_CLIENTS = "ERR max number of clients reached";

    private Errors() {
    }

    public static String wrongArity(String commandFullName) {
        return "ERR wrong number of arguments for '" + commandFullName + "' command";
    }

    public static String invalidExpireTime(String command) {
        return "ERR invalid expire time in '" + command + "' command";
    }

    public static String unknownSubcommand(String subcommand, String container) {
        return "ERR unknown subcommand '" + truncate(subcommand, 128) + "'. Try " + container + " HELP.";
    }

    /** Redis: "ERR unknown command 'x', with args beginning with: 'a' 'b' ". */
    public static String unknownCommand(String name, String[] args) {
        StringBuilder b = new StringBuilder();
        for (String arg : args) {
            if (b.length() >= 128) {
                break;
            }
            b.append('\'').append(truncate(arg, 128 - b.length())).append("' ");
        }
        return "ERR unknown command '" + truncate(name, 128) + "', with args beginning with: " + b;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max));
    }
}
