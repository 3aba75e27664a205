package io.ringkv.storage.lsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CompactionPickerTest {

    @Test
    void fewerThanFourSimilarTablesAreLeftAlone() {
        assertNull(CompactionPicker.pick(new long[] {}));
        assertNull(CompactionPicker.pick(new long[] {10, 10, 10}));
        assertNull(CompactionPicker.pick(new long[] {10, 10, 10, 100, 100, 100, 1000}));
    }

    @Test
    void fourAdjacentSimilarTablesAreMerged() {
        assertArrayEquals(new int[] {0, 4}, CompactionPicker.pick(new long[] {10, 12, 15, 20}));
        assertArrayEquals(new int[] {1, 5}, CompactionPicker.pick(new long[] {1000, 10, 12, 15, 20, 1000}));
    }

    @Test
    void sizesMoreThanTwiceApartDoNotShareARun() {
        assertNull(CompactionPicker.pick(new long[] {10, 21, 10, 21}));
    }

    @Test
    void similarTablesThatAreNotAdjacentAreNotMerged() {
        // The big table in the middle separates two sequence ranges; merging around it would interleave them.
        assertNull(CompactionPicker.pick(new long[] {10, 10, 1000, 10, 10}));
    }

    @Test
    void theSmallestRunWins() {
        assertArrayEquals(new int[] {0, 4}, CompactionPicker.pick(new long[] {10, 10, 10, 10, 100, 100, 100, 100}));
        assertArrayEquals(new int[] {4, 8}, CompactionPicker.pick(new long[] {100, 100, 100, 100, 10, 10, 10, 10}));
    }

    @Test
    void aRunIsCappedAtMaxRun() {
        long[] sizes = new long[40];
        java.util.Arrays.fill(sizes, 10);
        int[] run = CompactionPicker.pick(sizes);
        assertArrayEquals(new int[] {0, CompactionPicker.MAX_RUN}, run);
    }

    @Test
    void smallTablesCountAsFlushSizedSoTheyDoNotSplitRuns() {
        long mb = 1 << 20;
        long[] sizes = {28 * mb, 28 * mb, 28 * mb, 9 * mb, 28 * mb, 28 * mb, 28 * mb};
        // Without a small-table size the 9 MB table splits two runs of three: nothing to do.
        assertNull(CompactionPicker.pick(sizes));
        // With 64 MB memtables every one of these is flush-sized: they form one similar run, and
        // its cheapest part (the small table with its three neighbours) goes first.
        assertArrayEquals(new int[] {3, 7}, CompactionPicker.pick(sizes, 64 * mb));
        assertArrayEquals(new int[] {0, 4}, CompactionPicker.pick(new long[] {28 * mb, 28 * mb, 28 * mb, 93 * mb}, 64 * mb));
        // Tables bigger than the small size still need similar neighbours.
        assertNull(CompactionPicker.pick(new long[] {200 * mb, 9 * mb, 500 * mb, 9 * mb, 200 * mb}, 64 * mb));
    }
}
