package io.ringkv.server.client;

import io.netty.channel.Channel;
import io.ringkv.server.resp.Reply;

/**
 * One connected client: what CLIENT LIST shows and what the dispatcher checks. Fields written by
 * the connection's event loop and read by other threads (CLIENT LIST, the idle-client sweep) are
 * volatile.
 */
public final class ClientSession {

    private final long id;
    private final Channel channel;
    private final long createdMillis;
    private final Reply reply = new Reply();
    private volatile String name = "";
    private volatile String libName = "";
    private volatile String libVersion = "";
    private volatile boolean authenticated;
    private volatile long lastInteractionMillis;
    private volatile String lastCommand = "NULL";
    private volatile boolean closeAfterReply;
    /** KV.CONSISTENCY's per-connection levels; null means the server's read-quorum/write-quorum. */
    private volatile io.ringkv.cluster.coordinator.Consistency readConsistency;
    private volatile io.ringkv.cluster.coordinator.Consistency writeConsistency;

    public ClientSession(long id, Channel channel, long nowMillis, boolean authenticated) {
        this.id = id;
        this.channel = channel;
        this.createdMillis = nowMillis;
        this.lastInteractionMillis = nowMillis;
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    public Channel channel() {
        return channel;
    }

    public Reply reply() {
        return reply;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public String name() {
        return name;
    }

    public void name(String name) {
        this.name = name;
    }

    public String libName() {
        return libName;
    }

    public void libName(String libName) {
        this.libName = libName;
    }

    public String libVersion() {
        return libVersion;
    }

    public void libVersion(String libVersion) {
        this.libVersion = libVersion;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public long lastInteractionMillis() {
        return lastInteractionMillis;
    }

    public void touch(long nowMillis, String command) {
        this.lastInteractionMillis = nowMillis;
        this.lastCommand = command;
    }

    public String lastCommand() {
        return lastCommand;
    }

    /** Asks the dispatcher to close the connection once this batch's replies are flushed (QUIT). */
    public void closeAfterReply() {
        this.closeAfterReply = true;
    }

    public boolean shouldCloseAfterReply() {
        return closeAfterReply;
    }

    public io.ringkv.cluster.coordinator.Consistency readConsistency() {
        return readConsistency;
    }

    public void readConsistency(io.ringkv.cluster.coordinator.Consistency level) {
        this.readConsistency = level;
    }

    public io.ringkv.cluster.coordinator.Consistency writeConsistency() {
        return writeConsistency;
    }

    public void writeConsistency(io.ringkv.cluster.coordinator.Consistency level) {
        this.writeConsistency = level;
    }
}
