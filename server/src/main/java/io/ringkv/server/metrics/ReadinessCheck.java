package io.ringkv.server.metrics;

import java.util.function.BooleanSupplier;

/**
 * One condition a node must meet before it takes traffic (GET /ready answers 200 only when every
 * check passes).
 *
 * @param name what is awaited, shown in the 503 body while it is not met (e.g. "cluster topology
 *             complete")
 * @param passed asked at every probe; must be cheap and must not block
 */
public record ReadinessCheck(String name, BooleanSupplier passed) {
}
