package io.ringkv.server.config;

import java.util.List;
import java.util.Locale;

/**
 * How an option's text is checked and normalised, with Redis's reasons for refusing a value
 * (config.c), so that CONFIG SET and the config file fail the way redis-server does.
 */
public sealed interface OptionType {

    /** The canonical text of {@code value} (what CONFIG GET will answer), or a refusal. */
    String normalise(String value) throws ConfigException;

    /** A whole number in [min, max]. */
    record Integer(long min, long max) implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            long parsed;
            try {
                parsed = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("argument couldn't be parsed into an integer");
            }
            if (parsed < min || parsed > max) {
                throw new ConfigException("argument must be between " + min + " and " + max + " inclusive");
            }
            return Long.toString(parsed);
        }
    }

    /** A byte count with Redis's units: k=1000, kb=1024, m, mb, g, gb (case-insensitive). */
    record Memory(long min, long max) implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            long bytes = parseMemory(value);
            if (bytes < min || bytes > max) {
                throw new ConfigException("argument must be between " + min + " and " + max + " inclusive");
            }
            return Long.toString(bytes);
        }

        public static long parseMemory(String value) throws ConfigException {
            String text = value.trim().toLowerCase(Locale.ROOT);
            long multiplier = 1;
            String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"},
                {"k", "1000"}, {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
            for (String[] unit : units) {
                if (text.endsWith(unit[0])) {
                    multiplier = Long.parseLong(unit[1]);
                    text = text.substring(0, text.length() - unit[0].length());
                    break;
                }
            }
            try {
                return Math.multiplyExact(Long.parseLong(text), multiplier);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new ConfigException("argument must be a memory value");
            }
        }
    }

    /** yes / no. */
    record Bool() implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("yes") || v.equals("no")) {
                return v;
            }
            throw new ConfigException("argument must be 'yes' or 'no'");
        }
    }

    /** One of a fixed set of words. */
    record Choice(List<String> values) implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (values.contains(v)) {
                return v;
            }
            throw new ConfigException("argument(s) must be one of the following: " + String.join(", ", values));
        }
    }

    /** A thread count in [1, max], or "auto". */
    record ThreadCount(int max) implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("auto")) {
                return v;
            }
            return new Integer(1, max).normalise(v);
        }
    }

    /** Free text. */
    record Text() implements OptionType {
        @Override
        public String normalise(String value) {
            return value;
        }
    }

    /** A replication factor: a number, or a count per datacenter like dc1:2,dc2:1 (see ReplicationFactor). */
    record Replication() implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            try {
                return io.ringkv.cluster.ring.ReplicationFactor.parse(value).toString();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    /** A consistency level: a number, one, quorum, all, local_quorum or each_quorum (see Consistency). */
    record Quorum() implements OptionType {
        @Override
        public String normalise(String value) throws ConfigException {
            try {
                return io.ringkv.cluster.coordinator.Consistency.parse(value).toString();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }
}
