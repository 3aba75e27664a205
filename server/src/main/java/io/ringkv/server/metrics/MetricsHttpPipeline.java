package io.ringkv.server.metrics;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.ringkv.server.ServerLog;
import java.util.concurrent.TimeUnit;

/**
 * A metrics-port connection's pipeline: HTTP/1.1 decoding with small limits (scrapes and probes
 * send a request line and a few headers, never a body worth reading), aggregation into one
 * request, and {@link MetricsHttpHandler}. A connection idle for {@link #IDLE_SECONDS} is closed,
 * so a scraper or probe that vanished does not hold it open forever.
 */
public final class MetricsHttpPipeline extends ChannelInitializer<Channel> {

    /** Longer than any sensible scrape interval, so a keep-alive scraper's connection survives. */
    static final int IDLE_SECONDS = 300;
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    /** A body larger than this is refused with 413; no endpoint reads one. */
    private static final int MAX_CONTENT = 64 * 1024;

    private final MetricsHttpHandler handler;

    public MetricsHttpPipeline(MetricsRegistry registry, Readiness readiness, ServerLog log) {
        this.handler = new MetricsHttpHandler(registry, readiness, log);
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline().addLast(
            new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS),
            new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_HEADERS),
            new HttpObjectAggregator(MAX_CONTENT),
            handler);
    }
}
