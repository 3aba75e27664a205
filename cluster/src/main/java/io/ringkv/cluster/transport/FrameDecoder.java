package io.ringkv.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Bytes to {@link Frame}s, as an explicit two-state machine: HEADER (waiting for the length,
 * kind and fixed header) and BODY (copying the body into its byte[] as bytes arrive).
 *
 * The body is copied out of the network buffers chunk by chunk, straight into the one array the
 * handler receives. A LengthFieldBasedFrameDecoder would instead accumulate the whole frame in
 * its cumulation buffer first, which for a 512 MB value means growing that buffer in 4 MB steps,
 * copying everything at each step, and then copying it once more into a byte[].
 *
 * Limits: the length field must be at least 1 + the kind's header size and at most the current
 * limit, which is {@link Frames#HANDSHAKE_MAX_FRAME} until {@link #openLimit()} (called once the
 * handshake succeeded) and maxFrameBytes after; anything else throws, and the connection's
 * exceptionCaught closes it. After a handshake frame the decoder returns, so that the handler
 * sees it (and may open the limit) before the next frame is decoded.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameBytes;
    private final Counters counters;
    private int limit = Frames.HANDSHAKE_MAX_FRAME;

    // BODY state when body != null.
    private byte kind;
    private long id;
    private int type;
    private int deadlineMillis;
    private long arrivedNanos;
    private byte[] body;
    private int filled;

    FrameDecoder(int maxFrameBytes, Counters counters) {
        this.maxFrameBytes = maxFrameBytes;
        this.counters = counters;
    }

    /** Lets frames up to maxFrameBytes through; called on the event loop after the handshake. */
    void openLimit() {
        limit = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            if (body == null && !readHeader(in)) {
                return;
            }
            int n = Math.min(in.readableBytes(), body.length - filled);
            in.readBytes(body, filled, n);
            filled += n;
            if (filled < body.length) {
                return;
            }
            byte k = kind;
            out.add(new Frame(k, id, type, deadlineMillis, body, arrivedNanos));
            counters.bytesReceived.add(Frames.LENGTH_BYTES + 1 + Frames.headerBytes(k) + body.length);
            body = null;
            if (Frames.isHandshake(k)) {
                return;
            }
        }
    }

    /** Consumes a complete header and enters BODY, or returns false if more bytes are needed. */
    private boolean readHeader(ByteBuf in) {
        if (in.readableBytes() < Frames.LENGTH_BYTES + 1) {
            return false;
        }
        int start = in.readerIndex();
        int length = in.getInt(start);
        // A negative int is a length above 2 GB: too long as well.
        if (length < 0 || length > limit) {
            throw new TooLongFrameException("frame of " + Integer.toUnsignedString(length)
                    + " bytes exceeds the limit of " + limit);
        }
        byte k = in.getByte(start + Frames.LENGTH_BYTES);
        int header = Frames.headerBytes(k);
        if (header < 0) {
            throw new CorruptedFrameException("unknown frame kind " + k);
        }
        if (length < 1 + header) {
            throw new CorruptedFrameException("frame of kind " + k + " too short: " + length);
        }
        if (in.readableBytes() < Frames.LENGTH_BYTES + 1 + header) {
            return false;
        }
        in.skipBytes(Frames.LENGTH_BYTES + 1);
        kind = k;
        id = 0;
        type = 0;
        deadlineMillis = 0;
        if (k == Frames.REQUEST) {
            id = in.readLong();
            type = in.readInt();
            deadlineMillis = in.readInt();
        } else if (header == Frames.ANSWER_HEADER) {
            id = in.readLong();
        }
        arrivedNanos = System.nanoTime();
        int bodyBytes = length - 1 - header;
        body = bodyBytes == 0 ? Frames.EMPTY : new byte[bodyBytes];
        filled = 0;
        return true;
    }
}
