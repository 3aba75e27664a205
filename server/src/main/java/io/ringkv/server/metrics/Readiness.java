package io.ringkv.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Whether this node should take traffic (GET /ready): the conjunction of every registered
 * check. A node with no checks (a single node) is ready as soon as it serves. Components add the
 * conditions they own, e.g. a cluster node its complete topology, and later a joining node the
 * end of its streaming.
 */
public final class Readiness {

    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();

    public void require(String name, BooleanSupplier passed) {
        checks.add(new ReadinessCheck(name, passed));
    }

    /** The names of the checks that do not pass now; empty when the node is ready. */
    public List<String> unmet() {
        List<String> unmet = new ArrayList<>();
        for (ReadinessCheck check : checks) {
            if (!check.passed().getAsBoolean()) {
                unmet.add(check.name());
            }
        }
        return unmet;
    }
}
