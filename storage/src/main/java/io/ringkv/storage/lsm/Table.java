package io.ringkv.storage.lsm;

import io.ringkv.storage.sstable.SSTableInfo;
import io.ringkv.storage.sstable.SSTableReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One live SSTable and its reference count.
 *
 * <p>Each {@link Version} that lists the table holds one reference. A reader pins a version
 * (not the tables one by one), so a table is closed only when no version that a reader might
 * still be walking lists it; only then is its file deleted, if compaction or FLUSHALL made it
 * obsolete. Closing earlier would make a concurrent get fail on a closed channel.
 */
final class Table {

    final long id;
    final Path file;
    final SSTableReader reader;
    final SSTableInfo info;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean obsolete;
    private final Consumer<String> log;

    Table(long id, Path file, SSTableReader reader, Consumer<String> log) {
        this.id = id;
        this.file = file;
        this.reader = reader;
        this.info = reader.info();
        this.log = log;
    }

    long bytes() {
        return info.fileBytes();
    }

    void retain() {
        if (refs.getAndIncrement() <= 0) {
            throw new IllegalStateException("table " + id + " retained after release");
        }
    }

    /** Marks the file for deletion once the last reference goes. */
    void obsolete() {
        obsolete = true;
    }

    void release() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            try {
                reader.close();
                if (obsolete) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                log.accept("could not close or delete table " + file + ": " + e);
            }
        } else if (left < 0) {
            throw new IllegalStateException("table " + id + " released too often");
        }
    }
}
