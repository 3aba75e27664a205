package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Decodes client requests straight from the socket's bytes into one {@code byte[][]} per command:
 * RESP multibulk ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline commands ({@code GET k\n}),
 * with the limits and error texts of Redis's processMultibulkBuffer / processInlineBuffer.
 *
 * <p>It is a resumable state machine over Netty's cumulation buffer: each step consumes one
 * complete element (a count line, a bulk, an inline line) or waits for more bytes, so a request
 * split across reads costs nothing extra, and no allocation is ever sized by a length header:
 * {@code *2147483647} and {@code $536870912} allocate nothing until that many bytes arrive, and
 * {@code client-query-buffer-limit} closes the connection long before. The argument array starts
 * small and grows with the arguments that really arrive.
 *
 * <p>Why not netty-codec-redis's RedisDecoder: it is a general RESP decoder (replies and requests)
 * that emits several messages per argument (a header, then content slices retained from the
 * cumulation), which then need an aggregating handler. Measured on the redis-benchmark -P 16
 * workload, decoding plus aggregation took about a quarter of the event loop's time; this decoder
 * does the same job in one pass with one byte[] per argument, and lets inline commands end with a
 * bare LF (as {@code echo PING | nc} sends them) and carry binary bytes, which RedisDecoder
 * refused or re-encoded as UTF-8.
 *
 * <p>Errors are emitted as a {@link ProtocolError} message after the commands decoded before it;
 * the dispatcher answers those, then the error, and closes the connection. After an error the
 * decoder discards everything.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {

    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline line, and the longest count line. */
    public static final int MAX_INLINE_LENGTH = 64 * 1024;
    /** Redis's limits for clients that still have to authenticate (networking.c). */
    static final int UNAUTHENTICATED_MAX_ARGS = 10;
    static final int UNAUTHENTICATED_MAX_BULK = 16384;
    /** Bytes charged per argument against the query buffer limit, for argv bookkeeping. */
    private static final int ARGUMENT_OVERHEAD = 16;
    /** The argument array is never presized beyond this, whatever the count line claims. */
    private static final int INITIAL_ARGS_CAP = 64;
    /** {@link #lineEnd} results: no CR yet; a CR that is the last byte received. */
    private static final int NO_CR = -1;
    private static final int CR_LAST = -2;
    /** {@link #parseNumber}'s "not a number" (never a valid count or length). */
    private static final long NOT_A_NUMBER = Long.MIN_VALUE;

    /** The limits the decoder enforces, read on every use so CONFIG SET applies at once. */
    public interface RequestLimits {
        long protoMaxBulkLen();

        long clientQueryBufferLimit();
    }

    private final RequestLimits limits;
    private final BooleanSupplier authenticationRequired;

    // Multibulk state: expected < 0 means "between commands".
    private long expected = -1;
    private byte[][] args;
    private int argc;
    private long bulkLength = -1; // length of the bulk being read, -1 while reading its header
    private long pendingBytes; // arguments of the current command held so far
    private boolean failed;

    public RespRequestDecoder(RequestLimits limits, BooleanSupplier authenticationRequired) {
        this.limits = limits;
        this.authenticationRequired = authenticationRequired;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int decoded = out.size();
            boolean progressed = expected < 0 ? startCommand(in, out) : readArgument(in, out);
            if (failed) {
                in.skipBytes(in.readableBytes());
                return;
            }
            if (!progressed) {
                checkQueryBuffer(in, out);
                return;
            }
            // Redis runs each command before it parses the next, so in "AUTH pw" pipelined with
            // an 11-argument MSET the MSET is judged as authenticated. The unauthenticated limits
            // are read while decoding, so until the client has authenticated the decoder hands
            // over one command at a time: ByteToMessageDecoder passes it down the pipeline (where
            // it runs) before calling decode again for the rest of the buffer.
            if (out.size() > decoded && authenticationRequired.getAsBoolean()) {
                return;
            }
        }
    }

    /** A request that sits unfinished in the buffer still counts against the limit. */
    private void checkQueryBuffer(ByteBuf in, List<Object> out) {
        if (pendingBytes + in.readableBytes() > limits.clientQueryBufferLimit()) {
            fail(out, "query buffer limit", false);
            in.skipBytes(in.readableBytes());
        }
    }

    private boolean startCommand(ByteBuf in, List<Object> out) {
        if (in.getByte(in.readerIndex()) != '*') {
            return inlineCommand(in, out);
        }
        int eol = lineEnd(in, in.readerIndex());
        if (eol == NO_CR) {
            if (in.readableBytes() > MAX_INLINE_LENGTH) {
                fail(out, "too big mbulk count string", true);
            }
            return false;
        }
        if (eol == CR_LAST) {
            return false;
        }
        long count = parseNumber(in, in.readerIndex() + 1, eol);
        in.readerIndex(eol + 2);
        if (count == NOT_A_NUMBER || count > Integer.MAX_VALUE) {
            fail(out, "invalid multibulk length", true);
            return false;
        }
        if (count <= 0) {
            return true; // "*0" and "*-1" are ignored, as Redis ignores them
        }
        if (count > UNAUTHENTICATED_MAX_ARGS && authenticationRequired.getAsBoolean()) {
            fail(out, "unauthenticated multibulk length", true);
            return false;
        }
        expected = count;
        args = new byte[(int) Math.min(count, INITIAL_ARGS_CAP)][];
        argc = 0;
        bulkLength = -1;
        pendingBytes = 0;
        return true;
    }

    private boolean readArgument(ByteBuf in, List<Object> out) {
        if (bulkLength < 0) {
            // As in processMultibulkBuffer, the whole header line must be here before its first
            // byte is looked at: "*1\r\nX" waits for more, and a header with no CR within
            // 64 KB is "too big bulk count string" whatever it starts with.
            int start = in.readerIndex();
            int eol = lineEnd(in, start);
            if (eol == NO_CR) {
                if (in.readableBytes() > MAX_INLINE_LENGTH) {
                    fail(out, "too big bulk count string", true);
                }
                return false;
            }
            if (eol == CR_LAST) {
                return false;
            }
            byte type = in.getByte(start);
            if (type != '$') {
                fail(out, "expected '$', got '" + (char) (type & 0xFF) + "'", true);
                return false;
            }
            long length = parseNumber(in, start + 1, eol);
            if (length < 0 || length > limits.protoMaxBulkLen()) {
                fail(out, "invalid bulk length", true);
                return false;
            }
            if (length > UNAUTHENTICATED_MAX_BULK && authenticationRequired.getAsBoolean()) {
                fail(out, "unauthenticated bulk length", true);
                return false;
            }
            in.readerIndex(eol + 2);
            bulkLength = length;
        }
        // The bulk and its trailing CRLF must both be here. Like Redis, the two bytes after the
        // data are skipped without being checked.
        if (in.readableBytes() < bulkLength + 2) {
            return false;
        }
        byte[] arg = new byte[(int) bulkLength];
        in.readBytes(arg);
        in.skipBytes(2);
        bulkLength = -1;
        pendingBytes += arg.length + ARGUMENT_OVERHEAD;
        if (pendingBytes > limits.clientQueryBufferLimit()) {
            fail(out, "query buffer limit", false);
            return false;
        }
        if (argc == args.length) {
            args = Arrays.copyOf(args, (int) Math.min(expected, (long) args.length * 2));
        }
        args[argc++] = arg;
        if (argc == expected) {
            out.add(args);
            expected = -1;
            args = null;
            pendingBytes = 0;
        }
        return true;
    }

    private boolean inlineCommand(ByteBuf in, List<Object> out) {
        int newline = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (newline < 0) {
            if (in.readableBytes() > MAX_INLINE_LENGTH) {
                fail(out, "too big inline request", true);
            }
            return false;
        }
        int end = newline;
        if (end > in.readerIndex() && in.getByte(end - 1) == '\r') {
            end--;
        }
        byte[] line = new byte[end - in.readerIndex()];
        in.getBytes(in.readerIndex(), line);
        in.readerIndex(newline + 1);
        byte[][] argv = InlineParser.split(line);
        if (argv == null) {
            fail(out, "unbalanced quotes in request", true);
            return false;
        }
        if (argv.length > 0) {
            out.add(argv);
        }
        return true;
    }

    /**
     * Where the header line starting at {@code from} ends: the index of its first CR, or
     * {@link #NO_CR} when there is none yet, or {@link #CR_LAST} when the CR is the last byte
     * received (Redis wants the byte after it too before it parses the line, though it skips that
     * byte unchecked). Only a missing CR counts towards the 64 KB header limit: a long line whose
     * CR has arrived is parsed (and refused as a number) once one more byte comes, as in Redis.
     */
    private static int lineEnd(ByteBuf in, int from) {
        int cr = in.indexOf(from, in.writerIndex(), (byte) '\r');
        if (cr < 0) {
            return NO_CR;
        }
        return cr + 1 >= in.writerIndex() ? CR_LAST : cr;
    }

    /**
     * Redis's string2ll over {@code [from, to)}: optional '-', digits, no leading zeros, no '+',
     * no spaces, must fit a long (LLONG_MIN included). Returns {@link #NOT_A_NUMBER} when it is
     * not one, and -1 for every negative number: both callers treat all negatives alike (a
     * negative count is ignored, a negative bulk length refused), so the magnitude is not kept.
     */
    private static long parseNumber(ByteBuf in, int from, int to) {
        int n = to - from;
        if (n <= 0 || n > 20) {
            return NOT_A_NUMBER;
        }
        boolean negative = in.getByte(from) == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            return NOT_A_NUMBER;
        }
        if (in.getByte(i) == '0') {
            return n == 1 ? 0 : NOT_A_NUMBER;
        }
        // Accumulated as a negative number, whose range is one larger, so that
        // -9223372036854775808 parses as string2ll parses it.
        long value = 0;
        for (; i < to; i++) {
            int d = in.getByte(i) - '0';
            if (d < 0 || d > 9 || value < (Long.MIN_VALUE + d) / 10) {
                return NOT_A_NUMBER;
            }
            value = value * 10 - d;
        }
        if (negative) {
            return -1;
        }
        return value == Long.MIN_VALUE ? NOT_A_NUMBER : -value;
    }

    private void fail(List<Object> out, String reason, boolean reply) {
        failed = true;
        args = null;
        out.add(new ProtocolError(reason, reply));
    }
}
