package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Small conversions between Netty buffers and the byte arrays commands work on. */
public final class ByteBufs {

    private ByteBufs() {
    }

    /** Copies the readable bytes of {@code buf} without moving its reader index. */
    public static byte[] toBytes(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
