package io.ringkv.cluster.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringkv.cluster.coordinator.QuorumTracker.Requirement;
import io.ringkv.cluster.coordinator.QuorumTracker.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuorumTrackerTest {

    private static final List<String> ABC = List.of("a", "b", "c");

    private static QuorumTracker single(String operation, int needed) {
        return new QuorumTracker(operation, ABC, List.of(new Requirement(ABC, needed)));
    }

    @Test
    void oneRequirementCountsAsTheOldNeededOfTotal() {
        QuorumTracker t = single("write", 2);
        assertEquals(State.WAITING, t.state());
        t.success("a");
        assertEquals(State.WAITING, t.state());
        t.failure("b", "127.0.0.1:7001 timed out");
        assertEquals(State.WAITING, t.state());
        t.success("c");
        assertEquals(State.SUCCEEDED, t.state());
        assertEquals(2, t.successes());
        assertEquals(3, t.answered());
        assertTrue(t.allAnswered());
    }

    @Test
    void failsAsSoonAsTheQuorumCannotBeMet_withTheSameMessageAsBefore() {
        QuorumTracker t = single("write", 2);
        t.success("a");
        t.failure("b", "127.0.0.1:7001 timed out");
        assertEquals(State.WAITING, t.state());
        t.failure("c", "127.0.0.1:7002 unreachable");
        assertEquals(State.FAILED, t.state());
        assertEquals("write needed 2 of 3 replicas, 1 acknowledged (127.0.0.1:7001 timed out; 127.0.0.1:7002 unreachable)",
            t.describeFailure());

        QuorumTracker read = single("read", 3);
        read.failure("c", "127.0.0.1:7002 is down");
        assertEquals(State.FAILED, read.state());
        assertEquals("read needed 3 of 3 replicas, 0 answered (127.0.0.1:7002 is down)", read.describeFailure());

        QuorumTracker one = new QuorumTracker("read", List.of("a"), List.of(new Requirement(List.of("a"), 1)));
        assertEquals("read needed 1 of 1 replica, 0 answered", one.describeFailure());
        List<String> two = List.of("a", "b");
        QuorumTracker flush = new QuorumTracker("flush", two, List.of(new Requirement(two, 2)));
        flush.success("a");
        flush.failure("b", "127.0.0.1:7001 unreachable");
        assertEquals("flush needed 2 of 2 nodes, 1 answered (127.0.0.1:7001 unreachable)", flush.describeFailure());
    }

    @Test
    void aNodeAnswersOnce() {
        QuorumTracker t = single("write", 2);
        t.success("a");
        t.success("a");
        assertEquals(State.WAITING, t.state());
        assertEquals(1, t.successes());
        t.failure("a", "late failure");
        assertEquals(1, t.answered());
        t.failure("b", "b failed");
        t.success("b");
        assertEquals(State.WAITING, t.state());
        assertEquals(2, t.answered());
        t.failure("c", "c failed");
        assertEquals(State.FAILED, t.state());
        assertFalse(t.describeFailure().contains("late failure"));
    }

    @Test
    void everyRequirementMustBeMet() {
        List<String> all = List.of("a1", "a2", "a3", "b1", "b2", "b3");
        QuorumTracker t = new QuorumTracker("write", all, List.of(
            new Requirement(List.of("a1", "a2", "a3"), 2, "in dc1 (EACH_QUORUM)"),
            new Requirement(List.of("b1", "b2", "b3"), 2, "in dc2 (EACH_QUORUM)")));
        t.success("a1");
        t.success("a2");
        assertEquals(State.WAITING, t.state(), "dc1 has its quorum, dc2 not yet");
        t.success("b1");
        assertEquals(State.WAITING, t.state());
        t.success("b3");
        assertEquals(State.SUCCEEDED, t.state());
    }

    @Test
    void failsWhenAnyRequirementCannotBeMet_andSaysWhichOne() {
        List<String> all = List.of("a1", "a2", "a3", "b1", "b2", "b3");
        QuorumTracker t = new QuorumTracker("write", all, List.of(
            new Requirement(List.of("a1", "a2", "a3"), 2, "in dc1 (EACH_QUORUM)"),
            new Requirement(List.of("b1", "b2", "b3"), 2, "in dc2 (EACH_QUORUM)")));
        t.failure("a3", "127.0.0.1:7002 timed out");
        t.success("a1");
        t.success("b1");
        t.failure("b2", "127.0.0.1:7004 is down");
        assertEquals(State.WAITING, t.state());
        t.failure("b3", "127.0.0.1:7005 unreachable");
        assertEquals(State.FAILED, t.state(), "dc2 can no longer reach 2, whatever dc1 does");
        // Only the failed requirement's nodes are listed.
        assertEquals("write needed 2 of 3 replicas in dc2 (EACH_QUORUM), 1 acknowledged"
            + " (127.0.0.1:7004 is down; 127.0.0.1:7005 unreachable)", t.describeFailure());
    }

    @Test
    void whileStillWaitingTheFirstUnmetRequirementIsDescribed() {
        // A request that gives up at its deadline describes what it was still waiting for.
        List<String> all = List.of("a1", "a2", "b1");
        QuorumTracker t = new QuorumTracker("read", all, List.of(
            new Requirement(List.of("a1", "a2"), 1, "in dc1 (EACH_QUORUM)"),
            new Requirement(List.of("b1"), 1, "in dc2 (EACH_QUORUM)")));
        t.success("a2");
        assertEquals(State.WAITING, t.state());
        assertEquals("read needed 1 of 1 replica in dc2 (EACH_QUORUM), 0 answered", t.describeFailure());
    }

    @Test
    void targetsOutsideEveryRequirementDecideNothing() {
        // LOCAL_QUORUM: every replica is asked, only the local ones count.
        List<String> all = List.of("a1", "a2", "b1", "b2");
        QuorumTracker t = new QuorumTracker("write", all,
            List.of(new Requirement(List.of("a1", "a2"), 2, "in dc1 (LOCAL_QUORUM)")));
        t.failure("b1", "127.0.0.1:7003 unreachable");
        t.success("a1");
        assertEquals(State.WAITING, t.state());
        t.success("a2");
        assertEquals(State.SUCCEEDED, t.state());
        assertFalse(t.allAnswered());
    }

    @Test
    void overlappingRequirementsShareAnswers() {
        // A joint quorum over an old placement {a, b, c} and a new one {b, c, d}.
        QuorumTracker t = new QuorumTracker("write", List.of("a", "b", "c", "d"), List.of(
            new Requirement(List.of("a", "b", "c"), 2), new Requirement(List.of("b", "c", "d"), 2)));
        t.success("b");
        t.success("a");
        assertEquals(State.WAITING, t.state());
        t.success("d");
        assertEquals(State.SUCCEEDED, t.state());

        QuorumTracker f = new QuorumTracker("write", List.of("a", "b", "c", "d"), List.of(
            new Requirement(List.of("a", "b", "c"), 2), new Requirement(List.of("b", "c", "d"), 2)));
        f.failure("c", "c down");
        f.failure("d", "d down");
        assertEquals(State.FAILED, f.state());
        assertEquals("write needed 2 of 3 replicas, 0 acknowledged (c down; d down)", f.describeFailure());
    }

    @Test
    void aRequirementNeedingNothingIsMetAtOnce() {
        QuorumTracker t = new QuorumTracker("write", List.of("a"), List.of(new Requirement(List.of(), 0),
            new Requirement(List.of("a"), 1)));
        assertEquals(State.WAITING, t.state());
        t.success("a");
        assertEquals(State.SUCCEEDED, t.state());
    }

    @Test
    void rejectsInconsistentInput() {
        assertThrows(IllegalArgumentException.class, () -> new Requirement(ABC, 4));
        assertThrows(IllegalArgumentException.class, () -> new Requirement(ABC, -1));
        assertThrows(IllegalArgumentException.class, () -> new Requirement(List.of("a", "a"), 1));
        assertThrows(IllegalArgumentException.class, () -> new QuorumTracker("read", ABC, List.of()));
        assertThrows(IllegalArgumentException.class,
            () -> new QuorumTracker("read", List.of("a", "b"), List.of(new Requirement(ABC, 2))));
        assertThrows(IllegalArgumentException.class,
            () -> new QuorumTracker("read", List.of("a", "a"), List.of(new Requirement(List.of("a"), 1))));
        QuorumTracker t = single("read", 2);
        assertThrows(IllegalArgumentException.class, () -> t.success("stranger"));
        assertThrows(IllegalArgumentException.class, () -> t.failure("stranger", "x"));
    }
}
