package io.ringkv.server.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.ringkv.server.ServerLog;
import java.util.List;

/**
 * Answers the metrics port's requests (docs/metrics.md): GET /metrics with the exposition, GET
 * /live with 200 while the process serves, GET /ready with 200 when every readiness check passes
 * and 503 naming those that do not. HEAD gets the same status and headers without a body, any
 * other method 405, any other path 404, a request the HTTP decoder could not parse 400 and the
 * connection closed. Connections stay open between requests unless the client asks otherwise.
 */
@ChannelHandler.Sharable
public final class MetricsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String TEXT = "text/plain; charset=utf-8";

    private final MetricsRegistry registry;
    private final Readiness readiness;
    private final ServerLog log;

    public MetricsHttpHandler(MetricsRegistry registry, Readiness readiness, ServerLog log) {
        this.registry = registry;
        this.readiness = readiness;
        this.log = log;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n", false);
            return;
        }
        HttpMethod method = request.method();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            FullHttpResponse response = response(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                "method not allowed\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, request, response, keepAlive);
            return;
        }
        switch (new QueryStringDecoder(request.uri()).path()) {
            case "/metrics" -> metrics(ctx, request, keepAlive);
            case "/live" -> send(ctx, request, HttpResponseStatus.OK, TEXT, "live\n", keepAlive);
            case "/ready" -> {
                List<String> unmet = readiness.unmet();
                if (unmet.isEmpty()) {
                    send(ctx, request, HttpResponseStatus.OK, TEXT, "ready\n", keepAlive);
                } else {
                    send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
                        "not ready: waiting for " + String.join(", ", unmet) + "\n", keepAlive);
                }
            }
            default -> send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", keepAlive);
        }
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        String text;
        try {
            text = ExpositionFormat.render(registry.scrape());
        } catch (RuntimeException e) {
            log.warning("Metrics scrape failed: " + e);
            send(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "scrape failed: " + e + "\n", keepAlive);
            return;
        }
        send(ctx, request, HttpResponseStatus.OK, ExpositionFormat.CONTENT_TYPE, text, keepAlive);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                             String contentType, String body, boolean keepAlive) {
        write(ctx, request, response(ctx, request, status, contentType, body), keepAlive);
    }

    private static FullHttpResponse response(ChannelHandlerContext ctx, FullHttpRequest request,
                                             HttpResponseStatus status, String contentType, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        int length = content.readableBytes();
        if (request.method().equals(HttpMethod.HEAD)) {
            content.release();
            content = ctx.alloc().buffer(0);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
            // HEAD: the length the GET body would have (RFC 9110 9.3.2).
            .setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return response;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
                              boolean keepAlive) {
        if (keepAlive) {
            if (!request.protocolVersion().isKeepAliveDefault()) {
                // An HTTP/1.0 client that asked to keep the connection is told it is kept.
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            log.verbose("Metrics connection closed after an error: " + cause);
        }
        ctx.close();
    }
}
