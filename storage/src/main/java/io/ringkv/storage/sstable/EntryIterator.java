package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import java.io.IOException;

/** STANDIN: replaced by part B. */
public interface EntryIterator extends AutoCloseable {
    boolean next() throws IOException;

    byte[] key();

    Entry entry();

    @Override
    void close();
}
