package io.ringkv.server.command;

import static io.ringkv.server.command.CommandSpec.command;

import io.ringkv.server.keyspace.Glob;
import io.ringkv.server.keyspace.Keyspace;
import io.ringkv.storage.Record;
import java.util.Arrays;
import java.util.List;

/**
 * The generic keyspace commands (Redis's db.c and expire.c): deleting, testing, renaming, copying
 * and scanning keys, and their time to live.
 *
 * <p>Locking: every command that changes a key holds that key's lock across its read and its
 * write, so that "read the record, decide, write" is atomic against a concurrent SET or the
 * active-expiry thread. Commands that change several keys (DEL with several keys, RENAME, COPY)
 * take all their stripes at once through {@link Keyspace#locked(byte[][], java.util.function.Supplier)},
 * which orders them and so cannot deadlock. Plain reads (EXISTS, TTL, TYPE) take no lock.
 *
 * <p>Only database 0 exists: COPY ... DB 0 is accepted, any other index is out of range.
 */
final class KeyCommands {

    private static final String SAME_OBJECT = "ERR source and destination objects are the same";
    private static final String INVALID_CURSOR = "ERR invalid cursor";
    private static final String EXPIRE_NX_AND_OTHERS =
        "ERR NX and XX, GT or LT options at the same time are not compatible";
    private static final String EXPIRE_GT_AND_LT = "ERR GT and LT options at the same time are not compatible";
    private static final String INT_OUT_OF_RANGE =
        "ERR value is out of range, value must between -2147483648 and 2147483647";

    /** EXPIRE's condition flags (expire.c EXPIRE_NX ...). */
    private static final int EXPIRE_NX = 1;
    private static final int EXPIRE_XX = 1 << 1;
    private static final int EXPIRE_GT = 1 << 2;
    private static final int EXPIRE_LT = 1 << 3;

    /** SCAN's default COUNT, as in Redis. */
    private static final long SCAN_DEFAULT_COUNT = 10;

    private KeyCommands() {
    }

    static List<CommandSpec> specs() {
        return List.of(
            command("del", -2).flags("write").keys(1, -1, 1)
                .acl("@keyspace", "@write", "@slow").since("1.0.0").summary("Delete a key")
                .complexity("O(N) where N is the number of keys that will be removed. When a key to remove holds "
                    + "a value other than a string, the individual complexity for this key is O(M) where M is "
                    + "the number of elements in the list, set, sorted set or hash. Removing a single key that "
                    + "holds a string value is O(1).")
                .handler(KeyCommands::del),
            command("unlink", -2).flags("write", "fast").keys(1, -1, 1)
                .acl("@keyspace", "@write", "@fast").since("4.0.0")
                .summary("Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
                    + "blocking.")
                .complexity("O(1) for each key removed regardless of its size. Then the command does O(N) work "
                    + "in a different thread in order to reclaim memory, where N is the number of allocations "
                    + "the deleted objects where composed of.")
                .handler(KeyCommands::del),
            command("exists", -2).flags("readonly", "fast").keys(1, -1, 1)
                .acl("@keyspace", "@read", "@fast").since("1.0.0").summary("Determine if a key exists")
                .complexity("O(N) where N is the number of keys to check.")
                .handler(KeyCommands::exists),
            command("touch", -2).flags("readonly", "fast").keys(1, -1, 1)
                .acl("@keyspace", "@read", "@fast").since("3.2.1")
                .summary("Alters the last access time of a key(s). Returns the number of existing keys "
                    + "specified.")
                .complexity("O(N) where N is the number of keys that will be touched.")
                .handler(KeyCommands::exists),
            command("type", 2).flags("readonly", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@read", "@fast").since("1.0.0").summary("Determine the type stored at key")
                .complexity("O(1)")
                .handler(KeyCommands::type),
            command("expire", -3).flags("write", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@write", "@fast").since("1.0.0").summary("Set a key's time to live in seconds")
                .complexity("O(1)")
                .handler(r -> expire(r, true, true)),
            command("pexpire", -3).flags("write", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@write", "@fast").since("2.6.0")
                .summary("Set a key's time to live in milliseconds")
                .complexity("O(1)")
                .handler(r -> expire(r, true, false)),
            command("expireat", -3).flags("write", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@write", "@fast").since("1.2.0")
                .summary("Set the expiration for a key as a UNIX timestamp")
                .complexity("O(1)")
                .handler(r -> expire(r, false, true)),
            command("pexpireat", -3).flags("write", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@write", "@fast").since("2.6.0")
                .summary("Set the expiration for a key as a UNIX timestamp specified in milliseconds")
                .complexity("O(1)")
                .handler(r -> expire(r, false, false)),
            command("expiretime", 2).flags("readonly", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@read", "@fast").since("7.0.0")
                .summary("Get the expiration Unix timestamp for a key")
                .complexity("O(1)")
                .handler(r -> ttl(r, false, true)),
            command("pexpiretime", 2).flags("readonly", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@read", "@fast").since("7.0.0")
                .summary("Get the expiration Unix timestamp for a key in milliseconds")
                .complexity("O(1)")
                .handler(r -> ttl(r, true, true)),
            command("ttl", 2).flags("readonly", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@read", "@fast").since("1.0.0")
                .summary("Get the time to live for a key in seconds")
                .complexity("O(1)")
                .handler(r -> ttl(r, false, false)),
            command("pttl", 2).flags("readonly", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@read", "@fast").since("2.6.0")
                .summary("Get the time to live for a key in milliseconds")
                .complexity("O(1)")
                .handler(r -> ttl(r, true, false)),
            command("persist", 2).flags("write", "fast").keys(1, 1, 1)
                .acl("@keyspace", "@write", "@fast").since("2.2.0").summary("Remove the expiration from a key")
                .complexity("O(1)")
                .handler(KeyCommands::persist),
            command("keys", 2).flags("readonly")
                .acl("@keyspace", "@read", "@slow", "@dangerous").since("1.0.0")
                .summary("Find all keys matching the given pattern")
                .complexity("O(N) with N being the number of keys in the database, under the assumption that "
                    + "the key names in the database and the given pattern have limited length.")
                .handler(KeyCommands::keys),
            command("scan", -2).flags("readonly")
                .acl("@keyspace", "@read", "@slow").since("2.8.0").summary("Incrementally iterate the keys space")
                .complexity("O(1) for every call. O(N) for a complete iteration, including enough command calls "
                    + "for the cursor to return back to 0. N is the number of elements inside the collection.")
                .handler(KeyCommands::scan),
            command("randomkey", 1).flags("readonly")
                .acl("@keyspace", "@read", "@slow").since("1.0.0").summary("Return a random key from the keyspace")
                .complexity("O(1)")
                .handler(KeyCommands::randomKey),
            command("rename", 3).flags("write").keys(1, 2, 1)
                .acl("@keyspace", "@write", "@slow").since("1.0.0").summary("Rename a key")
                .complexity("O(1)")
                .handler(r -> rename(r, false)),
            command("renamenx", 3).flags("write", "fast").keys(1, 2, 1)
                .acl("@keyspace", "@write", "@fast").since("1.0.0")
                .summary("Rename a key, only if the new key does not exist")
                .complexity("O(1)")
                .handler(r -> rename(r, true)),
            command("copy", -3).flags("write", "denyoom").keys(1, 2, 1)
                .acl("@keyspace", "@write", "@slow").since("6.2.0").summary("Copy a key")
                .complexity("O(N) worst case for collections, where N is the number of nested items. O(1) for "
                    + "string values.")
                .handler(KeyCommands::copy),
            command("dbsize", 1).flags("readonly", "fast")
                .acl("@keyspace", "@read", "@fast").group("server").since("1.0.0")
                .summary("Return the number of keys in the selected database")
                .complexity("O(1)")
                .handler(r -> r.reply().integer(r.server().keyspace().size())),
            command("flushdb", -1).flags("write")
                .acl("@keyspace", "@write", "@slow", "@dangerous").group("server").since("1.0.0")
                .summary("Remove all keys from the current database")
                .complexity("O(N) where N is the number of keys in the selected database")
                .handler(KeyCommands::flush),
            command("flushall", -1).flags("write")
                .acl("@keyspace", "@write", "@slow", "@dangerous").group("server").since("1.0.0")
                .summary("Remove all keys from all databases")
                .complexity("O(N) where N is the total number of keys in all databases")
                .handler(KeyCommands::flush));
    }

    /*
     * DEL and UNLINK. Each key counts once: a key named twice is gone the second time. UNLINK is
     * DEL here, since a record is dropped in O(1) and nothing is left to reclaim in the
     * background. Several keys are deleted under all their locks at once, so no reader sees half
     * of a multi-key DEL applied.
     */
    private static void del(Request r) {
        Keyspace keyspace = r.server().keyspace();
        long deleted;
        if (r.argc() == 2) {
            byte[] key = r.arg(1);
            deleted = keyspace.locked(key, () -> keyspace.remove(key) != null ? 1L : 0L);
        } else {
            byte[][] keys = Arrays.copyOfRange(r.args(), 1, r.argc());
            deleted = keyspace.locked(keys, () -> keyspace.removeAll(keys));
        }
        r.reply().integer(deleted);
    }

    /** EXISTS and TOUCH: how many of the arguments name live keys, repeats counted each time. */
    private static void exists(Request r) {
        Keyspace keyspace = r.server().keyspace();
        long count = 0;
        for (Record record : keyspace.getAll(r.args(), 1, 1)) {
            if (record != null) {
                count++;
            }
        }
        r.reply().integer(count);
    }

    private static void type(Request r) {
        r.reply().simple(r.server().keyspace().get(r.arg(1)) == null ? "none" : "string");
    }

    /*
     * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (expire.c expireGenericCommand). The checks run in
     * Redis's order, which decides which error a client sees when several apply: the options
     * first, then the integer, then overflow of the conversion to absolute milliseconds, and only
     * then the key. The TTL is turned into an absolute time once, from one reading of the clock,
     * and the same reading decides whether that time is already past: a time at or before now
     * deletes the key (and still answers 1), as Redis does on a master.
     *
     * NX: only if the key has no TTL. XX: only if it has one. GT / LT compare with the current
     * expiry, a key without one counting as an infinite TTL: GT never applies to it and LT always
     * does. XX may be combined with GT or LT; NX with nothing.
     */
    private static void expire(Request r, boolean relative, boolean seconds) {
        int flags = parseExpireFlags(r);
        long when = r.longArg(2);
        long now = r.server().keyspace().now();
        long basetime = relative ? now : 0;
        if (seconds) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw new CommandError(Errors.invalidExpireTime(r.spec().name()));
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - basetime) {
            throw new CommandError(Errors.invalidExpireTime(r.spec().name()));
        }
        long expireAt = when + basetime;
        Keyspace keyspace = r.server().keyspace();
        byte[] key = r.arg(1);
        boolean applied = keyspace.locked(key, () -> {
            Record record = keyspace.get(key);
            if (record == null) {
                return false;
            }
            long current = record.expireAtMillis(); // Record.NO_EXPIRY (-1) as in Redis's getExpire
            boolean hasExpiry = record.hasExpiry();
            if ((flags & EXPIRE_NX) != 0 && hasExpiry) {
                return false;
            }
            if ((flags & EXPIRE_XX) != 0 && !hasExpiry) {
                return false;
            }
            if ((flags & EXPIRE_GT) != 0 && (!hasExpiry || expireAt <= current)) {
                return false;
            }
            if ((flags & EXPIRE_LT) != 0 && hasExpiry && expireAt >= current) {
                return false;
            }
            if (expireAt <= now) {
                keyspace.remove(key);
            } else {
                keyspace.put(key, record.withExpiry(expireAt));
            }
            return true;
        });
        r.reply().bool(applied);
    }

    /** expire.c parseExtendedExpireArgumentsOrReply: every argument after the time is an option. */
    private static int parseExpireFlags(Request r) {
        int flags = 0;
        for (int j = 3; j < r.argc(); j++) {
            switch (r.keyword(j)) {
                case "nx" -> flags |= EXPIRE_NX;
                case "xx" -> flags |= EXPIRE_XX;
                case "gt" -> flags |= EXPIRE_GT;
                case "lt" -> flags |= EXPIRE_LT;
                default -> throw new CommandError("ERR Unsupported option " + r.string(j));
            }
        }
        if ((flags & EXPIRE_NX) != 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) != 0) {
            throw new CommandError(EXPIRE_NX_AND_OTHERS);
        }
        if ((flags & EXPIRE_GT) != 0 && (flags & EXPIRE_LT) != 0) {
            throw new CommandError(EXPIRE_GT_AND_LT);
        }
        return flags;
    }

    /*
     * TTL, PTTL, EXPIRETIME, PEXPIRETIME (expire.c ttlGenericCommand): -2 for a missing key, -1
     * for a key without expiry. A remaining time that has just gone negative reads as 0. Seconds
     * are rounded to the nearest ((ms + 500) / 1000), not truncated, so a key set with EXPIRE 10
     * reads TTL 10 right after, not 9.
     */
    private static void ttl(Request r, boolean millis, boolean absolute) {
        Keyspace keyspace = r.server().keyspace();
        Record record = keyspace.get(r.arg(1));
        if (record == null) {
            r.reply().integer(-2);
            return;
        }
        if (!record.hasExpiry()) {
            r.reply().integer(-1);
            return;
        }
        long ttl = absolute ? record.expireAtMillis() : record.expireAtMillis() - keyspace.now();
        if (ttl < 0) {
            ttl = 0;
        }
        r.reply().integer(millis ? ttl : (ttl + 500) / 1000);
    }

    private static void persist(Request r) {
        Keyspace keyspace = r.server().keyspace();
        byte[] key = r.arg(1);
        boolean removed = keyspace.locked(key, () -> {
            Record record = keyspace.get(key);
            if (record == null || !record.hasExpiry()) {
                return false;
            }
            keyspace.put(key, record.withExpiry(Record.NO_EXPIRY));
            return true;
        });
        r.reply().bool(removed);
    }

    private static void keys(Request r) {
        List<byte[]> keys = r.server().keyspace().keys(r.arg(1));
        r.reply().arrayHeader(keys.size());
        for (byte[] key : keys) {
            r.reply().bulk(key);
        }
    }

    /*
     * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] (db.c scanGenericCommand). The cursor
     * is parsed before the options, so a bad cursor wins over a bad option. Options may repeat;
     * the last one counts. A TYPE naming no known type matches nothing (Redis 7.0 compares names).
     * MATCH * is no filter at all, as in Redis, which also makes it match an empty key name that
     * the matcher proper would reject. The reply's cursor is a bulk string.
     */
    private static void scan(Request r) {
        long cursor = parseCursor(r.arg(1));
        long count = SCAN_DEFAULT_COUNT;
        byte[] pattern = null;
        String type = null;
        int i = 2;
        while (i < r.argc()) {
            int remaining = r.argc() - i;
            String option = r.keyword(i);
            if (option.equals("count") && remaining >= 2) {
                count = r.longArg(i + 1);
                if (count < 1) {
                    throw new CommandError(Errors.SYNTAX);
                }
            } else if (option.equals("match") && remaining >= 2) {
                pattern = Glob.matchesEverything(r.arg(i + 1)) ? null : r.arg(i + 1);
            } else if (option.equals("type") && remaining >= 2) {
                type = r.string(i + 1);
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
            i += 2;
        }
        Keyspace.ScanPage page = r.server().keyspace().scan(cursor, count, pattern, type);
        r.reply().arrayHeader(2);
        r.reply().bulk(Long.toUnsignedString(page.nextCursor()));
        r.reply().arrayHeader(page.keys().size());
        for (byte[] key : page.keys()) {
            r.reply().bulk(key);
        }
    }

    /*
     * util.c string2ull, as SCAN parses its cursor: a strict 64-bit integer that is not negative,
     * or else whatever strtoull accepts in full (leading blanks, a sign, digits up to 2^64-1; a
     * '-' wraps as C does). An unsigned cursor above Long.MAX_VALUE comes back negative here and
     * the keyspace treats it, like any cursor past the last slot, as the end of the iteration.
     */
    private static long parseCursor(byte[] s) {
        long[] out = new long[1];
        if (Numbers.parseLong(s, out)) {
            if (out[0] < 0) {
                throw new CommandError(INVALID_CURSOR);
            }
            return out[0];
        }
        int i = 0;
        while (i < s.length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < s.length && (s[i] == '+' || s[i] == '-')) {
            negative = s[i] == '-';
            i++;
        }
        int digitsFrom = i;
        while (i < s.length && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        if (i == digitsFrom || i != s.length) {
            throw new CommandError(INVALID_CURSOR);
        }
        long value;
        try {
            value = Long.parseUnsignedLong(new String(s, digitsFrom, i - digitsFrom,
                java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new CommandError(INVALID_CURSOR); // ERANGE
        }
        return negative ? -value : value;
    }

    private static void randomKey(Request r) {
        r.reply().bulk(r.server().keyspace().randomKey()); // null bulk when empty
    }

    /*
     * RENAME and RENAMENX (db.c renameGenericCommand). A missing source is an error even when
     * both names are the same; renaming a key onto itself is then a no-op (RENAME OK, RENAMENX 0).
     * The TTL travels with the value because the record holds an absolute expiry time. Both keys
     * are changed under both locks, so nobody sees the value under both names or under neither.
     */
    private static void rename(Request r, boolean nx) {
        Keyspace keyspace = r.server().keyspace();
        byte[] source = r.arg(1);
        byte[] destination = r.arg(2);
        boolean sameKey = Arrays.equals(source, destination);
        boolean renamed = keyspace.locked(new byte[][] {source, destination}, () -> {
            Record record = keyspace.get(source);
            if (record == null) {
                throw new CommandError(Errors.NO_SUCH_KEY);
            }
            if (sameKey) {
                return false;
            }
            if (nx && keyspace.get(destination) != null) {
                return false;
            }
            keyspace.put(destination, record);
            keyspace.remove(source);
            return true;
        });
        if (nx) {
            r.reply().bool(renamed);
        } else {
            r.reply().ok();
        }
    }

    /*
     * COPY source destination [DB db] [REPLACE] (db.c copyCommand). Options are parsed first, left
     * to right, so the first bad one decides the error. Only database 0 exists, so DB 0 is the
     * only index in range. Copying a key onto itself in the same database is an error, checked
     * before the source is looked up. The copy keeps the source's TTL.
     */
    private static void copy(Request r) {
        boolean replace = false;
        for (int j = 3; j < r.argc(); j++) {
            int additional = r.argc() - j - 1;
            String option = r.keyword(j);
            if (option.equals("replace")) {
                replace = true;
            } else if (option.equals("db") && additional >= 1) {
                long db = r.longArg(j + 1);
                if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
                    throw new CommandError(INT_OUT_OF_RANGE);
                }
                if (db != 0) {
                    throw new CommandError(Errors.DB_INDEX_OUT_OF_RANGE);
                }
                j++;
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        byte[] source = r.arg(1);
        byte[] destination = r.arg(2);
        if (Arrays.equals(source, destination)) {
            throw new CommandError(SAME_OBJECT);
        }
        boolean overwrite = replace;
        Keyspace keyspace = r.server().keyspace();
        boolean copied = keyspace.locked(new byte[][] {source, destination}, () -> {
            Record record = keyspace.get(source);
            if (record == null) {
                return false;
            }
            if (!overwrite && keyspace.get(destination) != null) {
                return false;
            }
            // A copy of the bytes, so that the two keys never share a mutable array.
            keyspace.put(destination, new Record(record.value().clone(), record.expireAtMillis()));
            return true;
        });
        r.reply().bool(copied);
    }

    /*
     * FLUSHDB and FLUSHALL [ASYNC|SYNC] (db.c getFlushCommandFlags): one optional mode, anything
     * else is a syntax error. Both modes clear synchronously: dropping the engine's maps is cheap.
     */
    private static void flush(Request r) {
        if (r.argc() == 2) {
            String mode = r.keyword(1);
            if (!mode.equals("sync") && !mode.equals("async")) {
                throw new CommandError(Errors.SYNTAX);
            }
        } else if (r.argc() != 1) {
            throw new CommandError(Errors.SYNTAX);
        }
        r.server().keyspace().clear();
        r.reply().ok();
    }
}
