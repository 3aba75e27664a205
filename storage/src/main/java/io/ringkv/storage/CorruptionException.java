package io.ringkv.storage;

import java.nio.file.Path;

/**
 * Stored bytes that fail their checksum or do not parse: never returned as data. Names the file
 * and the offset of the damaged record or block, so an operator can find it.
 */
public final class CorruptionException extends RuntimeException {

    private final Path file;
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
