package io.ringkv.server.resp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.ringkv.server.ServerContext;
import io.ringkv.server.client.ClientSession;
import io.ringkv.server.cluster.ClusterKeyspace;
import io.ringkv.server.command.CommandDispatcher;
import io.ringkv.server.command.ClusterCommandDispatcher;
import io.ringkv.server.command.Errors;
import java.nio.charset.StandardCharsets;

/**
 * A client connection's pipeline: the {@link RespRequestDecoder} (RESP2 and inline commands to
 * argv, with Redis's limits) and the {@link CommandDispatcher} (execute, reply, batched flush). Replies are written as bytes by
 * {@link Reply}, so there is no encoder stage.
 *
 * <p>Connections past {@code maxclients} get Redis's error and are closed before any handler
 * runs, as redis-server does in acceptCommonHandler.
 */
public final class RespPipeline extends ChannelInitializer<Channel> {

    private static final byte[] MAX_CLIENTS_REPLY =
        ("-" + Errors.MAX_CLIENTS + "\r\n").getBytes(StandardCharsets.US_ASCII);

    private final ServerContext server;

    public RespPipeline(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(Channel channel) {
        server.stats().connectionsReceived.increment();
        if (server.clients().count() >= server.config().maxClients()) {
            server.stats().rejectedConnections.increment();
            channel.writeAndFlush(channel.alloc().buffer().writeBytes(MAX_CLIENTS_REPLY))
                .addListener(f -> channel.close());
            return;
        }
        long keepAlive = server.config().longValue("tcp-keepalive");
        channel.config().setOption(ChannelOption.SO_KEEPALIVE, keepAlive > 0);
        boolean needsAuth = !server.config().requirePass().isEmpty();
        ClientSession session = new ClientSession(server.clients().nextId(), channel, server.clock().millis(), !needsAuth);
        server.clients().add(session);
        RespRequestDecoder.RequestLimits limits = new RespRequestDecoder.RequestLimits() {
            @Override
            public long protoMaxBulkLen() {
                return server.config().protoMaxBulkLen();
            }

            @Override
            public long clientQueryBufferLimit() {
                return server.config().clientQueryBufferLimit();
            }
        };
        channel.pipeline().addLast(
            new InputMeter(server.stats()),
            new RespRequestDecoder(limits, () -> !session.authenticated()),
            // A cluster keyspace waits on other nodes: its commands must run off the event loop.
            server.keyspace() instanceof ClusterKeyspace ? new ClusterCommandDispatcher(server, session)
                : new CommandDispatcher(server, session));
        if (!channel.isActive()) {
            server.clients().remove(session);
        }
    }
}
