package dev.vpcie.devices.spi;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.devices.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    private final FakeClock clock = new FakeClock(1000);
    private final TimerQueue timers = new TimerQueue(clock::nowNs);
    private final List<String> ran = new ArrayList<>();

    @Test
    void runsTasksAtTheirDeadlineInDeadlineOrder() {
        timers.schedule(300, () -> ran.add("c"));
        timers.schedule(100, () -> ran.add("a"));
        timers.schedule(200, () -> ran.add("b"));
        assertEquals(1100, timers.nextDeadlineNs());
        assertEquals(0, timers.runExpired(clock.nowNs()), "nothing is due yet");
        clock.advance(150);
        assertEquals(1, timers.runExpired(clock.nowNs()));
        assertEquals(List.of("a"), ran);
        clock.advance(1000);
        assertEquals(2, timers.runExpired(clock.nowNs()));
        assertEquals(List.of("a", "b", "c"), ran);
        assertTrue(timers.isEmpty());
        assertEquals(TimerQueue.NONE, timers.nextDeadlineNs());
    }

    @Test
    void equalDeadlinesRunInSchedulingOrder() {
        for (int i = 0; i < 10; i++) {
            int n = i;
            timers.schedule(0, () -> ran.add("t" + n));
        }
        timers.runExpired(clock.nowNs());
        assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"), ran);
    }

    @Test
    void cancelledTasksDoNotRun() {
        Timers.Timer t = timers.schedule(10, () -> ran.add("x"));
        assertTrue(t.pending());
        assertTrue(t.cancel());
        assertFalse(t.pending());
        assertFalse(t.cancel(), "second cancel reports nothing to cancel");
        clock.advance(100);
        assertEquals(0, timers.runExpired(clock.nowNs()));
        assertTrue(ran.isEmpty());
    }

    @Test
    void aTaskMayCancelAnotherDueInTheSameRound() {
        Timers.Timer[] second = new Timers.Timer[1];
        timers.schedule(0, () -> {
            ran.add("first");
            second[0].cancel();
        });
        second[0] = timers.schedule(0, () -> ran.add("second"));
        assertEquals(1, timers.runExpired(clock.nowNs()));
        assertEquals(List.of("first"), ran);
    }

    @Test
    void tasksScheduledWhileRunningWaitForTheNextRound() {
        timers.schedule(0, new Runnable() {
            int count;

            @Override
            public void run() {
                ran.add("step" + count);
                if (++count < 3) timers.schedule(0, this);
            }
        });
        assertEquals(1, timers.runExpired(clock.nowNs()), "a self-rescheduling task yields after one step");
        assertEquals(1, timers.runExpired(clock.nowNs()));
        assertEquals(1, timers.runExpired(clock.nowNs()));
        assertEquals(0, timers.runExpired(clock.nowNs()));
        assertEquals(List.of("step0", "step1", "step2"), ran);
    }

    @Test
    void ranTaskIsNoLongerPending() {
        Timers.Timer t = timers.schedule(0, () -> ran.add("x"));
        timers.runExpired(clock.nowNs());
        assertFalse(t.pending());
        assertFalse(t.cancel());
    }

    @Test
    void hugeDelaysDoNotOverflow() {
        timers.schedule(Long.MAX_VALUE, () -> ran.add("never"));
        assertTrue(timers.nextDeadlineNs() > clock.nowNs());
        assertEquals(0, timers.runExpired(clock.nowNs() + 1_000_000_000_000L));
    }

    @Test
    void negativeDelayIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> timers.schedule(-1, () -> { }));
    }

    @Test
    void nowComesFromTheInjectedClock() {
        assertEquals(1000, timers.nowNs());
        clock.advance(5);
        assertEquals(1005, timers.nowNs());
    }
}
