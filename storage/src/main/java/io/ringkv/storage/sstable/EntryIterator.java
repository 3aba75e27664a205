package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import java.io.IOException;

/**
 * A forward cursor over entries in key order. Starts before the first entry: call {@link #next()}
 * and read {@link #key()} / {@link #entry()} while it returns true. Not thread-safe; one per
 * reading thread.
 */
public interface EntryIterator extends AutoCloseable {

    boolean next() throws IOException;

    byte[] key();

    Entry entry();

    @Override
    void close();
}
