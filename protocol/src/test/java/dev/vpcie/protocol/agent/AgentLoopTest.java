package dev.vpcie.protocol.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.SchedAttr;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentLoopTest {

    @Test
    void callRunsOnTheLoopThreadAndReturnsItsValue() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            CompletableFuture<Boolean> onLoop = loop.call(loop::inLoop);
            assertTrue(onLoop.get(5, TimeUnit.SECONDS));
            assertFalse(loop.inLoop());
            CompletableFuture<Object> failing = loop.call(() -> { throw new IllegalArgumentException("boom"); });
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(5, TimeUnit.SECONDS));
            assertEquals("boom", e.getCause().getMessage());
        }
    }

    @Test
    void thePriorityIsSetOnTheLoopsOwnThread() throws Exception {
        // Raising the nice value needs no privilege, so this runs as any user; the slice reads
        // back only on kernels with custom slices (6.12 and later), older ones report 0.
        LoopPriority asked = new LoopPriority(5, Duration.ofNanos(200_000));
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            assertEquals(LoopPriority.NORMAL, loop.priority());
            loop.priority(asked);
            SchedAttr.Attributes onLoop = loop.call(SchedAttr::get).get(5, TimeUnit.SECONDS);
            assertEquals(5, onLoop.nice());
            assertTrue(onLoop.sliceNs() == 200_000 || onLoop.sliceNs() == 0, "slice " + onLoop.sliceNs());
            assertEquals(asked, loop.priority());
            assertEquals(0, SchedAttr.get().nice(), "the caller's thread is untouched");
        }
    }

    @Test
    void aPriorityOutsideTheKernelsBoundsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LoopPriority(-21, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new LoopPriority(20, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new LoopPriority(0, Duration.ofNanos(99_999)));
        assertThrows(IllegalArgumentException.class, () -> new LoopPriority(0, Duration.ofMillis(101)));
        assertTrue(new LoopPriority(0, Duration.ZERO).isNormal());
    }

    @Test
    void aCallAfterCloseFailsInsteadOfHanging() {
        AgentLoop loop = AgentLoop.start("test-loop");
        loop.close();
        CompletableFuture<Integer> f = loop.call(() -> 1);
        assertTrue(f.isCompletedExceptionally());
        assertThrows(IllegalStateException.class, () -> loop.execute(() -> {}));
    }

    @Test
    void anIdleLoopBlocksInsteadOfSpinning() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop", Duration.ofNanos(50_000))) {
            loop.call(() -> null).get(5, TimeUnit.SECONDS);
            awaitBlocked(loop);
            long blocks = loop.blocks(), cycles = loop.cycles(), cpu = loop.cpuTimeNs();
            // Three more blocks: an idle loop only wakes when its longest block ends, and runs a
            // cycle or two each time; a spinning loop would run hundreds of thousands meanwhile.
            Await.until(() -> loop.blocks() >= blocks + 3, "three more blocks");
            assertTrue(loop.cycles() - cycles < 50, "cycles while idle: " + (loop.cycles() - cycles));
            if (cpu >= 0) assertTrue(loop.cpuTimeNs() - cpu < TimeUnit.MILLISECONDS.toNanos(100), "CPU while idle");
        }
    }

    @Test
    void aWatchedDescriptorWakesTheLoopAndItsWorkRuns() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop"); EventFd source = EventFd.open()) {
            CountDownLatch seen = new CountDownLatch(3);
            loop.add(now -> {
                try {
                    if (!source.drain()) return 0;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                seen.countDown();
                return 1;
            });
            loop.watch(source.fd());
            for (int i = 0; i < 3; i++) {
                awaitBlocked(loop);
                long before = seen.getCount();
                source.signal();
                Await.until(() -> seen.getCount() < before, "the loop drains the descriptor");
            }
            assertTrue(seen.await(5, TimeUnit.SECONDS));
            loop.unwatch(source.fd());
        }
    }

    @Test
    void aWorkIsCalledAtItsDeadlineWithoutAnyEvent() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            CountDownLatch fired = new CountDownLatch(1);
            AtomicLong deadline = new AtomicLong(Long.MAX_VALUE);
            loop.add(new AgentWork() {
                @Override public int doWork(long nowNs) {
                    if (nowNs - deadline.get() >= 0) {
                        deadline.set(Long.MAX_VALUE);
                        fired.countDown();
                        return 1;
                    }
                    return 0;
                }

                @Override public long nextDeadlineNs() { return deadline.get(); }
            });
            loop.execute(() -> deadline.set(loop.nowNs() + TimeUnit.MILLISECONDS.toNanos(30)));
            assertTrue(fired.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void whatAWorkQueuesDuringACycleIsFlushedAtItsEndBeforeTheNextCycle() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            // "wire" queues what "device" (a later work) sends, as a NIC's wire queues the frames a
            // device model transmits from another work's callback, and flushes at the end of the cycle.
            List<Integer> queued = new ArrayList<>(), flushed = new ArrayList<>();
            AtomicInteger leftOver = new AtomicInteger();
            AgentWork wire = new AgentWork() {
                @Override public int doWork(long nowNs) {
                    if (!queued.isEmpty()) leftOver.incrementAndGet(); // held past the cycle it was queued in
                    return 0;
                }

                @Override public void cycleEnded(long nowNs) {
                    flushed.addAll(queued);
                    queued.clear();
                }
            };
            AtomicInteger sent = new AtomicInteger();
            AgentWork device = nowNs -> {
                if (sent.get() >= 5) return 0;
                queued.add(sent.getAndIncrement());
                queued.add(sent.getAndIncrement());
                return 1;
            };
            loop.add(wire);
            loop.add(device);
            Await.until(() -> loop.call(flushed::size).get(5, TimeUnit.SECONDS) == 6, "six frames flushed");
            assertEquals(List.of(0, 1, 2, 3, 4, 5), loop.call(() -> List.copyOf(flushed)).get(5, TimeUnit.SECONDS), "in order");
            assertEquals(0, leftOver.get(), "nothing queued in one cycle was still queued when the next began");
        }
    }

    @Test
    void removedWorkIsClosedAndNoLongerCalled() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch closed = new CountDownLatch(1);
            AgentWork w = new AgentWork() {
                @Override public int doWork(long nowNs) { calls.incrementAndGet(); return 0; }

                @Override public void onClose() { closed.countDown(); }
            };
            loop.add(w);
            loop.call(() -> null).get(5, TimeUnit.SECONDS);
            loop.remove(w);
            assertTrue(closed.await(5, TimeUnit.SECONDS));
            int after = calls.get();
            loop.call(() -> null).get(5, TimeUnit.SECONDS);
            assertEquals(after, calls.get());
        }
    }

    @Test
    void anAwakeWindowKeepsTheLoopSpinningUntilItsEndOnly() {
        long spin = 50_000, lastWork = 1_000_000;
        assertTrue(AgentLoop.spins(lastWork + spin - 1, lastWork, spin, Long.MIN_VALUE), "inside the spin after work");
        assertFalse(AgentLoop.spins(lastWork + spin, lastWork, spin, Long.MIN_VALUE), "no window: blocks after the spin");
        long until = lastWork + 300_000;
        assertTrue(AgentLoop.spins(until - 1, lastWork, spin, until), "inside the awake window");
        assertFalse(AgentLoop.spins(until, lastWork, spin, until), "the window is over");
        assertFalse(AgentLoop.spins(until + TimeUnit.SECONDS.toNanos(1), lastWork, spin, until), "long after the window");
    }

    @Test
    void aLoopKeptAwakeBlocksAgainOnceTheWindowIsOver() throws Exception {
        try (AgentLoop loop = AgentLoop.start("test-loop", Duration.ofNanos(50_000))) {
            loop.awakeWindow(AgentLoop.MAX_AWAKE_WINDOW);
            AtomicInteger exchanges = new AtomicInteger();
            loop.add(now -> {
                if (exchanges.get() == 0) return 0;
                exchanges.decrementAndGet();
                loop.stayAwake(); // as a doorbell or a frame does
                return 1;
            });
            awaitBlocked(loop);
            exchanges.set(3);
            loop.wakeup();
            Await.until(() -> exchanges.get() == 0, "the exchanges ran");
            awaitBlocked(loop); // bounded: the window does not keep an idle loop spinning
            long blocks = loop.blocks(), cycles = loop.cycles();
            Await.until(() -> loop.blocks() >= blocks + 2, "two more blocks");
            assertTrue(loop.cycles() - cycles < 50, "cycles while idle after the window: " + (loop.cycles() - cycles));
        }
    }

    @Test
    void theAwakeWindowIsBounded() {
        try (AgentLoop loop = AgentLoop.start("test-loop")) {
            assertEquals(AgentLoop.DEFAULT_AWAKE_WINDOW, loop.awakeWindow());
            assertThrows(IllegalArgumentException.class, () -> loop.awakeWindow(AgentLoop.MAX_AWAKE_WINDOW.plusNanos(1)));
            assertThrows(IllegalArgumentException.class, () -> loop.awakeWindow(Duration.ofNanos(-1)));
            loop.awakeWindow(Duration.ZERO);
            loop.stayAwake(); // off: nothing to keep
            assertEquals(Duration.ZERO, loop.awakeWindow());
        }
    }

    /** Waits until the loop has blocked at least once more than now (it is idle). */
    private static void awaitBlocked(AgentLoop loop) {
        long b = loop.blocks();
        Await.until(() -> loop.blocks() > b, "the loop blocks");
    }
}
