package io.ringkv.cluster.stream;

import io.ringkv.cluster.node.Messages;
import io.ringkv.cluster.replica.ReplicaStore;
import io.ringkv.cluster.transport.RequestHandler;
import io.ringkv.cluster.transport.Responder;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The answering side of slot streaming, in front of the node's other requests (everything but
 * {@link Messages#STREAM_READ} and {@link Messages#STREAM_WRITE} goes to {@code next}). A page
 * scans a slot, far too slow for an event loop, so both are answered on {@code worker}.
 */
public final class StreamService implements RequestHandler {

    private final ReplicaStore replicas;
    private final RequestHandler next;
    private final Executor worker;

    public StreamService(ReplicaStore replicas, RequestHandler next, Executor worker) {
        this.replicas = replicas;
        this.next = next;
        this.worker = worker;
    }

    @Override
    public void endOfBatch() {
        next.endOfBatch();
    }

    @Override
    public void handle(int type, byte[] payload, Responder responder) {
        if (type != Messages.STREAM_READ && type != Messages.STREAM_WRITE) {
            next.handle(type, payload, responder);
            return;
        }
        try {
            worker.execute(() -> answer(type, payload, responder));
        } catch (RejectedExecutionException e) {
            responder.fail("streaming is shutting down");
        }
    }

    private void answer(int type, byte[] payload, Responder responder) {
        try {
            if (type == Messages.STREAM_READ) {
                StreamMessages.ReadRequest r = StreamMessages.readRequest(payload);
                responder.reply(StreamMessages.pages(SlotPages.read(replicas, r.slots(), r.maxBytes())));
            } else {
                SlotPages.write(replicas, StreamMessages.pages(payload));
                responder.reply(new byte[0]);
            }
        } catch (IllegalArgumentException e) {
            responder.fail("malformed request: " + e.getMessage());
        } catch (RuntimeException e) {
            responder.fail("failed: " + e);
        }
    }
}
