package io.ringkv.cluster.coordinator;

/**
 * A request could not gather its quorum before its deadline, or the cluster cannot serve it at
 * all. Clients see "-UNAVAILABLE " + the message. Never MOVED, ASK, CLUSTERDOWN or TRYAGAIN:
 * cluster clients treat those as routing advice and would retry or re-route, not fail.
 *
 * <p>A write that fails this way may still have reached some replicas (docs/cluster.md): its
 * outcome is unknown, not "not applied".
 */
public final class UnavailableException extends RuntimeException {

    public UnavailableException(String message) {
        super(message, null, false, false);
    }
}
