package io.ringkv.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

/**
 * The frame layout, byte by byte in docs/transport.md. Every frame is
 * {@code length:u32 kind:u8 header body}, big-endian, where {@code length} counts the bytes
 * after itself (kind, header and body) and the header's size is fixed by the kind.
 */
final class Frames {

    private Frames() {}

    static final int LENGTH_BYTES = 4;

    // Handshake frames: no header, a small body parsed by Handshake.
    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte PROOF = 3;
    static final byte READY = 4;
    static final byte REJECT = 5;
    // Traffic frames, only after READY.
    static final byte REQUEST = 16;
    static final byte REPLY = 17;
    static final byte FAILURE = 18;

    /** REQUEST header: id:i64 type:i32 deadlineMillis:i32. */
    static final int REQUEST_HEADER = 16;
    /** REPLY and FAILURE header: id:i64. */
    static final int ANSWER_HEADER = 8;

    /**
     * The largest frame accepted before the handshake completed. An unauthenticated peer must not
     * make us allocate maxFrameBytes (600 MB) by announcing a big frame; handshake frames are
     * under 100 bytes.
     */
    static final int HANDSHAKE_MAX_FRAME = 1024;

    /**
     * Bodies up to this size are copied into the frame's one buffer; bigger ones are wrapped (no
     * copy of a 512 MB value) and written as a second buffer after the header.
     */
    static final int COPY_THRESHOLD = 16 * 1024;

    static final byte[] EMPTY = new byte[0];

    /** Header bytes after the kind byte, or -1 for an unknown kind. */
    static int headerBytes(byte kind) {
        return switch (kind) {
            case HELLO, CHALLENGE, PROOF, READY, REJECT -> 0;
            case REQUEST -> REQUEST_HEADER;
            case REPLY, FAILURE -> ANSWER_HEADER;
            default -> -1;
        };
    }

    static boolean isHandshake(byte kind) {
        return kind >= HELLO && kind <= REJECT;
    }

    /** The length field's value for a frame of this kind and body size (may exceed int range). */
    static long frameLength(byte kind, long bodyBytes) {
        return 1L + headerBytes(kind) + bodyBytes;
    }

    /**
     * Writes one frame without flushing and returns the bytes it puts on the wire. Write failures
     * go to the pipeline's exceptionCaught (void promise), which closes the connection.
     */
    static int write(ChannelHandlerContext ctx, byte kind, long id, int type, int deadlineMillis, byte[] body) {
        int header = headerBytes(kind);
        int length = 1 + header + body.length;
        boolean copy = body.length <= COPY_THRESHOLD;
        ByteBuf buf = ctx.alloc().ioBuffer(LENGTH_BYTES + 1 + header + (copy ? body.length : 0));
        buf.writeInt(length).writeByte(kind);
        if (kind == REQUEST) {
            buf.writeLong(id).writeInt(type).writeInt(deadlineMillis);
        } else if (header == ANSWER_HEADER) {
            buf.writeLong(id);
        }
        if (copy) {
            buf.writeBytes(body);
            ctx.write(buf, ctx.voidPromise());
        } else {
            ctx.write(buf, ctx.voidPromise());
            ctx.write(Unpooled.wrappedBuffer(body), ctx.voidPromise());
        }
        return LENGTH_BYTES + length;
    }

    static int writeHandshake(ChannelHandlerContext ctx, byte kind, byte[] body) {
        return write(ctx, kind, 0, 0, 0, body);
    }
}
