package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.AbstractStringRedisMessage;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringRedisContent;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.LastBulkStringRedisContent;
import io.netty.handler.codec.redis.RedisCodecException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.function.BooleanSupplier;

/**
 * Turns netty-codec-redis's message stream (array header, bulk headers, bulk content chunks,
 * inline lines) into one {@code byte[][]} per command, and enforces Redis's request limits.
 *
 * <p>Nothing is ever sized from a length header: a bulk's bytes are gathered as they arrive, so
 * {@code *2147483647} or {@code $536870912} cost nothing until the client really sends that much,
 * and by then {@code client-query-buffer-limit} has closed the connection. Every limit is read
 * from {@link RequestLimits} on each use, so CONFIG SET takes effect on the next request.
 *
 * <p>Errors become a {@link ProtocolError} message passed down the pipeline: the dispatcher
 * answers the commands decoded before it, then the error, then closes, as Redis does. After the
 * first error everything else on the connection is dropped.
 */
public final class CommandAssembler extends ChannelInboundHandlerAdapter {

    /** Redis's limits for clients that still have to authenticate (networking.c). */
    private static final int UNAUTHENTICATED_MAX_ARGS = 10;
    private static final int UNAUTHENTICATED_MAX_BULK = 16384;
    /** Bytes charged per argument against the query buffer limit, for argv bookkeeping. */
    private static final int ARGUMENT_OVERHEAD = 16;

    /** The limits the assembler enforces, read on every use. */
    public interface RequestLimits {
        long protoMaxBulkLen();

        long clientQueryBufferLimit();
    }

    private final RequestLimits limits;
    private final BooleanSupplier authenticationRequired;

    private long expectedArgs = -1; // -1: between commands
    private ArrayList<byte[]> args;
    private long pendingBytes;
    private ByteBuf partialBulk; // bytes of a bulk that arrives in several chunks
    private boolean failed;

    /**
     * @param authenticationRequired true while this connection must still authenticate, which
     *        tightens the limits as Redis does so that an unauthenticated client cannot make the
     *        server buffer much
     */
    public CommandAssembler(RequestLimits limits, BooleanSupplier authenticationRequired) {
        this.limits = limits;
        this.authenticationRequired = authenticationRequired;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!failed) {
                assemble(ctx, msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void assemble(ChannelHandlerContext ctx, Object msg) {
        if (expectedArgs < 0) {
            startCommand(ctx, msg);
            return;
        }
        if (msg instanceof FullBulkStringRedisMessage full) {
            if (full.isNull()) {
                fail(ctx, "invalid bulk length", true);
                return;
            }
            addArgument(ctx, ByteBufs.toBytes(full.content()));
        } else if (msg instanceof BulkStringHeaderRedisMessage header) {
            int length = header.bulkStringLength();
            if (length > limits.protoMaxBulkLen()) {
                fail(ctx, "invalid bulk length", true);
            } else if (length > UNAUTHENTICATED_MAX_BULK && authenticationRequired.getAsBoolean()) {
                fail(ctx, "unauthenticated bulk length", true);
            } else {
                // Sized by the first chunk actually received, never by the announced length.
                partialBulk = ctx.alloc().heapBuffer(0, length);
            }
        } else if (msg instanceof BulkStringRedisContent chunk && partialBulk != null) {
            ByteBuf content = chunk.content();
            pendingBytes += content.readableBytes();
            if (pendingBytes > limits.clientQueryBufferLimit()) {
                fail(ctx, "query buffer limit", false);
                return;
            }
            partialBulk.writeBytes(content);
            if (msg instanceof LastBulkStringRedisContent) {
                byte[] bytes = ByteBufs.toBytes(partialBulk);
                partialBulk.release();
                partialBulk = null;
                pendingBytes -= bytes.length; // addArgument charges it again
                addArgument(ctx, bytes);
            }
        } else {
            fail(ctx, "expected '$', got '" + typeChar(msg) + "'", true);
        }
    }

    private void startCommand(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ArrayHeaderRedisMessage header) {
            long length = header.length();
            if (length > Integer.MAX_VALUE) {
                fail(ctx, "invalid multibulk length", true);
            } else if (length > UNAUTHENTICATED_MAX_ARGS && authenticationRequired.getAsBoolean()) {
                fail(ctx, "unauthenticated multibulk length", true);
            } else if (length > 0) {
                expectedArgs = length;
                // Grows with the arguments that arrive; never preallocated from the header.
                args = new ArrayList<>((int) Math.min(length, 16));
                pendingBytes = 0;
            }
            // "*0" and "*-1" are ignored, as Redis ignores them.
        } else if (msg instanceof InlineCommandRedisMessage inline) {
            byte[][] argv = InlineParser.split(inline.content());
            if (argv == null) {
                fail(ctx, "unbalanced quotes in request", true);
            } else if (argv.length > 0) {
                ctx.fireChannelRead(argv);
            }
        } else if (msg instanceof AbstractStringRedisMessage text) {
            // "+x", "-x" at the start of a request are inline commands to Redis.
            byte[][] argv = InlineParser.split(typeChar(msg) + text.content());
            if (argv != null && argv.length > 0) {
                ctx.fireChannelRead(argv);
            }
        } else if (msg instanceof IntegerRedisMessage integer) {
            ctx.fireChannelRead(new byte[][] {ByteBufs.ascii(":" + integer.value())});
        } else if (msg instanceof FullBulkStringRedisMessage || msg instanceof BulkStringHeaderRedisMessage) {
            // Redis reads a request starting with '$' as an inline command named "$<len>"; we
            // cannot recover the text after the decoder, so refuse it as a protocol error.
            fail(ctx, "expected '*', got '$'", true);
        } else {
            fail(ctx, "expected '*', got '" + typeChar(msg) + "'", true);
        }
    }

    private void addArgument(ChannelHandlerContext ctx, byte[] arg) {
        pendingBytes += arg.length + ARGUMENT_OVERHEAD;
        if (pendingBytes > limits.clientQueryBufferLimit()) {
            fail(ctx, "query buffer limit", false);
            return;
        }
        args.add(arg);
        if (args.size() == expectedArgs) {
            byte[][] argv = args.toArray(new byte[0][]);
            expectedArgs = -1;
            args = null;
            pendingBytes = 0;
            ctx.fireChannelRead(argv);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof RedisCodecException codec) {
            if (!failed) {
                fail(ctx, reasonFor(codec.getMessage()), true);
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /**
     * Maps the decoder's messages to Redis's texts. Which length was bad (the command's argument
     * count or one argument's size) follows from where the assembler is in the command.
     */
    private String reasonFor(String decoderMessage) {
        String message = decoderMessage == null ? "" : decoderMessage;
        if (expectedArgs < 0 && message.startsWith("length: ") && message.contains("(expected: <= "
                + io.ringkv.server.resp.RespPipeline.MAX_INLINE_LENGTH + ")")) {
            return "too big inline request";
        }
        return expectedArgs < 0 ? "invalid multibulk length" : "invalid bulk length";
    }

    private void fail(ChannelHandlerContext ctx, String reason, boolean reply) {
        failed = true;
        releasePartial();
        args = null;
        ctx.fireChannelRead(new ProtocolError(reason, reply));
    }

    private void releasePartial() {
        if (partialBulk != null) {
            partialBulk.release();
            partialBulk = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePartial();
    }

    private static char typeChar(Object msg) {
        return switch (msg.getClass().getSimpleName()) {
            case "SimpleStringRedisMessage" -> '+';
            case "ErrorRedisMessage" -> '-';
            case "IntegerRedisMessage" -> ':';
            case "ArrayHeaderRedisMessage" -> '*';
            default -> '$';
        };
    }
}
