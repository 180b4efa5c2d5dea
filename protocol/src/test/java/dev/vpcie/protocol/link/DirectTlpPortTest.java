package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The in-memory port pair: session events on both ends, in-order delivery on each end's own thread. */
class DirectTlpPortTest {

    @Test void startsDownAndRefusesToSend() {
        DirectTlpPort[] p = DirectTlpPort.pair("t");
        try {
            assertFalse(p[0].isUp());
            assertFalse(p[1].isUp());
            assertThrows(LinkDownException.class, () -> p[0].send(Recorder.tlp(0)));
            assertEquals("direct:t-rc", p[0].describe());
            assertEquals("direct:t-ep", p[1].describe());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void comeUpTellsBothEndsThenDeliversInOrderOnTheReceiversThread() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair("order");
        try {
            Recorder rc = new Recorder(), ep = new Recorder();
            List<String> threads = new CopyOnWriteArrayList<>();
            p[0].handler(rc);
            p[1].handler(new TlpHandler() {
                @Override public void onTlp(Tlp tlp) {
                    threads.add(Thread.currentThread().getName());
                    ep.onTlp(tlp);
                }

                @Override public void onLinkUp(long peerEpoch) { ep.onLinkUp(peerEpoch); }
            });
            p[0].comeUp(42);
            assertTrue(p[0].isUp() && p[1].isUp());
            for (int i = 0; i < 1000; i++) p[0].send(Recorder.tlp(i));
            for (int i = 0; i < 10; i++) p[1].send(Recorder.tlp(i));
            Await.until(() -> ep.count() == 1000 && rc.count() == 10, "every TLP delivered");
            assertNull(ep.error, ep.error);
            assertNull(rc.error, rc.error);
            assertEquals(List.of(42L), ep.upEpochs);
            assertEquals(List.of(42L), rc.upEpochs);
            assertEquals(Set.of("direct-order-ep"), Set.copyOf(threads), "delivered on the receiving end's dispatcher");
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void tlpsArrivingBeforeAHandlerAreHeldUntilOneIsSet() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair();
        try {
            p[0].upWithoutTelling();
            for (int i = 0; i < 5; i++) p[0].send(Recorder.tlp(i));
            Recorder ep = new Recorder();
            p[1].handler(ep);
            Await.until(() -> ep.count() == 5, "held TLPs delivered");
            assertNull(ep.error, ep.error);
            assertEquals(List.of(), ep.events, "upWithoutTelling starts no session event");
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void goDownTellsEachUpEndOnceAndStopsTraffic() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair();
        try {
            Recorder rc = new Recorder(), ep = new Recorder();
            p[0].handler(rc);
            p[1].handler(ep);
            p[0].comeUp(1);
            Await.until(() -> rc.events.size() == 1 && ep.events.size() == 1, "both ends heard up");
            p[1].goDown("gone");
            p[0].goDown("again");
            assertFalse(p[0].isUp() || p[1].isUp());
            assertThrows(LinkDownException.class, () -> p[1].send(Recorder.tlp(0)));
            Await.until(() -> rc.events.size() == 2 && ep.events.size() == 2, "both ends heard down");
            p[0].comeUp(2); // a later event is queued behind the down, so the earlier events are all in
            Await.until(() -> rc.events.size() == 3 && ep.events.size() == 3, "both ends heard up again");
            assertEquals(List.of("up", "down: gone", "up"), rc.events);
            assertEquals(List.of("up", "down: gone", "up"), ep.events);
            assertEquals(List.of(1L, 2L), ep.upEpochs);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void goDownDropsWhatWasNotYetDelivered() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair();
        try {
            p[0].handler(new Recorder());
            p[0].upWithoutTelling();
            for (int i = 0; i < 3; i++) p[0].send(Recorder.tlp(i));
            p[0].goDown("cut"); // no handler yet, so nothing was delivered
            Recorder ep = new Recorder();
            p[1].handler(ep);
            p[0].comeUp(9);
            p[0].send(Recorder.tlp(0));
            p[0].send(Recorder.tlp(1));
            Await.until(() -> ep.count() == 2, "the TLPs sent after the new session");
            assertEquals(List.of(0, 1), ep.numbers, "the three sent before the cut were dropped");
            assertEquals(List.of("down: cut", "up"), ep.events);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void closingAnEndThatNeverHadAHandlerStopsItsDispatcher() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair("lonely");
        p[0].upWithoutTelling();
        p[0].send(Recorder.tlp(0));
        p[1].close();
        p[0].close();
        Await.until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("direct-lonely-")),
                "both dispatchers ended");
    }

    @Test void settleReturnsOnceEverythingQueuedWasHandledAndFailsWhenItCannotBe() {
        DirectTlpPort[] p = DirectTlpPort.pair("settle");
        try {
            Recorder rc = new Recorder(), ep = new Recorder();
            p[0].handler(rc);
            p[0].comeUp(3);
            for (int i = 0; i < 100; i++) p[0].send(Recorder.tlp(i));
            p[1].handler(ep);
            p[1].settle(Duration.ofSeconds(20));
            assertEquals(100, ep.count(), "settle returned before the queued TLPs were handled");
            assertEquals(List.of("up"), ep.events);
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test void settleGivesUpNamingTheEndWhenTheHandlerIsStuck() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair("stuck");
        CountDownLatch release = new CountDownLatch(1);
        try {
            p[0].handler(new Recorder());
            p[1].handler(tlp -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            p[0].upWithoutTelling();
            p[0].send(Recorder.tlp(0));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p[1].settle(Duration.ofMillis(50)));
            assertTrue(e.getMessage().startsWith("stuck-ep: the dispatcher did not catch up"), e.getMessage());
        } finally {
            release.countDown();
            p[0].close();
            p[1].close();
        }
    }

    @Test void closingOneEndEndsTheSessionOnBoth() throws Exception {
        DirectTlpPort[] p = DirectTlpPort.pair("shut");
        Recorder rc = new Recorder(), ep = new Recorder();
        p[0].handler(rc);
        p[1].handler(ep);
        p[0].comeUp(7);
        Await.until(() -> rc.events.size() == 1 && ep.events.size() == 1, "both ends heard up");
        p[1].close();
        p[1].close();
        assertTrue(p[1].closed());
        assertFalse(p[0].closed());
        assertFalse(p[0].isUp());
        assertThrows(LinkDownException.class, () -> p[0].send(Recorder.tlp(0)));
        String reason = "down: closed by shut-ep";
        Await.until(() -> rc.events.size() == 2, "the open end heard down");
        assertEquals(List.of("up", reason), rc.events);
        Await.until(() -> ep.events.size() == 2, "the closed end heard down");
        assertEquals(List.of("up", reason), ep.events);
        p[0].close();
        assertTrue(p[0].closed());
    }
}
