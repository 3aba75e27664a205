package io.ringkv.cluster.handoff;

/**
 * A write a replica missed, kept for it by another node until it can be delivered: the key's
 * siblings as the write replica had them after the write ({@link io.ringkv.cluster.replica.VersionCodec}
 * bytes), so delivering it is one idempotent MERGE, and delivering it twice or out of order is
 * harmless.
 *
 * @param target        the id of the node the write was meant for
 * @param createdMillis when the hint was made; hints older than {@code max-hint-window} are dropped
 */
public record Hint(String target, int slot, byte[] key, byte[] versions, long createdMillis) {
}
