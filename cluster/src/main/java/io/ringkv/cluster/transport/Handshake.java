package io.ringkv.cluster.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The connection handshake's pure parts: message bodies and the shared-secret proofs. The
 * exchange (docs/transport.md) is
 * <pre>
 *   connector -> acceptor  HELLO     magic, version, connector nonce Nc
 *   acceptor  -> connector CHALLENGE magic, version, acceptor nonce Na, proof Pa
 *   connector -> acceptor  PROOF     proof Pc
 *   acceptor  -> connector READY     (or REJECT reason, then close)
 * </pre>
 * with Pa = HMAC-SHA256(secret, "ringkv-acceptor" || Nc || Na) and
 * Pc = HMAC-SHA256(secret, "ringkv-connector" || Na || Nc). Each side proves it knows the
 * secret over a nonce the other side just drew, so the secret never crosses the wire and a
 * recorded handshake cannot be replayed. The role labels differ so that a proof one side
 * produces is never a proof the other side would accept (no reflection: an attacker cannot open
 * a second connection and get the acceptor to answer its own challenge).
 *
 * With an empty secret a side sends an empty proof and accepts any proof; magic and version are
 * still checked. A side with a secret refuses an empty or wrong proof.
 */
final class Handshake {

    /** "RKVT": ringkv transport. */
    static final int MAGIC = 0x524B5654;
    static final short VERSION = 1;
    static final int NONCE_BYTES = 32;
    static final int PROOF_BYTES = 32;
    static final String AUTH_FAILED = "authentication failed";

    private static final byte[] ACCEPTOR_LABEL = "ringkv-acceptor".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTOR_LABEL = "ringkv-connector".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key; // null when the secret is empty
    private final SecureRandom random;

    Handshake(String secret, SecureRandom random) {
        this.key = secret.isEmpty() ? null : new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.random = random;
    }

    byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        random.nextBytes(n);
        return n;
    }

    /** The acceptor's proof Pa. */
    byte[] acceptorProof(byte[] connectorNonce, byte[] acceptorNonce) {
        return proof(ACCEPTOR_LABEL, connectorNonce, acceptorNonce);
    }

    /** The connector's proof Pc. */
    byte[] connectorProof(byte[] acceptorNonce, byte[] connectorNonce) {
        return proof(CONNECTOR_LABEL, acceptorNonce, connectorNonce);
    }

    /** Whether a received proof is acceptable, compared in constant time. */
    boolean accepts(byte[] expected, byte[] received) {
        return key == null || MessageDigest.isEqual(expected, received);
    }

    private byte[] proof(byte[] label, byte[] first, byte[] second) {
        if (key == null) {
            return Frames.EMPTY;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(label);
            mac.update(first);
            mac.update(second);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    // ---- bodies ----------------------------------------------------------------------------

    /** HELLO: magic:u32 version:u16 nonce:32. */
    static byte[] hello(byte[] nonce) {
        return ByteBuffer.allocate(6 + NONCE_BYTES).putInt(MAGIC).putShort(VERSION).put(nonce).array();
    }

    /** CHALLENGE: magic:u32 version:u16 nonce:32 proofLength:u8 proof. */
    static byte[] challenge(byte[] nonce, byte[] proof) {
        return ByteBuffer.allocate(6 + NONCE_BYTES + 1 + proof.length).putInt(MAGIC).putShort(VERSION)
                .put(nonce).put((byte) proof.length).put(proof).array();
    }

    /** PROOF: proofLength:u8 proof. */
    static byte[] proofBody(byte[] proof) {
        return ByteBuffer.allocate(1 + proof.length).put((byte) proof.length).put(proof).array();
    }

    /** A parsed HELLO or CHALLENGE; proof is empty for HELLO. */
    record Greeting(int magic, int version, byte[] nonce, byte[] proof) {}

    /** Parses HELLO (withProof false) or CHALLENGE; null if the body is malformed. */
    static Greeting parseGreeting(byte[] body, boolean withProof) {
        if (body.length < 6) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        int magic = b.getInt();
        int version = b.getShort() & 0xFFFF;
        if (magic != MAGIC || version != VERSION) {
            // Not ours, or another version: the caller reports it; the rest may be laid out
            // differently, so it is not parsed.
            return new Greeting(magic, version, Frames.EMPTY, Frames.EMPTY);
        }
        if (b.remaining() < NONCE_BYTES) {
            return null;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        b.get(nonce);
        byte[] proof = Frames.EMPTY;
        if (withProof) {
            proof = readProof(b);
            if (proof == null) {
                return null;
            }
        }
        return b.hasRemaining() ? null : new Greeting(magic, version, nonce, proof);
    }

    /** Parses a PROOF body; null if malformed. */
    static byte[] parseProof(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        byte[] proof = readProof(b);
        return proof == null || b.hasRemaining() ? null : proof;
    }

    private static byte[] readProof(ByteBuffer b) {
        if (!b.hasRemaining()) {
            return null;
        }
        int n = b.get() & 0xFF;
        if (n > PROOF_BYTES || b.remaining() < n) {
            return null;
        }
        byte[] proof = new byte[n];
        b.get(proof);
        return proof;
    }

    static String describe(Greeting g) {
        if (g.magic() != MAGIC) {
            return "not a ringkv transport peer (magic 0x" + Integer.toHexString(g.magic()) + ")";
        }
        return "unsupported protocol version " + g.version() + " (this node speaks " + VERSION + ")";
    }
}
