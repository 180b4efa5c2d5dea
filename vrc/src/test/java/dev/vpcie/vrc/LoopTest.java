package dev.vpcie.vrc;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.link.LinkDownException;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The root complex's data path runs on one loop: requests enter it from other threads and never hang, and an idle loop sleeps. */
class LoopTest {

    @Test void requestAfterTheLinkWentDownCompletesExceptionally() throws Exception {
        try (Fixture fx = new Fixture(Duration.ofSeconds(30), FakeFunction.nic(0, false))) {
            PcieDevice d = fx.enumerateOne();
            long bar0 = d.bar(0).address();
            fx.ports[0].comeUp(1);
            fx.ports[0].goDown("peer silent");
            Await.until(() -> !fx.link.isUp(), "link down");
            // From another thread, with a 30 s completion timeout: only the link state can end it soon.
            CompletableFuture<Access> f = CompletableFuture.supplyAsync(() -> fx.rc.memReadAsync(bar0, 4)).thenCompose(x -> x);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertInstanceOf(LinkDownException.class, e.getCause());
            // The blocking form says the same as a value.
            assertEquals(Outcome.LINK_DOWN, d.mmioRead(0, 0, 4).outcome());
        }
    }

    @Test void requestOutstandingWhenTheLinkGoesDownCompletesExceptionally() throws Exception {
        try (Fixture fx = new Fixture(Duration.ofSeconds(30), FakeFunction.nic(0, false))) {
            PcieDevice d = fx.enumerateOne();
            fx.endpoint.stopped = true;
            CompletableFuture<Access> f = fx.rc.memReadAsync(d.bar(0).address(), 4);
            Await.until(() -> fx.link.tracker().outstanding() == 1, "read outstanding");
            fx.ports[0].goDown("peer silent");
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
            assertInstanceOf(LinkDownException.class, e.getCause());
            assertEquals(0, fx.link.tracker().outstanding());
        }
    }

    @Test void completionTimeoutIsAnOutcomeFromTheLoopsClock() throws Exception {
        // Long enough for enumeration on a loaded machine (30 ms once timed a config read out), short for the test.
        try (Fixture fx = new Fixture(Duration.ofMillis(500), FakeFunction.nic(0, false))) {
            PcieDevice d = fx.enumerateOne();
            fx.endpoint.stopped = true;
            Access a = fx.rc.memReadAsync(d.bar(0).address(), 4).get(5, TimeUnit.SECONDS);
            assertEquals(new Access(Outcome.TIMEOUT, 0xFFFF_FFFFL), a);
            assertEquals(1, fx.rc.counters().get(Counter.COMPLETION_TIMEOUT));
        }
    }

    @Test void blockingCallOnTheLoopThreadIsRefusedInsteadOfDeadlocking() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            CompletableFuture<Access> onLoop = fx.rc.loop().call(() -> d.mmioRead(0, 0, 4));
            ExecutionException e = assertThrows(ExecutionException.class, () -> onLoop.get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            // The asynchronous form works there.
            d.mmioWrite(0, 0x10, 4, 0x1234);
            Access a = fx.rc.loop().call(() -> fx.rc.memReadAsync(d.bar(0).address() + 0x10, 4)).get(5, TimeUnit.SECONDS)
                    .get(5, TimeUnit.SECONDS);
            assertEquals(new Access(Outcome.SUCCESS, 0x1234), a);
        }
    }

    @Test void interruptHandlersRunOnTheLoop() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            d.enableMsix(4);
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            d.onInterrupt(1, () -> onLoop.complete(fx.rc.loop().inLoop()));
            fx.endpoint.msix(0, 1);
            assertTrue(onLoop.get(5, TimeUnit.SECONDS));
        }
    }

    @Test void idleLoopBlocks() throws Exception {
        try (Fixture fx = Fixture.nic()) {
            PcieDevice d = fx.enumerateOne();
            for (int i = 0; i < 100; i++) d.mmioRead(0, 0, 4).value();
            // Once the spin after the last work is over, the loop sleeps: its CPU time stops growing.
            // Measured over two windows: the first may still hold the tail of the spin.
            AtomicLong before = new AtomicLong(fx.rc.loop().cpuTimeNs());
            long grewBy = Long.MAX_VALUE;
            for (int attempt = 0; attempt < 50 && grewBy > 1_000_000; attempt++) {
                LockSupport.parkNanos(100_000_000L);
                long now = fx.rc.loop().cpuTimeNs();
                grewBy = now - before.getAndSet(now);
            }
            assertTrue(grewBy <= 1_000_000, "an idle loop used " + grewBy + " ns of CPU in 100 ms");
        }
    }
}
