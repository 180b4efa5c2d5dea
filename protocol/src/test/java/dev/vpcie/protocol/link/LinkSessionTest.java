package dev.vpcie.protocol.link;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.encap.CloseReason;
import dev.vpcie.protocol.transport.FaultInjectingTransport.Faults;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Session life: set-up, restarts, dead peers, closing, refusing, wrap-around and back-pressure. */
class LinkSessionTest {
    static final LinkConfig CONFIG = AgentPair.testConfig();
    static final long TIMEOUT_STEPS = CONFIG.linkDownTimeout().toNanos() / AgentPair.STEP_NS;

    /** Queues numbered TLPs from {@code next} up to {@code end} while the window allows; returns the next number. */
    static int pump(Link link, int next, int end) {
        try {
            while (next < end && link.trySend(Recorder.tlp(next))) next++;
        } catch (LinkDownException e) {
            // the session ended under us; the caller waits for the next one
        }
        return next;
    }

    @Test void restartedAccepterIsDetectedAndStaleDataIsNotDelivered() {
        Faults faults = Faults.NONE.withReorder(10, 3).withDuplicates(5).withDelay(30_000);
        try (AgentPair p = new AgentPair(CONFIG, faults, 7)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link ab = p.connect(atA, atB)[0];
            long firstEpoch = ab.peerEpoch();
            int sent = 0;
            while (atB.count() < 3000) {
                sent = pump(ab, sent, 5000);
                p.step();
            }
            // B crashes with TLPs in flight and comes back as a new process on the same cable end.
            Recorder atB2 = new Recorder();
            atB2.startAfterUp = 1_000_000;
            p.restartB(99).onAccept(l -> l.handler(atB2));
            int next = 1_000_000;
            assertTrue(p.runUntil(() -> {
                pump(ab, 5000, 5000); // keep the old session talking so the new B hears it
                return atA.events.size() >= 3 && ab.isUp();
            }, 10 * TIMEOUT_STEPS), "A noticed the restart and reconnected: " + atA.events);
            assertEquals("up", atA.events.get(0));
            assertTrue(atA.events.get(1).startsWith("down: reset by the peer"), atA.events.toString());
            assertEquals("up", atA.events.get(2));
            assertNotEquals(firstEpoch, ab.peerEpoch(), "new session, new epoch");
            while (atB2.count() < 2000) {
                next = pump(ab, next, 1_002_000);
                p.step();
                assertNull(atB2.error, atB2.error);
            }
            p.runUntil(() -> false, 5_000);
            assertEquals(2000, atB2.count());
            assertTrue(atB2.numbers.stream().allMatch(n -> n >= 1_000_000), "nothing of the old session reached the new process");
            assertNull(atB.error, atB.error);
        }
    }

    @Test void restartedConnectorIsDetectedByItsNewEpoch() {
        Faults faults = Faults.NONE.withReorder(10, 3).withDelay(30_000);
        try (AgentPair p = new AgentPair(CONFIG, faults, 8)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            atB.startAfterUp = 0;
            Link ab = p.connect(atA, atB)[0];
            int sent = 0;
            while (atB.count() < 1000) {
                sent = pump(ab, sent, 3000);
                p.step();
            }
            atB.startAfterUp = 1_000_000;
            LinkAgent a2 = p.restartA(77);
            Link ab2 = a2.connect(p.endB.address(), 1);
            assertTrue(p.runUntil(ab2::isUp, 10 * TIMEOUT_STEPS));
            assertEquals(List.of("up", "down", "up"), atB.events.stream().map(e -> e.startsWith("down") ? "down" : e).toList());
            // B challenged its old session; the restarted A has no such session and said so (RESET).
            assertTrue(atB.events.get(1).contains("reset by the peer"), atB.events.get(1));
            assertEquals(1, p.b.securityCounters().challengesSent());
            assertNotEquals(atB.upEpochs.get(0), atB.upEpochs.get(1));
            int next = 1_000_000;
            int before = atB.count();
            while (atB.count() < before + 1000) {
                next = pump(ab2, next, 1_001_000);
                p.step();
                assertNull(atB.error, atB.error);
            }
            p.runUntil(() -> false, 5_000);
            assertNull(atB.error, atB.error);
            assertEquals(before + 1000, atB.count(), "each TLP of the new session exactly once, none of the old one after the restart");
        }
    }

    @Test void deadPeerIsReportedWithinTheTimeoutAndTheLinkComesBack() {
        try (AgentPair p = new AgentPair(CONFIG, null, 9)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link ab = p.connect(atA, atB)[0];
            p.runUntil(() -> false, 100);
            p.runB = false; // B hangs: no frames from it any more
            assertTrue(p.runUntil(() -> atA.events.size() == 2, TIMEOUT_STEPS + 2),
                    "down reported within the link-down timeout: " + atA.events);
            assertTrue(atA.events.get(1).startsWith("down: peer silent"), atA.events.get(1));
            assertFalse(ab.isUp());
            assertThrows(LinkDownException.class, () -> ab.trySend(Recorder.tlp(0)));
            p.runB = true; // B wakes up: A is still connecting, so a new session starts
            assertTrue(p.runUntil(() -> ab.isUp() && atA.events.size() == 3, 10 * TIMEOUT_STEPS), atA.events.toString());
        }
    }

    @Test void sequenceNumbersWrapAround() {
        LinkConfig nearTop = CONFIG.withInitialSequence(-300).withWindow(256);
        Faults faults = Faults.NONE.withLoss(10).withReorder(5, 3).withDuplicates(2);
        try (AgentPair p = new AgentPair(nearTop, faults, 10)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link[] links = p.connect(atA, atB);
            int sentAB = 0, sentBA = 0;
            while (atB.count() < 5000 || atA.count() < 5000) {
                sentAB = pump(links[0], sentAB, 5000);
                sentBA = pump(links[1], sentBA, 5000);
                p.step();
                assertNull(atB.error, atB.error);
                assertNull(atA.error, atA.error);
            }
            p.runUntil(() -> false, 5_000);
            assertEquals(5000, atB.count());
            assertEquals(5000, atA.count());
            assertEquals(List.of("up"), atA.events);
            assertTrue(p.a.counters().retransmits() > 0, "losses around the wrap were repaired");
        }
    }

    @Test void fullWindowStopsTheSenderAndNothingGrows() {
        LinkConfig small = CONFIG.withWindow(64);
        try (AgentPair p = new AgentPair(small, null, 11)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link ab = p.connect(atA, atB)[0];
            p.runB = false; // no ACKs
            int sent = 0;
            for (int round = 0; round < 50; round++) {
                sent = pump(ab, sent, 10_000);
                p.step();
            }
            assertEquals(64, sent, "exactly one window accepted while nothing is acknowledged");
            p.runB = true;
            while (atB.count() < 10_000) {
                sent = pump(ab, sent, 10_000);
                p.step();
            }
            assertNull(atB.error, atB.error);
        }
    }

    @Test void tlpsWaitForAHandlerWithinTheWindow() {
        LinkConfig small = CONFIG.withWindow(32);
        try (AgentPair p = new AgentPair(small, null, 12)) {
            Link[] accepted = new Link[1];
            p.b.onAccept(l -> accepted[0] = l); // no handler yet
            Link ab = p.a.connect(p.endB.address(), 1);
            assertTrue(p.runUntil(ab::isUp, 1000));
            int sent = 0;
            for (int round = 0; round < 200; round++) {
                sent = pump(ab, sent, 1000);
                p.step();
            }
            // B acknowledged (and holds) one window, then offered no more credit; A queued one more window.
            assertEquals(64, sent, "one window held by the receiver plus one queued at the sender, then the sender stops");
            assertEquals(0, accepted[0].counters().outOfWindow(), "the sender respected the receiver's credit");
            Recorder atB = new Recorder();
            accepted[0].handler(atB);
            while (atB.count() < 1000) {
                sent = pump(ab, sent, 1000);
                p.step();
            }
            assertNull(atB.error, atB.error);
            assertEquals(List.of(accepted[0].peerEpoch()), atB.upEpochs,
                    "a handler set after the session came up still hears onLinkUp, once, before any TLP");
            assertEquals("up", atB.events.getFirst().split(" ")[0], atB.events.toString());
        }
    }

    @Test void aGapIsRepairedByOneNakBeforeAnyTimeout() throws Exception {
        try (AgentPair p = new AgentPair(CONFIG, null, 18)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link ab = p.connect(atA, atB)[0];
            p.runB = false;
            assertTrue(ab.trySend(Recorder.tlp(0)));
            p.step();
            assertTrue(p.cable.b().receive(java.nio.ByteBuffer.allocate(2000), 0) > 0, "the first TLP's frame is lost");
            for (int i = 1; i <= 5; i++) { // five frames after the gap: one NAK, not five
                assertTrue(ab.trySend(Recorder.tlp(i)));
                p.step();
            }
            p.runB = true;
            assertTrue(p.runUntil(() -> atB.count() == 6, 10), "repaired within a few round trips (the RTO is 50 steps)");
            assertNull(atB.error);
            LinkCounters b = p.b.counters(), a = p.a.counters();
            assertEquals(1, b.naksSent());
            assertEquals(1, a.naksReceived());
            assertEquals(0, a.timeouts());
            assertEquals(1, a.retransmits());
        }
    }

    @Test void closingTellsBothSides() {
        try (AgentPair p = new AgentPair(CONFIG, null, 13)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link[] links = p.connect(atA, atB);
            links[0].close();
            assertTrue(p.runUntil(() -> atB.events.size() == 2, 100));
            assertEquals("down: closed by the peer", atB.events.get(1));
            assertEquals("down: closed", atA.events.get(1));
            assertFalse(links[1].isUp());
            assertThrows(LinkDownException.class, () -> links[0].send(Recorder.tlp(1)));
            assertTrue(p.a.links().isEmpty(), "a closed link is forgotten");
            p.runUntil(() -> false, 2 * TIMEOUT_STEPS);
            assertEquals(2, atB.events.size(), "no reconnection after an orderly close by the connector");
        }
    }

    @Test void helloWithoutAcceptorIsRefusedAndRetriedSlowly() {
        try (AgentPair p = new AgentPair(CONFIG, null, 14)) {
            Link ab = p.a.connect(p.endB.address(), 1);
            p.runUntil(() -> false, TIMEOUT_STEPS);
            assertFalse(ab.isUp());
            long hellos = ab.counters().framesSent();
            assertTrue(hellos < 10, "refused HELLOs back off to the max RTO: " + hellos);
            p.b.onAccept(l -> l.handler(new Recorder()));
            assertTrue(p.runUntil(ab::isUp, 10 * TIMEOUT_STEPS), "accepted once B has an acceptor");
        }
    }

    @Test void acceptorMayRefuseByClosing() {
        try (AgentPair p = new AgentPair(CONFIG, null, 15)) {
            int[] offered = new int[1];
            p.b.onAccept(l -> {
                offered[0]++;
                l.close();
            });
            Link ab = p.a.connect(p.endB.address(), 1);
            p.runUntil(() -> false, TIMEOUT_STEPS);
            assertFalse(ab.isUp());
            assertTrue(offered[0] >= 1);
            assertTrue(p.b.links().isEmpty());
        }
    }

    @Test void simultaneousOpenMakesOneSession() {
        try (AgentPair p = new AgentPair(CONFIG, null, 16)) {
            Recorder atA = new Recorder(), atB = new Recorder();
            Link ab = p.a.connect(p.endB.address(), 1);
            Link ba = p.b.connect(p.endA.address(), 1);
            ab.handler(atA);
            ba.handler(atB);
            assertTrue(p.runUntil(() -> ab.isUp() && ba.isUp(), 1000));
            p.runUntil(() -> false, 1000);
            assertEquals(List.of("up"), atA.events);
            assertEquals(List.of("up"), atB.events);
            int sent = 0;
            while (atB.count() < 500) {
                sent = pump(ab, sent, 500);
                p.step();
            }
            assertNull(atB.error);
        }
    }

    @Test void aTlpLargerThanTheMtuIsRejectedAtTheSender() {
        try (AgentPair p = new AgentPair(CONFIG.withMtu(256), null, 17)) {
            Link ab = p.connect(new Recorder(), new Recorder())[0];
            var big = new dev.vpcie.protocol.tlp.MemWrite(0x100, 1, 0x1000, 0xF, 0xF, new byte[256]);
            var e = assertThrows(IllegalArgumentException.class, () -> ab.trySend(big));
            assertTrue(e.getMessage().contains("MTU"), e.getMessage());
            assertTrue(ab.trySend(Recorder.tlp(0)), "a small one still goes");
        }
    }

    @Test void closeReasonCodesAreStable() {
        // Peers of different builds must agree on these numbers (docs/wire-format.md).
        assertEquals(1, CloseReason.CLOSED.code());
        assertEquals(2, CloseReason.RESET.code());
        assertEquals(3, CloseReason.REFUSED.code());
    }
}
