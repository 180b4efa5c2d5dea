package dev.vpcie.vrc.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Busy polling lasts its window after a frame and then leaves the loop free to block. */
class RingPollWindowTest {
    private static final long WINDOW = 200_000;

    @Test
    void afterTheWindowThePollHasNoDeadlineUntilTheNextFrame() {
        AtomicInteger looks = new AtomicInteger();
        RingPoll poll = new RingPoll(new RingPoll.Rings() {
            @Override public long service(long vectors) { return 0; }

            @Override public boolean busyPoll() { looks.incrementAndGet(); return false; }

            @Override public boolean ready() { return true; }
        }, "test", WINDOW);
        assertEquals(Long.MAX_VALUE, poll.nextDeadlineNs(), "no frame yet: nothing to watch");

        poll.activity(1_000_000);
        assertEquals(1_000_000 + WINDOW, poll.nextDeadlineNs(), "a frame went out: watch the rings for the window");
        assertEquals(0, poll.doWork(1_100_000));
        assertEquals(1, looks.get(), "inside the window the rings are looked at");

        assertEquals(0, poll.doWork(1_000_000 + WINDOW));
        assertEquals(Long.MAX_VALUE, poll.nextDeadlineNs(), "the window ran out: the loop may block");
        poll.doWork(5_000_000);
        assertEquals(1, looks.get(), "no more looks after the window");

        poll.activity(6_000_000);
        assertTrue(poll.nextDeadlineNs() == 6_000_000 + WINDOW, "the next frame opens a new window");
    }
}
