package io.ringkv.cluster.replica;

import io.ringkv.storage.Record;
import java.util.Arrays;

/**
 * What one version of a key holds: a value with its absolute expiry, or a tombstone. Deletes are
 * versions too (DESIGN.md): a tombstone supersedes what its writer saw and is itself superseded
 * by later writes, so a delete can neither be undone by a stale replica nor undo a later write.
 *
 * <p>The expiry belongs to the version, not the key: a version written with a TTL is treated as
 * missing after it, on every replica alike, because the time is absolute.
 *
 * @param value the bytes, or null for a tombstone
 * @param expireAtMillis absolute Unix millis, or {@link Record#NO_EXPIRY}
 */
public record StoredValue(byte[] value, long expireAtMillis) {

    public static final StoredValue TOMBSTONE = new StoredValue(null, Record.NO_EXPIRY);

    public static StoredValue of(Record record) {
        return new StoredValue(record.value(), record.expireAtMillis());
    }

    public boolean isTombstone() {
        return value == null;
    }

    /** True when this version reads as a live value at {@code nowMillis}. */
    public boolean isLiveAt(long nowMillis) {
        return value != null && (expireAtMillis == Record.NO_EXPIRY || expireAtMillis >= nowMillis);
    }

    /** The single-node record this version reads as; only for live versions. */
    public Record toRecord() {
        return new Record(value, expireAtMillis);
    }

    /**
     * The order of last resort for the GET winner (after timestamp, node and counter): a
     * tombstone below every value, values by unsigned bytes.
     */
    public static int compare(StoredValue a, StoredValue b) {
        if (a.value == null || b.value == null) {
            return a.value == null ? (b.value == null ? 0 : -1) : 1;
        }
        return Arrays.compareUnsigned(a.value, b.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredValue s && s.expireAtMillis == expireAtMillis && Arrays.equals(s.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(value) + Long.hashCode(expireAtMillis);
    }

    @Override
    public String toString() {
        return value == null ? "tombstone" : "value(" + value.length + " bytes, expire " + expireAtMillis + ")";
    }
}
