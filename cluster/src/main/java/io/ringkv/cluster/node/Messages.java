package io.ringkv.cluster.node;

import io.ringkv.cluster.codec.ByteWriting;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.replica.VersionCodec;
import io.ringkv.cluster.version.Siblings;
import io.ringkv.cluster.version.VectorClock;
import io.ringkv.storage.Record;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The requests nodes send each other over the internode transport, and their payloads
 * (docs/transport.md frames them; docs/formats.md "Replica requests" has these bytes). Integers
 * are big-endian; "bytes" is a varint length and then the bytes; "siblings" is
 * {@link VersionCodec}'s encoding.
 *
 * <pre>
 *   READ      u16 slot, bytes key           -> siblings
 *   WRITE     u16 slot, bytes key, u8 blind, bytes context, value -> siblings after the write
 *   MERGE     u16 slot, bytes key, siblings -> nothing, once stored
 *   FLUSH     nothing                       -> nothing, once every key is deleted
 *   GOSSIP    digest (docs/gossip.md)       -> the receiver's digest
 *   AE_HASHES, AE_DIGESTS, AE_READ: anti-entropy ({@link AntiEntropyMessages})
 *   HINT      bytes target id, u16 slot, bytes key, siblings -> nothing, once stored as a hint
 *   STREAM_READ, STREAM_WRITE: slot streaming for ring changes (stream.StreamMessages)
 *
 *   value: u8 flags (bit 0 tombstone, bit 1 expiry), [u64 expiry millis], [bytes value]
 * </pre>
 *
 * A WRITE refused for too many siblings fails with a message starting {@link #TOO_MANY_SIBLINGS}.
 */
public final class Messages {

    // 1 was IDENTIFY (issue 4's seed introductions); seeds are met by GOSSIP now, and the
    // number is not reused.
    public static final int READ = 2;
    public static final int WRITE = 3;
    public static final int MERGE = 4;
    /** Deletes every key this node holds (FLUSHALL across the cluster); empty request and reply. */
    public static final int FLUSH = 5;
    /** Push-pull gossip: the sender's digest (gossip.DigestCodec), answered with the receiver's. */
    public static final int GOSSIP = 6;
    /** Anti-entropy (docs/antientropy.md): tree hashes, key digests of leaves, a batch of keys' siblings. */
    public static final int AE_HASHES = 10;
    public static final int AE_DIGESTS = 11;
    public static final int AE_READ = 12;
    /** Ring changes (docs/elasticity.md): a page of a slot's records, read from or written to a node. */
    public static final int STREAM_READ = 13;
    public static final int STREAM_WRITE = 14;

    /**
     * Sloppy quorum: keep these siblings as a hint for the target node (a preferred replica that
     * is down) and deliver them when it is back; the reply means the hint is stored.
     */
    public static final int HINT = 7;

    public static final String TOO_MANY_SIBLINGS = "TOOMANYSIBLINGS ";

    private Messages() {
    }

    /** A decoded key request: its slot, key and the rest of the payload. */
    public record KeyRequest(int slot, byte[] key, ByteBuffer rest) {
    }

    public static byte[] keyRequest(int slot, byte[] key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(key.length + 8);
        writeKey(out, slot, key);
        return out.toByteArray();
    }

    public static byte[] write(int slot, byte[] key, VectorClock context, boolean blind, StoredValue value) {
        byte[] ctx = context.toBytes();
        int size = key.length + ctx.length + 32 + (value.value() == null ? 0 : value.value().length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        writeKey(out, slot, key);
        out.write(blind ? 1 : 0);
        writeBytes(out, ctx);
        boolean expiry = value.expireAtMillis() != Record.NO_EXPIRY;
        out.write((value.isTombstone() ? 1 : 0) | (expiry ? 2 : 0));
        if (expiry) {
            long e = value.expireAtMillis();
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (e >>> shift));
            }
        }
        if (!value.isTombstone()) {
            writeBytes(out, value.value());
        }
        return out.toByteArray();
    }

    public static byte[] merge(int slot, byte[] key, byte[] s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(key.length + s.length + 8);
        writeKey(out, slot, key);
        out.write(s, 0, s.length);
        return out.toByteArray();
    }

    public static byte[] hint(String target, int slot, byte[] key, byte[] s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(target.length() + key.length + s.length + 12);
        writeBytes(out, target.getBytes(StandardCharsets.UTF_8));
        writeKey(out, slot, key);
        out.write(s, 0, s.length);
        return out.toByteArray();
    }

    /** A decoded HINT: the node it is meant for, and the key request that follows. */
    public record HintRequest(String target, KeyRequest request) {
    }

    public static HintRequest hintRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        String target = new String(readBytes(in), StandardCharsets.UTF_8);
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        return new HintRequest(target, keyRequest(rest));
    }

    public static KeyRequest keyRequest(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        if (in.remaining() < 2) {
            throw new IllegalArgumentException("request: truncated");
        }
        int slot = in.getShort() & 0xFFFF;
        if (slot >= 16384) {
            throw new IllegalArgumentException("request: bad slot " + slot);
        }
        byte[] key = readBytes(in);
        return new KeyRequest(slot, key, in);
    }

    /** The rest of a WRITE after its key: blind flag, context and value. */
    public record WriteBody(boolean blind, VectorClock context, StoredValue value) {
    }

    public static WriteBody writeBody(ByteBuffer in) {
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("write: truncated");
        }
        boolean blind = in.get() != 0;
        VectorClock context = VectorClock.fromBytes(readBytes(in));
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("write: truncated");
        }
        int flags = in.get() & 0xFF;
        long expireAt = Record.NO_EXPIRY;
        if ((flags & 2) != 0) {
            if (in.remaining() < 8) {
                throw new IllegalArgumentException("write: truncated");
            }
            expireAt = in.getLong();
        }
        byte[] value = (flags & 1) != 0 ? null : readBytes(in);
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("write: trailing bytes");
        }
        return new WriteBody(blind, context, new StoredValue(value, expireAt));
    }

    private static void writeKey(ByteArrayOutputStream out, int slot, byte[] key) {
        ByteWriting.u16(out, slot);
        writeBytes(out, key);
    }


    private static void writeBytes(ByteArrayOutputStream out, byte[] b) {
        long v = b.length;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        out.write(b, 0, b.length);
    }

    private static byte[] readBytes(ByteBuffer in) {
        long len = 0;
        int shift = 0;
        while (true) {
            if (!in.hasRemaining() || shift > 35) {
                throw new IllegalArgumentException("request: bad length");
            }
            int b = in.get() & 0xFF;
            len |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
        }
        if (len > in.remaining()) {
            throw new IllegalArgumentException("request: length " + len + " past the end");
        }
        byte[] out = new byte[(int) len];
        in.get(out);
        return out;
    }
}
