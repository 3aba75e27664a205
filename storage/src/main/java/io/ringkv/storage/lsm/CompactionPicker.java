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
        int[] best = null;
        double bestAverage = Double.MAX_VALUE;
        for (int start = 0; start + MIN_RUN <= sizes.length; start++) {
            long min = Math.max(1, sizes[start]);
            long max = min;
            long total = sizes[start];
            int end = start + 1;
            while (end < sizes.length && end - start < MAX_RUN) {
                long s = Math.max(1, sizes[end]);
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
