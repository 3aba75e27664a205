package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Writes RESP2 replies straight into the connection's outgoing buffer.
 *
 * <p>Replies are written as bytes rather than built as netty-codec-redis message objects and
 * encoded later: on the hot path (GET, SET, INCR) that saves one object and one buffer per reply,
 * and lets every reply of a pipelined batch share one buffer and one flush. The byte layout is
 * RESP2 as Redis writes it.
 *
 * <p>One instance per connection; {@link #target} is pointed at the batch's buffer before each
 * command runs.
 */
public final class Reply {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZERO = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = ":1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_ARRAY = "*0\r\n".getBytes(StandardCharsets.US_ASCII);

    private ByteBuf out;

    public void target(ByteBuf buffer) {
        this.out = buffer;
    }

    public ByteBuf buffer() {
        return out;
    }

    public void ok() {
        out.writeBytes(OK);
    }

    /** A simple string ({@code +text}); the text must not contain CR or LF. */
    public void simple(String text) {
        out.writeByte('+');
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    /**
     * An error reply. {@code text} starts with the error code, as Redis's do
     * ({@code "ERR syntax error"}, {@code "WRONGTYPE ..."}); CR and LF are replaced by spaces so
     * that an error can never break the protocol stream, as Redis's addReplyError does.
     */
    public void error(String text) {
        out.writeByte('-');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                text = text.replace('\r', ' ').replace('\n', ' ');
                break;
            }
        }
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    public void integer(long value) {
        if (value == 0) {
            out.writeBytes(ZERO);
        } else if (value == 1) {
            out.writeBytes(ONE);
        } else {
            out.writeByte(':');
            writeDecimal(value);
            out.writeBytes(CRLF);
        }
    }

    public void bool(boolean value) {
        out.writeBytes(value ? ONE : ZERO);
    }

    public void bulk(byte[] value) {
        if (value == null) {
            nullBulk();
            return;
        }
        bulk(value, 0, value.length);
    }

    public void bulk(byte[] value, int from, int length) {
        out.writeByte('$');
        writeDecimal(length);
        out.writeBytes(CRLF);
        out.writeBytes(value, from, length);
        out.writeBytes(CRLF);
    }

    public void bulk(String value) {
        if (value == null) {
            nullBulk();
            return;
        }
        bulk(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string holding {@code value} in decimal, as Redis answers GET on an integer. */
    public void bulk(long value) {
        bulk(Long.toString(value));
    }

    public void nullBulk() {
        out.writeBytes(NULL_BULK);
    }

    public void nullArray() {
        out.writeBytes(NULL_ARRAY);
    }

    public void emptyArray() {
        out.writeBytes(EMPTY_ARRAY);
    }

    public void arrayHeader(long length) {
        out.writeByte('*');
        writeDecimal(length);
        out.writeBytes(CRLF);
    }

    /** A map in RESP2 form: a flat array of 2 * {@code entries} elements (key, value, ...). */
    public void mapHeader(int entries) {
        arrayHeader(2L * entries);
    }

    /** A bulk string array of {@code values}. */
    public void bulkArray(String... values) {
        arrayHeader(values.length);
        for (String value : values) {
            bulk(value);
        }
    }

    /** Raw bytes already in RESP form (precomputed replies). */
    public void raw(byte[] resp) {
        out.writeBytes(resp);
    }

    private void writeDecimal(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                out.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
                return;
            }
            out.writeByte('-');
            value = -value;
        }
        if (value < 10) {
            out.writeByte((int) ('0' + value));
            return;
        }
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10) {
            digits++;
        }
        int end = out.writerIndex() + digits;
        out.ensureWritable(digits);
        for (int i = end - 1; i >= end - digits; i--) {
            out.setByte(i, (int) ('0' + value % 10));
            value /= 10;
        }
        out.writerIndex(end);
    }
}
