package io.ringkv.cluster.ring;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many replicas each slot has: either a plain number N (the first N distinct members of the
 * slot's preference list, spread over datacenters and racks) or a count per datacenter, written
 * {@code dc1:2,dc2:1} (for each listed datacenter, the first that many of its members met
 * walking clockwise from the slot; unlisted datacenters hold no replicas). An immutable value;
 * {@link #toString()} is the canonical text (per-datacenter entries sorted by name, no spaces),
 * so two nodes configured with the same factor in another order or spacing compare equal.
 */
public final class ReplicationFactor {

    /** The largest count accepted, per datacenter and in total. */
    public static final int MAX = 16;

    private static final String SHAPE = "replication-factor must be a number from 1 to " + MAX
        + " or a list of datacenter:count like dc1:2,dc2:1";

    private final int total;
    /** Sorted by datacenter name; empty for a plain N. */
    private final Map<String, Integer> perDatacenter;

    private ReplicationFactor(int total, Map<String, Integer> perDatacenter) {
        this.total = total;
        this.perDatacenter = perDatacenter;
    }

    /** A plain factor N, 1..{@value #MAX}. */
    public static ReplicationFactor of(int n) {
        if (n < 1 || n > MAX) {
            throw new IllegalArgumentException("replication-factor must be between 1 and " + MAX + ": " + n);
        }
        return new ReplicationFactor(n, Map.of());
    }

    /** A per-datacenter factor: each count 1..{@value #MAX}, their sum at most {@value #MAX}. */
    public static ReplicationFactor of(Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            throw new IllegalArgumentException(SHAPE + ": no datacenter given");
        }
        Map<String, Integer> sorted = new TreeMap<>();
        int sum = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            String dc = e.getKey();
            int n = e.getValue();
            if (dc == null || dc.isEmpty() || !dc.strip().equals(dc) || dc.contains(",") || dc.contains(":")) {
                throw new IllegalArgumentException("replication-factor: bad datacenter name '" + dc + "'");
            }
            if (n < 1 || n > MAX) {
                throw new IllegalArgumentException("replication-factor: the count for " + dc + " must be between 1 and "
                    + MAX + ": " + n);
            }
            sum += n;
            sorted.put(dc, n);
        }
        if (sum > MAX) {
            throw new IllegalArgumentException("replication-factor: the counts add up to " + sum + ", more than " + MAX);
        }
        return new ReplicationFactor(sum, Collections.unmodifiableMap(new LinkedHashMap<>(sorted)));
    }

    /**
     * Parses "3" or "dc1:2, dc2:1" (whitespace around names, counts and commas is ignored);
     * throws {@link IllegalArgumentException} with a message fit for CONFIG errors otherwise.
     */
    public static ReplicationFactor parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(SHAPE + ": empty");
        }
        if (t.indexOf(':') < 0) {
            int n;
            try {
                n = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(SHAPE + ": '" + text + "'");
            }
            return of(n);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String entry : t.split(",", -1)) {
            int colon = entry.indexOf(':');
            if (colon < 0 || entry.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException(SHAPE + ": bad entry '" + entry.strip() + "'");
            }
            String dc = entry.substring(0, colon).strip();
            String count = entry.substring(colon + 1).strip();
            if (dc.isEmpty()) {
                throw new IllegalArgumentException(SHAPE + ": no datacenter name in '" + entry.strip() + "'");
            }
            int n;
            try {
                n = Integer.parseInt(count);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(SHAPE + ": bad count in '" + entry.strip() + "'");
            }
            if (counts.put(dc, n) != null) {
                throw new IllegalArgumentException("replication-factor: datacenter " + dc + " is listed twice");
            }
        }
        return of(counts);
    }

    /** N, or the sum of the per-datacenter counts. */
    public int total() {
        return total;
    }

    /** The count per datacenter, sorted by name; empty for a plain N. */
    public Map<String, Integer> perDatacenter() {
        return perDatacenter;
    }

    public boolean isPerDatacenter() {
        return !perDatacenter.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplicationFactor f && f.total == total && f.perDatacenter.equals(perDatacenter);
    }

    @Override
    public int hashCode() {
        return total * 31 + perDatacenter.hashCode();
    }

    /** "3", or "dc1:2,dc2:1" with the datacenters sorted by name. */
    @Override
    public String toString() {
        if (perDatacenter.isEmpty()) {
            return Integer.toString(total);
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Integer> e : perDatacenter.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(e.getKey()).append(':').append(e.getValue());
        }
        return sb.toString();
    }
}
