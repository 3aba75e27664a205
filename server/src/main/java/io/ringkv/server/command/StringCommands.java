package io.ringkv.server.command;

import static io.ringkv.server.command.CommandSpec.command;

import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.server.resp.Reply;
import io.ringkv.storage.Record;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The string family (Redis's t_string.c): GET and SET and everything that reads or rewrites one
 * string value.
 *
 * <p>Atomicity: every command that reads and then writes holds the key's lock across both, which
 * gives INCR, SETNX, GETSET, APPEND and friends the same atomicity a single-threaded Redis gives
 * them. Commands that only read take no lock. MSET and MSETNX hold all their keys' locks, so no
 * reader sees half of an MSET's keys... except a reader of several keys without locks (MGET), which
 * may see a mix, as it could see the keys between two separate SETs. Redis does not promise more
 * than that for MGET against a concurrent MSET on another thread, because it has no other thread.
 *
 * <p>TTLs follow Redis: SET, GETSET, MSET and SETEX replace the TTL (unless KEEPTTL); APPEND,
 * SETRANGE, INCR and friends keep it.
 */
final class StringCommands {

    private StringCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(
            command("get", 2).flags("readonly", "fast").keys(1, 1, 1).acl("@read", "@string", "@fast")
                .group("string").summary("Returns the string value of a key.").handler(StringCommands::get),
            command("set", -3).flags("write", "denyoom").keys(1, 1, 1).acl("@write", "@string", "@slow")
                .group("string").summary("Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.")
                .handler(StringCommands::set),
            command("setnx", 3).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").summary("Set the string value of a key only when the key doesn't exist.")
                .handler(StringCommands::setnx),
            command("setex", 4).flags("write", "denyoom").keys(1, 1, 1).acl("@write", "@string", "@slow")
                .group("string").since("2.0.0").summary("Sets the string value and expiration time of a key. Creates the key if it doesn't exist.")
                .handler(r -> setWithTtl(r, 1000, "setex")),
            command("psetex", 4).flags("write", "denyoom").keys(1, 1, 1).acl("@write", "@string", "@slow")
                .group("string").since("2.6.0").summary("Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.")
                .handler(r -> setWithTtl(r, 1, "psetex")),
            command("getset", 3).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").summary("Returns the previous string value of a key after setting it to a new value.")
                .handler(StringCommands::getset),
            command("getdel", 2).flags("write", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").since("6.2.0").summary("Returns the string value of a key after deleting the key.")
                .handler(StringCommands::getdel),
            command("getex", -2).flags("write", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").since("6.2.0").summary("Returns the string value of a key after setting its expiration time.")
                .handler(StringCommands::getex),
            command("mget", -2).flags("readonly", "fast").keys(1, -1, 1).acl("@read", "@string", "@fast")
                .group("string").complexity("O(N) where N is the number of keys to retrieve.")
                .summary("Atomically returns the string values of one or more keys.").handler(StringCommands::mget),
            command("mset", -3).flags("write", "denyoom").keys(1, -1, 2).acl("@write", "@string", "@slow")
                .group("string").since("1.0.1").complexity("O(N) where N is the number of keys to set.")
                .summary("Atomically creates or modifies the string values of one or more keys.")
                .handler(StringCommands::mset),
            command("msetnx", -3).flags("write", "denyoom").keys(1, -1, 2).acl("@write", "@string", "@slow")
                .group("string").since("1.0.1").complexity("O(N) where N is the number of keys to set.")
                .summary("Atomically modifies the string values of one or more keys only when all keys don't exist.")
                .handler(StringCommands::msetnx),
            command("append", 3).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").since("2.0.0").summary("Appends a string to the value of a key. Creates the key if it doesn't exist.")
                .handler(StringCommands::append),
            command("strlen", 2).flags("readonly", "fast").keys(1, 1, 1).acl("@read", "@string", "@fast")
                .group("string").since("2.2.0").summary("Returns the length of a string value.")
                .handler(StringCommands::strlen),
            command("getrange", 4).flags("readonly").keys(1, 1, 1).acl("@read", "@string", "@slow")
                .group("string").since("2.4.0").complexity("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.")
                .summary("Returns a substring of the string stored at a key.").handler(StringCommands::getrange),
            command("setrange", 4).flags("write", "denyoom").keys(1, 1, 1).acl("@write", "@string", "@slow")
                .group("string").since("2.2.0").complexity("O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.")
                .summary("Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.")
                .handler(StringCommands::setrange),
            command("incr", 2).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").summary("Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.")
                .handler(r -> incrBy(r, 1)),
            command("decr", 2).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").summary("Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.")
                .handler(r -> incrBy(r, -1)),
            command("incrby", 3).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").summary("Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.")
                .handler(r -> incrBy(r, r.longArg(2))),
            command("decrby", 3).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").summary("Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.")
                .handler(StringCommands::decrby),
            command("incrbyfloat", 3).flags("write", "denyoom", "fast").keys(1, 1, 1).acl("@write", "@string", "@fast")
                .group("string").since("2.6.0").summary("Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.")
                .handler(StringCommands::incrbyfloat));
    }

    // ---- reads -------------------------------------------------------------------------------

    private static void get(Request r) {
        Record record = read(r, r.arg(1));
        if (record == null) {
            r.reply().nullBulk();
        } else {
            r.reply().bulk(record.value());
        }
    }

    /** A read lookup that counts keyspace hits and misses, as Redis's lookupKeyRead does. */
    private static Record read(Request r, byte[] key) {
        Record record = r.server().keyspace().get(key);
        countLookup(r, record);
        return record;
    }

    private static void mget(Request r) {
        Reply reply = r.reply();
        Record[] records = r.server().keyspace().getAll(r.args(), 1, 1);
        reply.arrayHeader(records.length);
        for (Record record : records) {
            countLookup(r, record);
            reply.bulk(record == null ? null : record.value());
        }
    }

    private static void strlen(Request r) {
        Record record = read(r, r.arg(1));
        r.reply().integer(record == null ? 0 : record.value().length);
    }

    private static void getrange(Request r) {
        long start = r.longArg(2);
        long end = r.longArg(3);
        Record record = read(r, r.arg(1));
        byte[] value = record == null ? new byte[0] : record.value();
        long length = value.length;
        // Redis 7 (getrangeCommand): both negative and start past end is empty; negatives count
        // from the end and clamp at 0; end clamps at the last byte.
        if (start < 0 && end < 0 && start > end) {
            r.reply().bulk(value, 0, 0);
            return;
        }
        if (start < 0) {
            start = length + start;
        }
        if (end < 0) {
            end = length + end;
        }
        start = Math.max(0, start);
        end = Math.max(0, end);
        if (end >= length) {
            end = length - 1;
        }
        if (start > end || length == 0) {
            r.reply().bulk(value, 0, 0);
            return;
        }
        r.reply().bulk(value, (int) start, (int) (end - start + 1));
    }

    // ---- SET and its relatives ---------------------------------------------------------------

    /** The parsed options of SET or GETEX. */
    private static final class SetOptions {
        boolean nx;
        boolean xx;
        boolean get;
        boolean keepTtl;
        boolean persist;
        /** "ex", "px", "exat" or "pxat", or null without an expiry. */
        String expireUnit;
        /** Where the expiry's amount is; converted only after every option parsed, as Redis. */
        int expireArg = -1;
    }

    private static void set(Request r) {
        SetOptions o = parseSetOptions(r, 3, false);
        long expireAt = o.expireUnit == null ? Record.NO_EXPIRY : absoluteExpiry(r, o, "set");
        byte[] key = r.arg(1);
        byte[] value = r.arg(2);
        Keyspace keyspace = r.server().keyspace();
        if (!o.nx && !o.xx && !o.get && !o.keepTtl) {
            // The common blind write: one lock, no read.
            keyspace.store(key, new Record(value, expireAt));
            r.reply().ok();
            return;
        }
        Record old = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            if ((o.nx && current != null) || (o.xx && current == null)) {
                return current;
            }
            long newExpireAt = o.keepTtl && current != null ? current.expireAtMillis() : expireAt;
            keyspace.put(key, new Record(value, newExpireAt));
            return current;
        });
        if (o.get) {
            // SET ... GET reads the old value as GET does (getGenericCommand), so it counts.
            countLookup(r, old);
        }
        boolean applied = !((o.nx && old != null) || (o.xx && old == null));
        if (o.get) {
            r.reply().bulk(old == null ? null : old.value());
        } else if (applied) {
            r.reply().ok();
        } else {
            r.reply().nullBulk();
        }
    }

    /**
     * SET's and GETEX's options, with Redis's rules (parseExtendedStringArgumentsOrReply): NX and
     * XX exclude each other; the four expiry forms exclude each other and KEEPTTL (PERSIST for
     * GETEX), but one form may repeat, the last amount winning ("EX 1 EX 2" is EX 2, and the
     * first amount is never even parsed). Only syntax is checked here: the amount is converted
     * afterwards, so "EX abc NX XX" is a syntax error, not a bad integer.
     */
    private static SetOptions parseSetOptions(Request r, int from, boolean getex) {
        SetOptions o = new SetOptions();
        for (int i = from; i < r.argc(); i++) {
            String option = asciiLower(r.arg(i));
            boolean hasNext = i + 1 < r.argc();
            switch (option) {
                case "nx" -> {
                    if (getex || o.xx) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                    o.nx = true;
                }
                case "xx" -> {
                    if (getex || o.nx) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                    o.xx = true;
                }
                case "get" -> {
                    if (getex) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                    o.get = true;
                }
                case "keepttl" -> {
                    if (getex || o.expireUnit != null) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                    o.keepTtl = true;
                }
                case "persist" -> {
                    if (!getex || o.expireUnit != null) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                    o.persist = true;
                }
                case "ex", "px", "exat", "pxat" -> {
                    if (!hasNext || o.keepTtl || o.persist
                        || (o.expireUnit != null && !o.expireUnit.equals(option))) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                    o.expireUnit = option;
                    o.expireArg = ++i;
                }
                default -> throw new CommandError(Errors.SYNTAX);
            }
        }
        return o;
    }

    /**
     * An option name as Redis compares it: byte by byte, ASCII case-insensitively (String's
     * toLowerCase would also fold non-ASCII letters, the Kelvin sign into 'k'), and as a C string,
     * so it ends at the first zero byte ("NX\0junk" is NX).
     */
    private static String asciiLower(byte[] arg) {
        StringBuilder name = new StringBuilder(arg.length);
        for (byte b : arg) {
            int c = b & 0xff;
            if (c == 0) {
                break;
            }
            name.append((char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
        }
        return name.toString();
    }

    /** The parsed expiry of SET or GETEX as absolute milliseconds (getExpireMillisOrReply). */
    private static long absoluteExpiry(Request r, SetOptions o, String command) {
        return absoluteExpiry(r, o.expireUnit, r.longArg(o.expireArg), command);
    }

    /** EX/PX/EXAT/PXAT to absolute milliseconds, refusing non-positive and overflowing times. */
    private static long absoluteExpiry(Request r, String unit, long amount, String command) {
        if (amount <= 0) {
            throw new CommandError(Errors.invalidExpireTime(command));
        }
        boolean seconds = unit.equals("ex") || unit.equals("exat");
        boolean relative = unit.equals("ex") || unit.equals("px");
        try {
            long millis = seconds ? Math.multiplyExact(amount, 1000L) : amount;
            return relative ? Math.addExact(millis, r.server().keyspace().now()) : millis;
        } catch (ArithmeticException e) {
            throw new CommandError(Errors.invalidExpireTime(command));
        }
    }

    private static void setnx(Request r) {
        byte[] key = r.arg(1);
        Keyspace keyspace = r.server().keyspace();
        boolean created = keyspace.locked(key, () -> {
            if (keyspace.get(key) != null) {
                return false;
            }
            keyspace.put(key, Record.persistent(r.arg(2)));
            return true;
        });
        r.reply().bool(created);
    }

    private static void setWithTtl(Request r, long unitMillis, String command) {
        long amount = r.longArg(2);
        long expireAt = absoluteExpiry(r, unitMillis == 1000 ? "ex" : "px", amount, command);
        r.server().keyspace().store(r.arg(1), new Record(r.arg(3), expireAt));
        r.reply().ok();
    }

    private static void getset(Request r) {
        byte[] key = r.arg(1);
        Keyspace keyspace = r.server().keyspace();
        Record old = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            keyspace.put(key, Record.persistent(r.arg(2)));
            return current;
        });
        countLookup(r, old); // GETSET reads as GET does
        r.reply().bulk(old == null ? null : old.value());
    }

    /** Counts a read lookup's keyspace hit or miss, as lookupKeyRead does. */
    private static void countLookup(Request r, Record found) {
        (found == null ? r.server().stats().keyspaceMisses : r.server().stats().keyspaceHits).increment();
    }

    private static void getdel(Request r) {
        byte[] key = r.arg(1);
        Keyspace keyspace = r.server().keyspace();
        Record old = keyspace.locked(key, () -> keyspace.remove(key));
        countLookup(r, old);
        r.reply().bulk(old == null ? null : old.value());
    }

    /**
     * GETEX follows Redis's order (getexCommand): options syntax first, then the lookup (counted),
     * and only for an existing key the expiry amount, so "GETEX missing EX 0" answers nil. An
     * EXAT/PXAT already reached (at or before now) deletes the key outright, which is not counted
     * as an expiry; note the asymmetry with SET, whose key lives through its expiry millisecond.
     */
    private static void getex(Request r) {
        SetOptions o = parseSetOptions(r, 2, true);
        byte[] key = r.arg(1);
        Keyspace keyspace = r.server().keyspace();
        Record record = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            countLookup(r, current);
            if (current == null) {
                return null;
            }
            if (o.expireUnit != null) {
                long expireAt = absoluteExpiry(r, o, "getex");
                boolean absolute = o.expireUnit.equals("exat") || o.expireUnit.equals("pxat");
                if (absolute && expireAt <= keyspace.now()) {
                    keyspace.remove(key);
                } else {
                    keyspace.put(key, current.withExpiry(expireAt));
                }
            } else if (o.persist && current.hasExpiry()) {
                keyspace.put(key, current.withExpiry(Record.NO_EXPIRY));
            }
            return current;
        });
        r.reply().bulk(record == null ? null : record.value());
    }

    private static void mset(Request r) {
        if (r.argc() % 2 == 0) {
            throw r.wrongArity();
        }
        byte[][] keys = keysOfPairs(r);
        Keyspace keyspace = r.server().keyspace();
        Record[] records = new Record[keys.length];
        for (int i = 0; i < keys.length; i++) {
            records[i] = Record.persistent(r.arg(2 + 2 * i));
        }
        keyspace.locked(keys, () -> {
            keyspace.putAll(keys, records);
            return null;
        });
        r.reply().ok();
    }

    private static void msetnx(Request r) {
        if (r.argc() % 2 == 0) {
            throw r.wrongArity();
        }
        byte[][] keys = keysOfPairs(r);
        Keyspace keyspace = r.server().keyspace();
        boolean applied = keyspace.locked(keys, () -> {
            for (byte[] key : keys) {
                if (keyspace.get(key) != null) {
                    return false;
                }
            }
            for (int i = 1; i < r.argc(); i += 2) {
                keyspace.put(r.arg(i), Record.persistent(r.arg(i + 1)));
            }
            return true;
        });
        r.reply().bool(applied);
    }

    private static byte[][] keysOfPairs(Request r) {
        byte[][] keys = new byte[(r.argc() - 1) / 2][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = r.arg(1 + 2 * i);
        }
        return keys;
    }

    private static void append(Request r) {
        byte[] key = r.arg(1);
        byte[] suffix = r.arg(2);
        Keyspace keyspace = r.server().keyspace();
        long length = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            if (current == null) {
                keyspace.put(key, Record.persistent(suffix));
                return (long) suffix.length;
            }
            long total = (long) current.value().length + suffix.length;
            checkSize(r, total);
            byte[] joined = Arrays.copyOf(current.value(), (int) total);
            System.arraycopy(suffix, 0, joined, current.value().length, suffix.length);
            keyspace.put(key, new Record(joined, current.expireAtMillis()));
            return total;
        });
        r.reply().integer(length);
    }

    private static void checkSize(Request r, long total) {
        if (total > r.server().config().protoMaxBulkLen()) {
            throw new CommandError(Errors.STRING_TOO_LONG);
        }
    }

    private static void setrange(Request r) {
        long offset = r.longArg(2);
        byte[] key = r.arg(1);
        byte[] patch = r.arg(3);
        if (offset < 0) {
            throw new CommandError(Errors.OFFSET_OUT_OF_RANGE);
        }
        Keyspace keyspace = r.server().keyspace();
        long length = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            byte[] value = current == null ? new byte[0] : current.value();
            if (patch.length == 0) {
                // Nothing to write: Redis answers the current length and creates no key.
                return (long) value.length;
            }
            // offset may be near Long.MAX_VALUE: compare without overflowing (checkStringLength).
            if (offset > r.server().config().protoMaxBulkLen() - patch.length) {
                throw new CommandError(Errors.STRING_TOO_LONG);
            }
            long needed = offset + patch.length;
            byte[] updated = Arrays.copyOf(value, (int) Math.max(value.length, needed));
            System.arraycopy(patch, 0, updated, (int) offset, patch.length);
            keyspace.put(key, new Record(updated, current == null ? Record.NO_EXPIRY : current.expireAtMillis()));
            return (long) updated.length;
        });
        r.reply().integer(length);
    }

    // ---- counters ----------------------------------------------------------------------------

    private static void decrby(Request r) {
        long decrement = r.longArg(2);
        if (decrement == Long.MIN_VALUE) {
            throw new CommandError("ERR decrement would overflow");
        }
        incrBy(r, -decrement);
    }

    private static void incrBy(Request r, long delta) {
        byte[] key = r.arg(1);
        Keyspace keyspace = r.server().keyspace();
        long result = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            long value = 0;
            if (current != null) {
                long[] parsed = new long[1];
                if (!Numbers.parseLong(current.value(), parsed)) {
                    throw new CommandError(Errors.NOT_INTEGER);
                }
                value = parsed[0];
            }
            long next;
            try {
                next = Math.addExact(value, delta);
            } catch (ArithmeticException e) {
                throw new CommandError(Errors.OVERFLOW);
            }
            keyspace.put(key, new Record(Long.toString(next).getBytes(StandardCharsets.US_ASCII),
                current == null ? Record.NO_EXPIRY : current.expireAtMillis()));
            return next;
        });
        r.reply().integer(result);
    }

    /** INCRBYFLOAT computes in C's long double, as Redis does: see {@link Numbers#incrByFloat}. */
    private static void incrbyfloat(Request r) {
        byte[] key = r.arg(1);
        Keyspace keyspace = r.server().keyspace();
        String result = keyspace.locked(key, () -> {
            Record current = keyspace.get(key);
            String text = Numbers.incrByFloat(current == null ? null : current.value(), r.arg(2));
            keyspace.put(key, new Record(text.getBytes(StandardCharsets.US_ASCII),
                current == null ? Record.NO_EXPIRY : current.expireAtMillis()));
            return text;
        });
        r.reply().bulk(result);
    }
}
