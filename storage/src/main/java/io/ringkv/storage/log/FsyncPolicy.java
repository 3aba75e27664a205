package io.ringkv.storage.log;

/**
 * When the commit log asks the OS to put appended records on disk; the meanings of Redis's
 * {@code appendfsync}.
 */
public enum FsyncPolicy {
    /** An append returns only once its record is on disk (concurrent appends share one fsync). */
    ALWAYS,
    /** An append returns once written to the OS; a background thread fsyncs about once a second,
     *  so a machine crash loses about the last second of writes (a process crash loses nothing). */
    EVERYSEC,
    /** Never fsync; the OS writes back when it likes (typically within 30 seconds on Linux). */
    NO
}
