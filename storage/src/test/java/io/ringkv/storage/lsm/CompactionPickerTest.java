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
}
