package io.ringkv.cluster.node;

import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.replica.StoredValue;
import io.ringkv.cluster.replica.TooManySiblingsException;
import io.ringkv.cluster.replica.VersionCodec;
import io.ringkv.cluster.transport.RequestHandler;
import io.ringkv.cluster.transport.Responder;
import io.ringkv.cluster.version.Siblings;

/**
 * The serving half of {@link Messages}: answers other nodes' requests from this node's replicas.
 * Runs on the transport's event loops; every operation is a local engine call, so nothing here
 * waits on the network.
 */
public final class ReplicaService implements RequestHandler {

    private static final byte[] EMPTY = new byte[0];

    private final ReplicaStore replicas;
    /** Takes a peer's gossip digest, answers with this node's. */
    private final java.util.function.UnaryOperator<byte[]> gossip;
    private final java.util.function.Consumer<Messages.HintRequest> hints;

    public ReplicaService(ReplicaStore replicas) {
        this(replicas, digest -> {
            throw new IllegalArgumentException("this node does not gossip");
        });
    }

    public ReplicaService(ReplicaStore replicas, java.util.function.UnaryOperator<byte[]> gossip) {
        this(replicas, gossip, hint -> {
            throw new IllegalArgumentException("this node keeps no hints");
        });
    }

    /** @param hints stores a HINT another node handed this one (sloppy quorum) */
    public ReplicaService(ReplicaStore replicas, java.util.function.UnaryOperator<byte[]> gossip,
                          java.util.function.Consumer<Messages.HintRequest> hints) {
        this.hints = hints;
        this.replicas = replicas;
        this.gossip = gossip;
    }

    /*
     * Writes made while answering a read batch of requests are made durable together, in
     * endOfBatch, before the transport flushes the batch's answers: one commit-log write (one
     * fsync with appendfsync always) per batch instead of one per request, and still no
     * acknowledgement before the write is as durable as the policy says. Deferring is switched
     * off again after each request, because the same event loop runs other work (a
     * coordinator's callbacks) whose writes must not wait for a batch end that may never come.
     */
    @Override
    public void endOfBatch() {
        replicas.engine().awaitDurable();
    }

    @Override
    public void handle(int type, byte[] payload, Responder responder) {
        replicas.engine().deferDurability();
        try {
            answer(type, payload, responder);
        } finally {
            replicas.engine().resumeDurability();
        }
    }

    private void answer(int type, byte[] payload, Responder responder) {
        try {
            switch (type) {
                case Messages.READ -> {
                    Messages.KeyRequest r = Messages.keyRequest(payload);
                    responder.reply(replicas.readEncoded(r.slot(), r.key()));
                }
                case Messages.WRITE -> {
                    Messages.KeyRequest r = Messages.keyRequest(payload);
                    Messages.WriteBody w = Messages.writeBody(r.rest());
                    try {
                        responder.reply(replicas.writeStored(r.slot(), r.key(), w.context(), w.blind(), w.value())
                            .encoded());
                    } catch (TooManySiblingsException e) {
                        responder.fail(Messages.TOO_MANY_SIBLINGS + e.getMessage());
                    }
                }
                case Messages.MERGE -> {
                    Messages.KeyRequest r = Messages.keyRequest(payload);
                    byte[] incoming = new byte[r.rest().remaining()];
                    r.rest().get(incoming);
                    replicas.mergeEncoded(r.slot(), r.key(), incoming);
                    responder.reply(EMPTY);
                }
                case Messages.FLUSH -> {
                    replicas.clear();
                    responder.reply(EMPTY);
                }
                case Messages.GOSSIP -> responder.reply(gossip.apply(payload));
                case Messages.HINT -> {
                    hints.accept(Messages.hintRequest(payload));
                    responder.reply(EMPTY);
                }
                default -> responder.fail("unknown request type " + type);
            }
        } catch (IllegalArgumentException e) {
            responder.fail("malformed request: " + e.getMessage());
        } catch (RuntimeException e) {
            responder.fail("failed: " + e);
        }
    }
}
