package dev.vpcie.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.spi.ResetKind;
import dev.vpcie.protocol.link.DirectTlpPort;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.ConfigType;
import dev.vpcie.protocol.tlp.CplStatus;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ownership by one VRC at a time, hot reset when its session ends, FLR, and the function thread's timers. */
class SessionTest {

    @Test
    void sessionEndIsAHotReset() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.host.memWriteValue(Fixture.REGS + 8, 4, 0x77);
            assertEquals(0x77, f.host.memReadValue(Fixture.REGS + 8, 4));
            f.ports[0].goDown("VRC gone");
            Await.until(() -> fn.resets.contains(ResetKind.HOT), "the function is reset");
            assertEquals(ConfigSpace.NOT_CAPTURED, f.onFunction(0, () -> fn.config().routingId()), "routing ID forgotten");
            assertEquals(0, f.onFunction(0, () -> fn.config().command()), "decoding and bus mastering off");
            assertTrue(f.endpoint.owner().isEmpty());
            // the same VRC comes back (a restart: new epoch) and must enumerate again
            f.ports[0].comeUp(0x5678);
            Await.until(() -> f.endpoint.owner().isPresent(), "owned again");
            assertEquals(CplStatus.UR, f.host.memReadResult(Fixture.REGS + 8, 4), "BARs are not decoded before enumeration");
            f.enable(0);
            assertEquals(0x77, f.host.memReadValue(Fixture.REGS + 8, 4), "the model's own state is the model's business");
        }
    }

    @Test
    void aSecondVrcIsRefusedWhileTheEndpointIsOwned() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            List<TlpPort> refused = new CopyOnWriteArrayList<>();
            f.endpoint.addListener(new Endpoint.SessionListener() {
                @Override public void refused(TlpPort port, TlpPort owner) { refused.add(port); }
            });
            DirectTlpPort[] other = DirectTlpPort.pair();
            try {
                LinkedBlockingQueue<Completion> answers = new LinkedBlockingQueue<>();
                other[0].handler(new dev.vpcie.protocol.link.TlpHandler() {
                    @Override public void onTlp(dev.vpcie.protocol.tlp.Tlp t) { answers.add((Completion) t); }
                });
                f.endpoint.attach(other[1]);
                other[0].comeUp(0x99);
                Await.until(() -> other[1].closed(), "the second VRC's port is closed");
                assertEquals(List.of(other[1]), refused);
                assertEquals(f.ports[1], f.endpoint.owner().orElseThrow());
                // the owner is undisturbed
                assertEquals(TestFunction.VENDOR, f.host.configRead(Fixture.bdf(0), 0) & 0xFFFF);
            } finally {
                other[0].close();
            }
        }
    }

    @Test
    void offerRefusesWhileOwnedAndTheAnnouncementNamesTheOwner() throws Exception {
        try (Fixture f = new Fixture(new TestFunction())) {
            DirectTlpPort[] other = DirectTlpPort.pair();
            try {
                assertTrue(!f.endpoint.offer(other[1]), "owned: refused");
                assertTrue(f.endpoint.announcement().contains("owner=" + f.ports[1].describe()), f.endpoint.announcement());
                assertTrue(f.endpoint.announcement().contains("00.0 testfn [1af4:10fe]"), f.endpoint.announcement());
                f.ports[0].goDown("gone");
                Await.until(() -> f.endpoint.owner().isEmpty(), "free");
                assertTrue(f.endpoint.announcement().endsWith("owner=none"), f.endpoint.announcement());
                assertTrue(f.endpoint.offer(other[1]), "free: attached");
            } finally {
                other[0].close();
            }
        }
    }

    @Test
    void requestsFromANonOwnerAreUnsupported() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            DirectTlpPort[] other = DirectTlpPort.pair();
            try {
                LinkedBlockingQueue<Completion> answers = new LinkedBlockingQueue<>();
                other[0].handler(new dev.vpcie.protocol.link.TlpHandler() {
                    @Override public void onTlp(dev.vpcie.protocol.tlp.Tlp t) { answers.add((Completion) t); }
                });
                f.endpoint.attach(other[1]);
                other[0].upWithoutTelling(); // TLPs flow, but the endpoint never heard of a session on this port
                other[0].send(new CfgRead(ConfigType.TYPE0, 0, 1, Fixture.bdf(0), 0, 0xF));
                other[0].send(new dev.vpcie.protocol.tlp.MemWrite(0, 0, Fixture.REGS, 0xF, 0, TestHost.le(1)));
                Completion c = answers.poll(TestHost.TIMEOUT_S, TimeUnit.SECONDS);
                assertEquals(CplStatus.UR, c.status());
                Await.until(() -> f.endpoint.counters().get(RouterEvent.NOT_OWNER) == 2, "both counted");
                assertTrue(fn.accesses.isEmpty());
            } finally {
                other[0].close();
            }
        }
    }

    @Test
    void theNextVrcMayOwnTheEndpointAfterTheFirstLeaves() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            f.ports[0].goDown("first VRC leaves");
            Await.until(() -> f.endpoint.owner().isEmpty(), "free");
            DirectTlpPort[] other = DirectTlpPort.pair();
            TestHost second = new TestHost(other[0], 4096);
            try {
                f.endpoint.attach(other[1]);
                other[0].comeUp(0x77);
                Await.until(() -> f.endpoint.owner().orElse(null) == other[1], "owned by the second VRC");
                second.configWrite(Fixture.bdf(0), PciConfig.COMMAND, 0, 0b11);
                assertEquals(TestFunction.VENDOR, second.configRead(Fixture.bdf(0), 0) & 0xFFFF);
                assertEquals(List.of(), second.errors);
            } finally {
                other[0].close();
            }
        }
    }

    @Test
    void requestQueuedBeforeTheSessionEndedIsNotAnsweredInTheNextOne() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            // Keep the agent busy so the read waits, handed to it, while the session ends.
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
            f.endpoint.function(0).execute(() -> {
                busy.countDown();
                try {
                    release.await(TestHost.TIMEOUT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(TestHost.TIMEOUT_S, TimeUnit.SECONDS));
            f.host.port.send(new CfgRead(ConfigType.TYPE0, 0, 200, Fixture.bdf(0), 0, 0xF));
            f.ports[1].settle(Duration.ofSeconds(TestHost.TIMEOUT_S)); // the read is handed to the agent, stamped with its session
            f.ports[0].goDown("gone");
            f.ports[0].comeUp(0xABC);
            // The old owner is still present until the endpoint handles the session's end, so wait for
            // its dispatcher to handle both events: else the read could be answered in the old session.
            f.ports[1].settle(Duration.ofSeconds(TestHost.TIMEOUT_S));
            Await.until(() -> f.endpoint.owner().isPresent(), "up again");
            release.countDown();
            Await.until(() -> f.endpoint.counters().get(RouterEvent.STALE_REQUEST) == 1, "the old request is dropped as stale");
            assertTrue(f.host.fromDevice.stream().noneMatch(t -> t.tag() == 200), "no completion leaks into the new session");
        }
    }

    @Test
    void functionLevelResetKeepsTheRoutingId() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            int at = fn.config().pciExpress().orElseThrow().offset() + PciConfig.Pcie.DEVICE_CONTROL;
            f.host.configWrite(Fixture.bdf(0), at, PciConfig.Pcie.DEVCTL_INITIATE_FLR, 0b0011);
            Await.until(() -> fn.resets.contains(ResetKind.FUNCTION_LEVEL), "FLR");
            assertEquals(Fixture.bdf(0), f.onFunction(0, () -> fn.config().routingId()));
            assertEquals(0, f.onFunction(0, () -> fn.config().command()));
            assertTrue(f.endpoint.owner().isPresent(), "the session is not the function's to lose");
        }
    }

    @Test
    void timersRunOnTheFunctionThreadAfterQueuedWork() throws Exception {
        TestFunction fn = new TestFunction();
        try (Fixture f = new Fixture(fn)) {
            List<String> order = new CopyOnWriteArrayList<>();
            Thread[] threads = new Thread[2];
            // Hold the thread so that both events below are queued before the first of them runs.
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            f.endpoint.function(0).execute(() -> {
                try {
                    release.await(TestHost.TIMEOUT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            f.endpoint.function(0).execute(() -> {
                threads[0] = Thread.currentThread();
                fn.context.timers().schedule(0, () -> {
                    order.add("timer");
                    threads[1] = Thread.currentThread();
                });
                order.add("work");
            });
            f.endpoint.function(0).execute(() -> order.add("queued before the timer was scheduled"));
            release.countDown();
            Await.until(() -> order.size() == 3, "all three ran");
            assertEquals(List.of("work", "queued before the timer was scheduled", "timer"), order);
            assertEquals(threads[0], threads[1]);
            assertTrue(f.endpoint.loop().inLoop() == false && threads[0].getName().equals("vpcie-endpoint"), "the endpoint's agent thread");
            // a delayed timer fires without any further event
            java.util.concurrent.CountDownLatch fired = new java.util.concurrent.CountDownLatch(1);
            f.endpoint.function(0).execute(() -> fn.context.timers().schedule(TimeUnit.MILLISECONDS.toNanos(5), fired::countDown));
            assertTrue(fired.await(TestHost.TIMEOUT_S, TimeUnit.SECONDS));
        }
    }

    @Test
    void aModelThatThrowsGetsCompleterAbortAndTheHostCarriesOn() throws Exception {
        TestFunction fn = new TestFunction() {
            @Override public long mmioRead(int bar, long offset, int size) {
                if (offset == 0x666) throw new IllegalStateException("model bug");
                return super.mmioRead(bar, offset, size);
            }
        };
        try (Fixture f = new Fixture(fn)) {
            f.enable(0);
            assertEquals(CplStatus.CA, f.host.memReadResult(Fixture.REGS + 0x666, 1));
            assertEquals(1, f.endpoint.counters().get(RouterEvent.MODEL_ERROR));
            assertEquals(0, f.host.memReadValue(Fixture.REGS + 0x10, 4));
        }
    }
}
