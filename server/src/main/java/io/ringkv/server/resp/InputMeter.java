package io.ringkv.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.ringkv.server.ServerStats;

/** Counts bytes received from clients (INFO total_net_input_bytes). */
final class InputMeter extends ChannelInboundHandlerAdapter {

    private final ServerStats stats;

    InputMeter(ServerStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            stats.netInputBytes.add(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }
}
