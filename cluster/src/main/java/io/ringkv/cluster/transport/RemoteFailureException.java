package io.ringkv.cluster.transport;

/** The peer handled the request and answered with {@link Responder#fail}; the message is its. */
public final class RemoteFailureException extends RuntimeException {
    public RemoteFailureException(String message) {
        super(message, null, false, false);
    }
}
