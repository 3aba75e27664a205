package io.ringkv.server;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Log lines in redis-server's format ({@code pid:M 25 Nov 2026 14:30:00.123 * message}), so that
 * operators and scripts that read Redis logs read ours. Levels use Redis's markers:
 * {@code .} debug, {@code -} verbose, {@code *} notice, {@code #} warning.
 */
public final class ServerLog {

    public enum Level { DEBUG('.'), VERBOSE('-'), NOTICE('*'), WARNING('#');
        final char marker;

        Level(char marker) {
            this.marker = marker;
        }
    }

    private static final DateTimeFormatter TIME =
        DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final Clock clock;
    private final long pid = ProcessHandle.current().pid();
    private volatile Level threshold;

    public ServerLog(PrintStream out, Clock clock, Level threshold) {
        this.out = out;
        this.clock = clock;
        this.threshold = threshold;
    }

    public void threshold(Level level) {
        this.threshold = level;
    }

    public static Level parseLevel(String redisLevel) {
        return switch (redisLevel) {
            case "debug" -> Level.DEBUG;
            case "verbose" -> Level.VERBOSE;
            case "warning", "nothing" -> Level.WARNING;
            default -> Level.NOTICE;
        };
    }

    public void log(Level level, String message) {
        if (level.ordinal() < threshold.ordinal()) {
            return;
        }
        String line = pid + ":M " + TIME.format(Instant.ofEpochMilli(clock.millis())) + " " + level.marker + " " + message;
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    public void notice(String message) {
        log(Level.NOTICE, message);
    }

    public void warning(String message) {
        log(Level.WARNING, message);
    }

    public void verbose(String message) {
        log(Level.VERBOSE, message);
    }
}
