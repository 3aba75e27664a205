package io.ringkv.cluster.coordinator;

/**
 * Runs a task after a delay: how a read asks its spare replicas when the first ones are slow
 * (speculative retry). The node gives it the event loop's scheduler; tests give their own.
 */
@FunctionalInterface
public interface ReadTimer {

    /** No timer: every read asks every replica at once, as before targeted reads. */
    ReadTimer NONE = null;

    void after(long delayMillis, Runnable task);
}
