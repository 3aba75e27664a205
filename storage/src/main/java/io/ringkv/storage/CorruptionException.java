package io.ringkv.storage;

import java.nio.file.Path;

/**
 * Bytes on disk that fail their checksum or do not parse: the storage engine's one way of saying
 * "this file is damaged here". It is unchecked because no caller can repair the file and go on;
 * what matters is that the damage is reported with the file and offset (so an operator can look
 * at it) and that the damaged bytes are never handed out as data.
 */
public final class CorruptionException extends RuntimeException {

    private final transient Path file;
    private final long offset;

    public CorruptionException(Path file, long offset, String what) {
        super(what + " in " + file + " at offset " + offset);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
