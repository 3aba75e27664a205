package io.ringkv.cluster.antientropy;

import io.ringkv.cluster.codec.ByteWriting;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last step of a comparison: for the keys of the divergent leaves, one side sends each key
 * with its entry hash (8 bytes instead of its siblings), and the other finds the keys that differ:
 * present on one side only, or with different siblings. Only those keys' siblings then travel, in
 * both directions, to be merged by version (Siblings.merge is order-independent and idempotent,
 * so a key sent both ways, or twice, does no harm).
 *
 * <pre>
 *   varint  entry count n
 *   n times, keys ascending (unsigned bytes):
 *     varint  key length, then the key
 *     u64     entry hash (EntryHasher.entryHash of the key and its stored siblings)
 * </pre>
 */
public final class KeyDigests {

    /** Keys of one batch; the driver pages a big divergence into several batches. */
    public static final int MAX_ENTRIES = 1 << 16;
    public static final int MAX_KEY_LENGTH = 512 * 1024 * 1024;

    public record Entry(byte[] key, long hash) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.hash == hash && Arrays.equals(e.key, key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key) * 31 + Long.hashCode(hash);
        }
    }

    private KeyDigests() {
    }

    /** Sorts (a copy of) the entries by key; keys must be distinct. */
    public static byte[] encode(List<Entry> entries) {
        List<Entry> sorted = sorted(entries);
        if (sorted.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(sorted.size() + " entries, more than " + MAX_ENTRIES);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4 + sorted.size() * 24);
        ByteWriting.varint(out, sorted.size());
        for (Entry e : sorted) {
            ByteWriting.varint(out, e.key().length);
            out.write(e.key(), 0, e.key().length);
            Wire.writeU64(out, e.hash());
        }
        return out.toByteArray();
    }

    public static List<Entry> decode(byte[] bytes) {
        String what = "key digests";
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int n = Wire.readVarint(in, what, MAX_ENTRIES);
        List<Entry> out = new ArrayList<>(Math.min(n, in.remaining() / 9 + 1));
        for (int i = 0; i < n; i++) {
            int len = Wire.readVarint(in, what, MAX_KEY_LENGTH);
            Wire.need(in, len, what);
            byte[] key = new byte[len];
            in.get(key);
            Entry e = new Entry(key, Wire.readU64(in, what));
            if (!out.isEmpty() && Arrays.compareUnsigned(out.getLast().key(), key) >= 0) {
                throw new IllegalArgumentException(what + ": keys not ascending");
            }
            out.add(e);
        }
        Wire.expectEnd(in, what);
        return out;
    }

    /**
     * The keys whose entries differ between the two lists (each key once, ascending): on one side
     * only, or with different hashes. A merge walk over both lists sorted by key.
     */
    public static List<byte[]> differingKeys(List<Entry> mine, List<Entry> theirs) {
        List<Entry> a = sorted(mine);
        List<Entry> b = sorted(theirs);
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            int c = i == a.size() ? 1 : j == b.size() ? -1 : Arrays.compareUnsigned(a.get(i).key(), b.get(j).key());
            if (c < 0) {
                out.add(a.get(i++).key());
            } else if (c > 0) {
                out.add(b.get(j++).key());
            } else {
                if (a.get(i).hash() != b.get(j).hash()) {
                    out.add(a.get(i).key());
                }
                i++;
                j++;
            }
        }
        return out;
    }

    private static List<Entry> sorted(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((x, y) -> Arrays.compareUnsigned(x.key(), y.key()));
        for (int k = 1; k < sorted.size(); k++) {
            if (Arrays.equals(sorted.get(k - 1).key(), sorted.get(k).key())) {
                throw new IllegalArgumentException("duplicate key in digests");
            }
        }
        return sorted;
    }
}
