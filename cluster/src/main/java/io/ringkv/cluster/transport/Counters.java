package io.ringkv.cluster.transport;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link TransportStats}; bumped from any thread. */
final class Counters {
    final LongAdder requestsSent = new LongAdder();
    final LongAdder requestsReceived = new LongAdder();
    final LongAdder repliesReceived = new LongAdder();
    final LongAdder remoteFailures = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder unavailable = new LongAdder();
    final LongAdder overloaded = new LongAdder();
    final LongAdder lateReplies = new LongAdder();
    final LongAdder expiredDropped = new LongAdder();
    final LongAdder authFailures = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();

    TransportStats snapshot() {
        return new TransportStats(requestsSent.sum(), requestsReceived.sum(), repliesReceived.sum(),
                remoteFailures.sum(), timeouts.sum(), unavailable.sum(), overloaded.sum(), lateReplies.sum(),
                expiredDropped.sum(), authFailures.sum(), bytesSent.sum(), bytesReceived.sum());
    }
}
