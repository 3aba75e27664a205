package io.ringkv.storage;

/**
 * One stored value and its absolute expiry time.
 *
 * <p>Records are immutable: a write replaces the whole record, so a reader that fetched one can
 * never see it change underneath it. {@code expireAtMillis} is an absolute Unix time in
 * milliseconds, or {@link #NO_EXPIRY}; the engine stores it but does not interpret it, because
 * only the caller knows the current time (time is injected, never read from the system here).
 */
public record Record(byte[] value, long expireAtMillis) {

    /** The expiry value of a record that lives until it is deleted. */
    public static final long NO_EXPIRY = -1L;

    public Record {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
    }

    public static Record persistent(byte[] value) {
        return new Record(value, NO_EXPIRY);
    }

    public boolean hasExpiry() {
        return expireAtMillis != NO_EXPIRY;
    }

    /** True when the record has an expiry before {@code nowMillis}: like Redis, a key lives through its expiry millisecond. */
    public boolean isExpiredAt(long nowMillis) {
        return expireAtMillis != NO_EXPIRY && expireAtMillis < nowMillis;
    }

    public Record withExpiry(long newExpireAtMillis) {
        return new Record(value, newExpireAtMillis);
    }
}
