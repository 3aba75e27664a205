package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** STANDIN: writes a trivial unindexed file until part B lands. */
public final class SSTableWriter implements AutoCloseable {
    private final Path file;
    private final List<byte[]> keys = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();

    public SSTableWriter(Path file, SSTableOptions options) throws IOException {
        this.file = file;
    }

    public void add(byte[] storageKey, Entry entry) throws IOException {
        if (!keys.isEmpty() && StorageKey.compare(keys.get(keys.size() - 1), storageKey) >= 0) {
            throw new IllegalArgumentException("keys out of order");
        }
        keys.add(storageKey);
        entries.add(entry);
    }

    public SSTableInfo finish() throws IOException {
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE, tomb = 0;
        try (OutputStream raw = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(raw)) {
            out.writeInt(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                Entry e = entries.get(i);
                byte[] enc = e.encode();
                out.writeInt(keys.get(i).length);
                out.write(keys.get(i));
                out.writeInt(enc.length);
                out.write(enc);
                min = Math.min(min, e.sequence());
                max = Math.max(max, e.sequence());
                tomb += e.tombstone() ? 1 : 0;
            }
        }
        return new SSTableInfo(keys.size(), Files.size(file), keys.isEmpty() ? null : keys.get(0),
                keys.isEmpty() ? null : keys.get(keys.size() - 1), min, max, tomb);
    }

    @Override
    public void close() throws IOException {
    }
}
