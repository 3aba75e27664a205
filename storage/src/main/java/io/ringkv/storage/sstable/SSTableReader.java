package io.ringkv.storage.sstable;

import io.ringkv.storage.Entry;
import io.ringkv.storage.StorageKey;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** STANDIN: loads the whole trivial file into memory until part B lands. */
public final class SSTableReader implements AutoCloseable {
    private final long id;
    private final NavigableMap<byte[], Entry> map = new TreeMap<>(StorageKey::compare);
    private final SSTableInfo info;

    private SSTableReader(Path file, long id) throws IOException {
        this.id = id;
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE, tomb = 0;
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                byte[] k = new byte[in.readInt()];
                in.readFully(k);
                byte[] e = new byte[in.readInt()];
                in.readFully(e);
                Entry entry = Entry.decode(e);
                map.put(k, entry);
                min = Math.min(min, entry.sequence());
                max = Math.max(max, entry.sequence());
                tomb += entry.tombstone() ? 1 : 0;
            }
        }
        info = new SSTableInfo(map.size(), Files.size(file), map.isEmpty() ? null : map.firstKey(),
                map.isEmpty() ? null : map.lastKey(), min, max, tomb);
    }

    public static SSTableReader open(Path file, long id, BlockCache cache) throws IOException {
        return new SSTableReader(file, id);
    }

    public long id() {
        return id;
    }

    public SSTableInfo info() {
        return info;
    }

    public boolean mightContain(byte[] storageKey) {
        return map.containsKey(storageKey);
    }

    public Entry get(byte[] storageKey) throws IOException {
        return map.get(storageKey);
    }

    public EntryIterator iterator(byte[] fromInclusive, byte[] toExclusive) throws IOException {
        NavigableMap<byte[], Entry> sub = toExclusive == null ? map.tailMap(fromInclusive, true)
                : map.subMap(fromInclusive, true, toExclusive, false);
        Iterator<Map.Entry<byte[], Entry>> it = sub.entrySet().iterator();
        return new EntryIterator() {
            Map.Entry<byte[], Entry> cur;

            @Override
            public boolean next() {
                cur = it.hasNext() ? it.next() : null;
                return cur != null;
            }

            @Override
            public byte[] key() {
                return cur.getKey();
            }

            @Override
            public Entry entry() {
                return cur.getValue();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() throws IOException {
    }
}
