package io.ringkv.storage.log;

/**
 * What {@link CommitLog#replay} found: the good records it handed to the visitor, the highest
 * entry sequence among them (0 when there were none), and the bytes it cut from a torn tail.
 */
public record ReplayStats(long records, long maxSequence, long truncatedBytes) {
}
