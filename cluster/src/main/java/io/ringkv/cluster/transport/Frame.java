package io.ringkv.cluster.transport;

/**
 * One decoded frame (docs/transport.md). {@code id}, {@code type} and {@code deadlineMillis} are
 * zero where the kind has no such field; {@code arrivedNanos} is when its header was decoded,
 * the instant from which a request's remaining deadline counts.
 */
record Frame(byte kind, long id, int type, int deadlineMillis, byte[] body, long arrivedNanos) {
}
