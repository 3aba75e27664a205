package io.ringkv.cluster.coordinator;

import java.util.Locale;

/**
 * How many replicas a request waits for: a fixed number, or a level resolved against the key's
 * replica count N when the request runs (ONE = 1, QUORUM = N/2+1, ALL = N). A number above N is
 * clamped to N when resolved, so a default of "3" still works on a two-node cluster (where N is
 * at most 2) instead of failing every request; the reply to such a request says what it needed.
 *
 * @param count the fixed number, or 0 for a named level
 * @param level ONE, QUORUM or ALL when {@code count} is 0
 */
public record Consistency(int count, Level level) {

    public enum Level { ONE, QUORUM, ALL, NUMBER }

    public static final Consistency ONE = new Consistency(0, Level.ONE);
    public static final Consistency QUORUM = new Consistency(0, Level.QUORUM);
    public static final Consistency ALL = new Consistency(0, Level.ALL);

    /** The largest number accepted; replication-factor is at most 16. */
    public static final int MAX_COUNT = 16;

    /**
     * Parses "one", "quorum", "all" (any case) or a number from 1 to {@link #MAX_COUNT}; throws
     * {@link IllegalArgumentException} with a message fit for a client otherwise.
     */
    public static Consistency parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "one":
                return ONE;
            case "quorum":
                return QUORUM;
            case "all":
                return ALL;
            default:
                break;
        }
        int n;
        try {
            n = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("consistency must be a number, ONE, QUORUM or ALL: '" + text + "'");
        }
        if (n < 1 || n > MAX_COUNT) {
            throw new IllegalArgumentException("consistency must be between 1 and " + MAX_COUNT + ": '" + text + "'");
        }
        return new Consistency(n, Level.NUMBER);
    }

    /** The number of replies needed when the key has {@code n} replicas (always 1..n). */
    public int required(int n) {
        int r = switch (level) {
            case ONE -> 1;
            case QUORUM -> n / 2 + 1;
            case ALL -> n;
            case NUMBER -> count;
        };
        return Math.max(1, Math.min(r, n));
    }

    /** The canonical text: "one", "quorum", "all" or the number, as CONFIG GET shows it. */
    @Override
    public String toString() {
        return level == Level.NUMBER ? Integer.toString(count) : level.name().toLowerCase(Locale.ROOT);
    }
}
