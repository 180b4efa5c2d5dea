package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.protocol.tlp.MemRead;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The VRC's tags, on the loop thread's clock (time passed in). */
class CompletionTrackerTest {
    private static final int RC = 0x0000, TARGET = 0x0100;
    private static final long TIMEOUT_NS = 1_000_000;

    private final Counters counters = new Counters();
    private final CompletionTracker tracker = new CompletionTracker(counters, TIMEOUT_NS, RC);

    private CompletionTracker.Request read() {
        return tracker.newRequest(tag -> new MemRead(RC, tag, 0x1000, 1, 0xF, 0), 4, TARGET, true);
    }

    private static Completion answer(int tag) {
        return new Completion(TARGET, CplStatus.SC, false, 4, RC, tag, 0, Attributes.DEFAULT, new byte[] {1, 2, 3, 4});
    }

    @Test void aTagFreedByATimeoutIsReusedOnlyAfterEveryOtherTag() {
        CompletionTracker.Request late = read();
        assertTrue(tracker.open(late, 0));
        int tag = late.tag();
        assertEquals(1, tracker.expire(TIMEOUT_NS));
        assertEquals(Outcome.TIMEOUT, late.result.join().outcome());

        List<Integer> next = new ArrayList<>();
        for (int i = 0; i < CompletionTracker.TAGS - 1; i++) {
            CompletionTracker.Request r = read();
            assertTrue(tracker.open(r, TIMEOUT_NS));
            next.add(r.tag());
        }
        assertFalse(next.contains(tag), "every other tag is handed out before the timed-out one");
        tracker.onCompletion(answer(tag)); // the straggler finds its tag free
        assertEquals(1, counters.get(Counter.UNEXPECTED_COMPLETION));

        CompletionTracker.Request last = read();
        assertTrue(tracker.open(last, TIMEOUT_NS));
        assertEquals(tag, last.tag(), "the timed-out tag comes round last");
    }

    @Test void withEveryTagTakenRequestsWaitAndTakeFreedTagsInArrivalOrder() {
        List<CompletionTracker.Request> open = new ArrayList<>();
        for (int i = 0; i < CompletionTracker.TAGS; i++) {
            CompletionTracker.Request r = read();
            assertTrue(tracker.open(r, 0));
            open.add(r);
        }
        CompletionTracker.Request first = read(), second = read();
        assertFalse(tracker.open(first, 0));
        assertFalse(tracker.open(second, 0));
        assertNull(tracker.nextReady(), "no tag free yet");
        assertEquals(CompletionTracker.TAGS, tracker.outstanding());

        tracker.onCompletion(answer(open.get(7).tag()));
        assertEquals(Outcome.SUCCESS, open.get(7).result.join().outcome());
        assertSame(first, tracker.nextReady());
        assertEquals(open.get(7).tag(), first.tag(), "the only free tag");
        assertNull(tracker.nextReady());
    }

    @Test void aFailedLinkFreesEveryTag() {
        for (int i = 0; i < 10; i++) assertTrue(tracker.open(read(), 0));
        tracker.linkDown("test");
        assertEquals(0, tracker.outstanding());
        tracker.linkUp();
        CompletionTracker.Request r = read();
        assertTrue(tracker.open(r, 0));
        assertEquals(10, r.tag(), "round-robin goes on after the tags the failed requests held");
    }
}
