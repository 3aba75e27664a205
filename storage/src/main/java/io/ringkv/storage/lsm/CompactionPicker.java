package io.ringkv.storage.lsm;

/**
 * Size-tiered choice of what to compact, as a pure function of the table sizes.
 *
 * <p>A candidate is a run of at least {@link #MIN_RUN} tables that are adjacent in flush order
 * and of similar size (the largest at most {@link #SIZE_RATIO} times the smallest). Adjacency
 * is what keeps each table's sequence range contiguous, which the read path relies on (see
 * {@link Version}). Among candidates the one with the smallest tables wins, then the longest:
 * small runs are cheap, are produced most often (every few flushes), and merging them first
 * keeps the number of tables, hence the read amplification, bounded by about MIN_RUN per size
 * tier.
 *
 * <p>Tables no bigger than {@code smallBytes} (the memtable size: what a flush produces) count
 * as that size in the similarity test, as Cassandra buckets all its small SSTables together.
 * Without it a short flush (at shutdown, FLUSHALL or after a restart's log replay) leaves a
 * small table between full-sized ones that is "dissimilar" to both neighbours, and since runs
 * must be adjacent it splits them into runs too short to compact: measured, 8 tables stayed
 * uncompacted at 1.76 bytes on disk per stored byte after an overwrite.
 */
final class CompactionPicker {

    static final int MIN_RUN = 4;
    static final int MAX_RUN = 32;
    static final double SIZE_RATIO = 2.0;

    private CompactionPicker() {
    }

    /**
     * The run to compact as {start, end} (end exclusive) indexes into {@code sizes}, or null.
     * {@code sizes} are in table order (newest first, but the choice is symmetric).
     */
    static int[] pick(long[] sizes) {
        return pick(sizes, 0);
    }

    static int[] pick(long[] sizes, long smallBytes) {
        int[] best = null;
        double bestAverage = Double.MAX_VALUE;
        for (int start = 0; start + MIN_RUN <= sizes.length; start++) {
            long min = Math.max(Math.max(1, smallBytes), sizes[start]);
            long max = min;
            long total = sizes[start];
            int end = start + 1;
            while (end < sizes.length && end - start < MAX_RUN) {
                long s = Math.max(Math.max(1, smallBytes), sizes[end]);
                long newMin = Math.min(min, s);
                long newMax = Math.max(max, s);
                if (newMax > SIZE_RATIO * newMin) {
                    break;
                }
                min = newMin;
                max = newMax;
                total += sizes[end];
                end++;
            }
            int length = end - start;
            double average = (double) total / length;
            if (length >= MIN_RUN && (average < bestAverage || (average == bestAverage && length > best[1] - best[0]))) {
                best = new int[] {start, end};
                bestAverage = average;
            }
        }
        return best;
    }
}
