package io.ringkv.cluster.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Bytes in, frames out, and frames in, exact bytes out (docs/transport.md). */
class WireFormatTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** The bytes Frames.write puts on the wire. */
    private static byte[] written(byte kind, long id, int type, int deadline, byte[] body) {
        ChannelHandlerContext[] ctx = new ChannelHandlerContext[1];
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext c) {
                ctx[0] = c;
            }
        });
        int n = Frames.write(ctx[0], kind, id, type, deadline, body);
        ch.flush();
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        byte[] out = ByteBufUtil.getBytes(all);
        assertEquals(n, out.length);
        ch.finishAndReleaseAll();
        return out;
    }

    @Test
    void requestLayout() {
        assertArrayEquals(hex("00000014 10 0000000000000007 0000002a 000003e8 616263"),
                written(Frames.REQUEST, 7, 42, 1000, "abc".getBytes()));
    }

    @Test
    void replyAndFailureLayout() {
        assertArrayEquals(hex("0000000b 11 0000000000000009 6f6b"), written(Frames.REPLY, 9, 0, 0, "ok".getBytes()));
        assertArrayEquals(hex("0000000a 12 0000000000000009 78"), written(Frames.FAILURE, 9, 0, 0, "x".getBytes()));
    }

    @Test
    void largeBodiesAreWrittenUncopiedButIdentical() {
        byte[] body = new byte[Frames.COPY_THRESHOLD + 1];
        body[body.length - 1] = 5;
        byte[] out = written(Frames.REPLY, 1, 0, 0, body);
        assertEquals(4 + 1 + 8 + body.length, out.length);
        assertEquals(5, out[out.length - 1]);
    }

    @Test
    void decoderReassemblesFramesFedOneByteAtATime() {
        FrameDecoder decoder = new FrameDecoder(1 << 20, new Counters());
        decoder.openLimit();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        byte[] wire = hex("00000014 10 0000000000000007 0000002a 000003e8 616263"
                + "0000000b 11 0000000000000009 6f6b");
        for (byte b : wire) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        Frame request = ch.readInbound();
        assertEquals(Frames.REQUEST, request.kind());
        assertEquals(7, request.id());
        assertEquals(42, request.type());
        assertEquals(1000, request.deadlineMillis());
        assertArrayEquals("abc".getBytes(), request.body());
        Frame reply = ch.readInbound();
        assertEquals(Frames.REPLY, reply.kind());
        assertEquals(9, reply.id());
        assertArrayEquals("ok".getBytes(), reply.body());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void frameLimitIsTheHandshakeLimitUntilOpenedThenMaxFrameBytes() {
        // At the handshake limit: accepted; one past it: refused.
        EmbeddedChannel atLimit = new EmbeddedChannel(new FrameDecoder(1 << 20, new Counters()));
        ByteBuf ok = Unpooled.buffer().writeInt(Frames.HANDSHAKE_MAX_FRAME).writeByte(Frames.REJECT)
                .writeZero(Frames.HANDSHAKE_MAX_FRAME - 1);
        atLimit.writeInbound(ok);
        Frame f = atLimit.readInbound();
        assertEquals(Frames.HANDSHAKE_MAX_FRAME - 1, f.body().length);

        EmbeddedChannel before = new EmbeddedChannel(new FrameDecoder(1 << 20, new Counters()));
        DecoderException e = assertThrows(DecoderException.class, () -> before.writeInbound(
                Unpooled.buffer().writeInt(Frames.HANDSHAKE_MAX_FRAME + 1).writeByte(Frames.REQUEST)));
        assertTrue(e instanceof TooLongFrameException, e.toString());

        FrameDecoder opened = new FrameDecoder(64 * 1024, new Counters());
        opened.openLimit();
        EmbeddedChannel after = new EmbeddedChannel(opened);
        after.writeInbound(Unpooled.buffer().writeInt(64 * 1024).writeByte(Frames.REPLY).writeLong(1)
                .writeZero(64 * 1024 - 9));
        assertEquals(64 * 1024 - 9, ((Frame) after.readInbound()).body().length);
        assertThrows(TooLongFrameException.class, () -> after.writeInbound(
                Unpooled.buffer().writeInt(64 * 1024 + 1).writeByte(Frames.REPLY)));
        // A length above 2 GB reads as a negative int: too long as well.
        FrameDecoder big = new FrameDecoder(1 << 20, new Counters());
        big.openLimit();
        EmbeddedChannel huge = new EmbeddedChannel(big);
        assertThrows(TooLongFrameException.class, () -> huge.writeInbound(
                Unpooled.buffer().writeInt(0xFFFFFFF0).writeByte(Frames.REPLY)));
    }

    @Test
    void unknownKindsAndShortFramesAreRefused() {
        EmbeddedChannel unknown = new EmbeddedChannel(new FrameDecoder(1 << 20, new Counters()));
        assertThrows(DecoderException.class, () -> unknown.writeInbound(Unpooled.wrappedBuffer(hex("00000001 63"))));
        FrameDecoder d = new FrameDecoder(1 << 20, new Counters());
        d.openLimit();
        EmbeddedChannel shortRequest = new EmbeddedChannel(d);
        assertThrows(DecoderException.class, () -> shortRequest.writeInbound(
                Unpooled.wrappedBuffer(hex("00000008 10 0000000000000001"))));
    }

    @Test
    void proofsDependOnSecretRoleAndNonces() {
        SecureRandom random = new SecureRandom();
        Handshake a = new Handshake("secret", random);
        Handshake b = new Handshake("secret", random);
        Handshake other = new Handshake("other", random);
        byte[] nc = a.nonce();
        byte[] na = a.nonce();
        assertEquals(Handshake.NONCE_BYTES, nc.length);
        assertEquals(Handshake.PROOF_BYTES, a.acceptorProof(nc, na).length);
        assertArrayEquals(a.acceptorProof(nc, na), b.acceptorProof(nc, na));
        assertTrue(b.accepts(b.connectorProof(na, nc), a.connectorProof(na, nc)));
        assertFalse(b.accepts(b.connectorProof(na, nc), other.connectorProof(na, nc)));
        // Roles are labelled: the acceptor's proof over the same nonces is not a connector proof.
        assertFalse(b.accepts(b.connectorProof(nc, na), a.acceptorProof(na, nc)));
        assertFalse(b.accepts(b.connectorProof(na, nc), a.connectorProof(na, b.nonce())));
        assertFalse(b.accepts(b.connectorProof(na, nc), Frames.EMPTY));
        // No secret: empty proofs, anything accepted.
        Handshake none = new Handshake("", random);
        assertEquals(0, none.acceptorProof(nc, na).length);
        assertTrue(none.accepts(none.connectorProof(na, nc), Frames.EMPTY));
    }

    @Test
    void handshakeBodiesRoundTrip() {
        byte[] nonce = new byte[Handshake.NONCE_BYTES];
        nonce[0] = 1;
        byte[] hello = Handshake.hello(nonce);
        assertArrayEquals(hex("524b5654 0001"), java.util.Arrays.copyOf(hello, 6));
        Handshake.Greeting g = Handshake.parseGreeting(hello, false);
        assertArrayEquals(nonce, g.nonce());
        byte[] proof = new byte[Handshake.PROOF_BYTES];
        Handshake.Greeting c = Handshake.parseGreeting(Handshake.challenge(nonce, proof), true);
        assertArrayEquals(proof, c.proof());
        assertArrayEquals(proof, Handshake.parseProof(Handshake.proofBody(proof)));
        assertNull(Handshake.parseProof(hex("21")));
        assertNull(Handshake.parseGreeting(hex("524b5654 0001 00"), false));
        Handshake.Greeting v2 = Handshake.parseGreeting(hex("524b5654 0002"), false);
        assertEquals(2, v2.version());
    }
}
