package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.transport.FaultInjectingTransport.Faults;
import dev.vpcie.protocol.transport.FaultInjectingTransport;
import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The link on real threads and the real clock: what the endpoint and the VRC do. Waits are
 * bounded waits for conditions; nothing asserts how long anything took.
 */
class LinkEndpointTest {
    static final long WAIT_MS = 20_000;
    /** For the test about a silent peer: it is reported within 300 ms of silence. */
    static final LinkConfig CONFIG = LinkConfig.defaults()
            .withKeepalive(Duration.ofMillis(20), Duration.ofMillis(300))
            .withRto(Duration.ofMillis(2), Duration.ofMillis(1), Duration.ofMillis(50));
    /**
     * For tests that are not about silence: a link-down timeout far beyond any pause of a loaded
     * machine. With 300 ms, a JVM or scheduler pause of 400-750 ms (seen at load 8) made both
     * agents declare the other silent in the middle of a stream.
     */
    static final LinkConfig STEADY = CONFIG.withKeepalive(Duration.ofMillis(20), Duration.ofSeconds(10));
    /** Discovery rounds wait this long for ANNOUNCEs: long enough for a loaded machine to answer. */
    static final Duration DISCOVERY = Duration.ofSeconds(2);

    @Test void discoverConnectAndStreamThroughADamagedCable() throws Exception {
        Faults faults = Faults.parse("loss=5,dup=1,reorder=5,delay=20us,seed=3");
        try (MemoryTransport.Pair cable = MemoryTransport.pair();
             LinkEndpoint vrc = LinkEndpoint.start(new FaultInjectingTransport(cable.a(), faults), STEADY);
             LinkEndpoint ep = LinkEndpoint.start(new FaultInjectingTransport(cable.b(), faults.withSeed(4)), STEADY.withHostInstance(3))) {
            Recorder atEp = new Recorder();
            ep.announce("dmatest".getBytes());
            ep.onAccept(l -> l.handler(atEp));
            List<Announcement> found = vrc.discover(DISCOVERY);
            assertEquals(1, found.size(), found.toString());
            Announcement a = found.getFirst();
            assertEquals(cable.b().address(), a.address());
            assertEquals(3, a.instance());
            assertEquals("dmatest", a.text());

            Link link = vrc.connect(a.address(), a.instance());
            assertTrue(link.awaitUp(Duration.ofMillis(WAIT_MS)));
            int total = 50_000;
            for (int i = 0; i < total; i++) link.send(Recorder.tlp(i)); // blocks whenever the window is full
            Await.until(() -> atEp.count() == total || atEp.error != null, total + " TLPs delivered");
            assertNull(atEp.error, atEp.error);
            assertEquals(List.of("up"), atEp.events);
        }
    }

    @Test void aFullWindowBlocksTheSenderUntilAcknowledgementsReturn() throws Exception {
        LinkConfig config = CONFIG.withWindow(64).withKeepalive(Duration.ofMillis(20), Duration.ofSeconds(30));
        try (MemoryTransport.Pair cable = MemoryTransport.pair()) {
            Valve valve = new Valve(cable.a());
            try (LinkEndpoint vrc = LinkEndpoint.start(valve, config);
                 LinkEndpoint ep = LinkEndpoint.start(cable.b(), config)) {
                Recorder atEp = new Recorder();
                ep.onAccept(l -> l.handler(atEp));
                Link link = vrc.connect(cable.b().address(), 1);
                assertTrue(link.awaitUp(Duration.ofMillis(WAIT_MS)));
                valve.shut = true; // ACKs stop reaching the sender
                AtomicInteger queued = new AtomicInteger();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 1000; i++) {
                            link.send(Recorder.tlp(i));
                            queued.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                });
                Await.until(() -> queued.get() == 64 && sender.getState() == Thread.State.TIMED_WAITING, "the sender waits with one window queued");
                assertEquals(64, queued.get(), "nothing beyond the window was taken");
                valve.shut = false;
                sender.join(WAIT_MS);
                assertFalse(sender.isAlive());
                assertNull(failed.get());
                Await.until(() -> atEp.count() == 1000, "everything delivered once the ACKs flow");
                assertNull(atEp.error);
            }
        }
    }

    @Test void aSilentPeerIsReportedDownAndABlockedSenderIsReleased() throws Exception {
        try (MemoryTransport.Pair cable = MemoryTransport.pair()) {
            Valve valve = new Valve(cable.a());
            try (LinkEndpoint vrc = LinkEndpoint.start(valve, CONFIG.withWindow(16));
                 LinkEndpoint ep = LinkEndpoint.start(cable.b(), CONFIG)) {
                ep.onAccept(l -> l.handler(new Recorder()));
                CountDownLatch down = new CountDownLatch(1);
                AtomicReference<String> reason = new AtomicReference<>();
                Link link = vrc.connect(cable.b().address(), 1);
                link.handler(new TlpHandler() {
                    @Override public void onTlp(Tlp tlp) {}
                    @Override public void onLinkDown(String why) {
                        reason.set(why);
                        down.countDown();
                    }
                });
                assertTrue(link.awaitUp(Duration.ofMillis(WAIT_MS)));
                valve.shut = true; // the peer goes silent
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread sender = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; ; i++) link.send(Recorder.tlp(i));
                    } catch (Throwable t) {
                        thrown.set(t);
                    }
                });
                assertTrue(down.await(WAIT_MS, TimeUnit.MILLISECONDS), "link down reported");
                assertTrue(reason.get().startsWith("peer silent"), reason.get());
                sender.join(WAIT_MS);
                assertInstanceOf(LinkDownException.class, thrown.get(), "the blocked sender learns the link went down");
            }
        }
    }

    @Test void anEndpointRestartIsNoticedAndTheLinkComesBack() throws Exception {
        try (MemoryTransport.Pair cable = MemoryTransport.pair();
             LinkEndpoint vrc = LinkEndpoint.start(cable.a(), STEADY)) {
            Recorder atVrc = new Recorder();
            LinkEndpoint ep = LinkEndpoint.start(cable.b(), STEADY);
            ep.onAccept(l -> l.handler(new Recorder()));
            Link link = vrc.connect(cable.b().address(), 1);
            link.handler(atVrc);
            assertTrue(link.awaitUp(Duration.ofMillis(WAIT_MS)));
            long first = link.peerEpoch();
            ep.close(); // the endpoint process stops; its CLOSE tells the VRC at once
            Await.until(() -> atVrc.events.size() == 2, "down reported");
            assertEquals("down: closed by the peer", atVrc.events.get(1));
            try (LinkEndpoint again = LinkEndpoint.start(cable.b(), STEADY)) {
                Recorder atEp = new Recorder();
                again.onAccept(l -> l.handler(atEp));
                Await.until(() -> link.isUp(), "the VRC's link reconnects to the new process");
                assertNotEquals(first, link.peerEpoch());
                link.send(Recorder.tlp(0));
                Await.until(() -> atEp.count() == 1, "a TLP over the new session");
            }
        }
    }

    /** On a shared loop, TLP handlers run on the loop's thread, where other work of that loop can answer them at once. */
    @Test void onASharedLoopHandlersRunOnTheLoopThread() throws Exception {
        try (MemoryTransport.Pair cable = MemoryTransport.pair();
             dev.vpcie.protocol.agent.AgentLoop loop = dev.vpcie.protocol.agent.AgentLoop.start("test-endpoint-loop");
             LinkEndpoint vrc = LinkEndpoint.start(cable.a(), STEADY);
             LinkEndpoint ep = LinkEndpoint.start(cable.b(), STEADY.withHostInstance(3), loop)) {
            AtomicInteger offLoop = new AtomicInteger();
            AtomicInteger echoed = new AtomicInteger();
            ep.onAccept(l -> l.handler(new TlpHandler() {
                @Override public void onTlp(Tlp tlp) {
                    if (!loop.inLoop()) offLoop.incrementAndGet();
                    if (l.trySend(tlp)) echoed.incrementAndGet(); // answered inline, no hand-off
                }
            }));
            Recorder atVrc = new Recorder();
            Link link = vrc.connect(cable.b().address(), 3);
            link.handler(atVrc);
            assertTrue(link.awaitUp(Duration.ofSeconds(10)));
            for (int i = 0; i < 100; i++) link.send(Recorder.tlp(i));
            Await.until(() -> atVrc.next == 100, "100 echoes");
            assertNull(atVrc.error);
            assertEquals(0, offLoop.get());
            assertEquals(100, echoed.get());
        }
    }
}
