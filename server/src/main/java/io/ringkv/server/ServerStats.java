package io.ringkv.server;

import java.util.concurrent.atomic.LongAdder;

/** Counters behind INFO stats; CONFIG RESETSTAT zeroes them. LongAdders: many writer threads. */
public final class ServerStats {

    public final LongAdder connectionsReceived = new LongAdder();
    public final LongAdder commandsProcessed = new LongAdder();
    public final LongAdder rejectedConnections = new LongAdder();
    public final LongAdder keyspaceHits = new LongAdder();
    public final LongAdder keyspaceMisses = new LongAdder();
    public final LongAdder netInputBytes = new LongAdder();
    public final LongAdder netOutputBytes = new LongAdder();
    public final LongAdder errorReplies = new LongAdder();
    private volatile long instantaneousOpsPerSec;
    private long lastSampleCommands;
    private long lastSampleMillis;

    public void reset() {
        connectionsReceived.reset();
        commandsProcessed.reset();
        rejectedConnections.reset();
        keyspaceHits.reset();
        keyspaceMisses.reset();
        netInputBytes.reset();
        netOutputBytes.reset();
        errorReplies.reset();
        lastSampleCommands = 0;
    }

    /** Called from the server's cron thread only. */
    public void sample(long nowMillis) {
        long commands = commandsProcessed.sum();
        if (lastSampleMillis != 0 && nowMillis > lastSampleMillis) {
            instantaneousOpsPerSec = Math.max(0, (commands - lastSampleCommands) * 1000 / (nowMillis - lastSampleMillis));
        }
        lastSampleCommands = commands;
        lastSampleMillis = nowMillis;
    }

    public long instantaneousOpsPerSec() {
        return instantaneousOpsPerSec;
    }
}
