package io.ringkv.cluster.antientropy;

import io.ringkv.cluster.codec.ByteWriting;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * "Send me the hashes of these nodes of this level of your tree of this shape." The indices are
 * ascending and distinct; on the wire they are runs of consecutive indices, because an exchange
 * asks for all children of a node at once (a run of fan-out indices costs two varints).
 *
 * <pre>
 *   u64     shape fingerprint the asker expects (TreeShape.fingerprint)
 *   u8      level (0 = root)
 *   varint  run count r
 *   r times:
 *     varint  gap: first index of the run minus the end (last + 1) of the previous run, or the
 *             first index for the first run
 *     varint  run length minus 1
 * </pre>
 *
 * At most {@link #MAX_NODES} nodes per request, so the reply has a hard size limit
 * (8 + 1 + 4 + 8192 + 8 x 65536 bytes, about 520 KiB); the exchange pages bigger levels.
 */
public record HashRequest(long shape, int level, int[] indices) {

    public static final int MAX_NODES = 1 << 16;
    public static final int MAX_LEVEL = 255;

    public HashRequest {
        if (level < 0 || level > MAX_LEVEL) {
            throw new IllegalArgumentException("level " + level);
        }
        if (indices.length > MAX_NODES) {
            throw new IllegalArgumentException(indices.length + " nodes, more than " + MAX_NODES);
        }
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || (i > 0 && indices[i] <= indices[i - 1])) {
                throw new IllegalArgumentException("node indices must be ascending and distinct");
            }
        }
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + indices.length / 4);
        Wire.writeU64(out, shape);
        out.write(level);
        int runs = 0;
        for (int i = 0; i < indices.length; i++) {
            if (i == 0 || indices[i] != indices[i - 1] + 1) {
                runs++;
            }
        }
        ByteWriting.varint(out, runs);
        int previousEnd = 0;
        int i = 0;
        while (i < indices.length) {
            int start = i;
            while (i + 1 < indices.length && indices[i + 1] == indices[i] + 1) {
                i++;
            }
            ByteWriting.varint(out, indices[start] - previousEnd);
            ByteWriting.varint(out, i - start);
            previousEnd = indices[i] + 1;
            i++;
        }
        return out.toByteArray();
    }

    public static HashRequest decode(byte[] bytes) {
        String what = "hash request";
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long shape = Wire.readU64(in, what);
        int level = Wire.readU8(in, what);
        int runs = Wire.readVarint(in, what, MAX_NODES);
        int[] indices = new int[Math.min(runs * 2, MAX_NODES)];
        int count = 0;
        long previousEnd = 0;
        for (int r = 0; r < runs; r++) {
            long start = previousEnd + Wire.readVarint(in, what, Integer.MAX_VALUE);
            int length = Wire.readVarint(in, what, MAX_NODES - 1) + 1;
            if (r > 0 && start == previousEnd) {
                throw new IllegalArgumentException(what + ": runs not separated (not canonical)");
            }
            if (count + length > MAX_NODES || start + length > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + ": more than " + MAX_NODES + " nodes");
            }
            if (count + length > indices.length) {
                indices = Arrays.copyOf(indices, Math.min(MAX_NODES, Math.max(indices.length * 2, count + length)));
            }
            for (int k = 0; k < length; k++) {
                indices[count++] = (int) (start + k);
            }
            previousEnd = start + length;
        }
        Wire.expectEnd(in, what);
        return new HashRequest(shape, level, Arrays.copyOf(indices, count));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashRequest r && r.shape == shape && r.level == level && Arrays.equals(r.indices, indices);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(shape) * 31 * 31 + level * 31 + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return "HashRequest[level=" + level + ", nodes=" + indices.length + "]";
    }
}
