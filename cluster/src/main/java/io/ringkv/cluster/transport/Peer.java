package io.ringkv.cluster.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the transport keeps per peer: its connection slots, the count of requests awaiting its
 * replies, and the reconnect backoff.
 *
 * A slot's connection is created lazily by the first request that finds it empty or closed.
 * After a connection fails before completing its handshake (refused, timed out, authentication
 * refused), requests that find no live connection fail fast for reconnectBackoffMillis instead
 * of each starting a connect attempt or piling up behind one.
 */
final class Peer {

    final InetSocketAddress address;
    final AtomicInteger pending = new AtomicInteger();
    private final AtomicReferenceArray<ClientConnection> slots;
    private final long backoffNanos;

    // Guarded by this.
    private boolean backingOff;
    private long backoffUntilNanos;
    private String backoffReason;

    Peer(InetSocketAddress address, int connections, long backoffMillis) {
        this.address = address;
        this.slots = new AtomicReferenceArray<>(connections);
        this.backoffNanos = backoffMillis * 1_000_000L;
    }

    /**
     * The live connection of a slot, opening one if needed.
     *
     * @throws PeerUnavailableException while backing off, or once the transport is closed
     */
    ClientConnection connection(int slot, InternodeTransport transport) {
        ClientConnection c = slots.get(slot);
        if (c != null && !c.isClosed()) {
            return c;
        }
        synchronized (this) {
            c = slots.get(slot);
            if (c != null && !c.isClosed()) {
                return c;
            }
            // Checked under the lock that close() also takes, so no connection is opened after
            // close() has closed this peer's connections.
            if (transport.isClosed()) {
                throw new PeerUnavailableException("transport closed");
            }
            if (backingOff && System.nanoTime() - backoffUntilNanos < 0) {
                throw new PeerUnavailableException(backoffReason);
            }
            c = transport.connect(this);
            slots.set(slot, c);
            return c;
        }
    }

    synchronized void connectFailed(String reason) {
        backingOff = backoffNanos > 0;
        backoffUntilNanos = System.nanoTime() + backoffNanos;
        backoffReason = reason;
    }

    synchronized void connectSucceeded() {
        backingOff = false;
    }

    boolean connected() {
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.get(i);
            if (c != null && c.isReady()) {
                return true;
            }
        }
        return false;
    }

    /** Closes every connection; returns them so the caller can wait for them. */
    synchronized List<ClientConnection> closeAll(String reason) {
        List<ClientConnection> closing = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.get(i);
            if (c != null) {
                c.close(reason);
                closing.add(c);
            }
        }
        return closing;
    }
}
