package io.ringkv.storage;

import java.util.Arrays;

/** A key's bytes with value equality, for sets and maps of keys (TTL and expiry indexes). */
public record ByteKey(byte[] bytes) {

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
}
