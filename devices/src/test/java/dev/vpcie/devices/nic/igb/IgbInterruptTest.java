package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.TestPackets;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The interrupt funnel in MSI-X, MSI and INTx modes: IVAR, EIAC, EIAM, EIMS re-arm, EICS, ICR rules, EITR. */
class IgbInterruptTest {
    private final IgbHarness h = new IgbHarness();
    private final IgbDriver d = new IgbDriver(h);

    private List<Integer> raised() { return h.irq.raised; }

    private int lastRaised() { return raised().get(raised().size() - 1); }

    /** A TCP/IPv4 frame for the NIC that RSS (RETA j % 4, the test key) puts on queue {@code q}. */
    private byte[] frameForQueue(int q, int salt) {
        for (int port = 1024 + salt * 1000; ; port++) {
            byte[] src = Flows.ipv4(10, 0, 0, 1), dst = Flows.ipv4(10, 0, 0, 2);
            byte[] in = ByteBuffer.allocate(12).put(src).put(dst).putShort((short) port).putShort((short) 80).array();
            if ((Flows.toeplitz(RSS_KEY, in) & 3) == q) return Flows.frame(d.mac, src, dst, port, 80, TestPackets.TCP, 50, port);
        }
    }

    @Test
    void msixQueueEventsRaiseTheVectorsIvarNames() {
        d.probe();
        d.open(Mode.MSIX, 4);
        for (int q = 0; q < 4; q++) {
            int before = raised().size();
            h.peerSend(frameForQueue(q, q));
            assertEquals(before + 1, raised().size(), "one message for queue " + q);
            assertEquals(q + 1, lastRaised(), "receive queue " + q + " is vector " + (q + 1));
            assertEquals(1, d.drain().size());
        }
        for (int q = 0; q < 4; q++) {
            int before = raised().size();
            d.transmit(q, TestPackets.rawFrame(TestPackets.DST, d.mac, 80, q));
            assertEquals(before + 1, raised().size());
            assertEquals(q + 1, lastRaised(), "transmit queue " + q + " shares vector " + (q + 1));
            d.service();
        }
        assertFalse(h.irq.level, "INTx stays low in MSI-X mode");
    }

    @Test
    void eiacClearsTheCauseSoTheNextEventMakesANewEdge() {
        d.probe();
        d.open(Mode.MSIX, 1);
        for (int i = 0; i < 3; i++) {
            int before = raised().size();
            h.peerSend(frameForQueue(0, i));
            assertEquals(before + 1, raised().size(), "every frame interrupts (EICR auto-cleared)");
            assertEquals(0, d.rd(EICR) & 0x2, "vector 1 auto-cleared after its message");
            d.drain();
        }
        d.wr(EIAC, 0);
        d.wr(EIAM, 0);
        int before = raised().size();
        h.peerSend(frameForQueue(0, 5));
        assertEquals(before + 1, raised().size());
        h.peerSend(frameForQueue(0, 6));
        assertEquals(before + 1, raised().size(), "without EIAC the bit stays set: no new edge, no message");
        assertEquals(0x2, d.rd(EICR) & 0x2, "EICR read returns the cause ...");
        assertEquals(0, d.rd(EICR) & 0x2, "... and clears it");
        h.peerSend(frameForQueue(0, 7));
        assertEquals(before + 2, raised().size(), "a new edge after the clear");
        d.dropRaised();
        assertEquals(3, d.drain().size(), "all three frames were delivered");
    }

    @Test
    void eiamMasksAfterTheMessageAndEimsRearmsPendingCauses() {
        d.probe();
        d.open(Mode.MSIX, 1);
        h.peerSend(frameForQueue(0, 1));
        assertEquals(0, d.rd(EIMS) & 0x2, "GPIE.EIAME + EIAM: the vector masked itself");
        int before = raised().size();
        h.peerSend(frameForQueue(0, 2));
        assertEquals(before, raised().size(), "masked: no message");
        d.wr(EIMS, 0x2);
        assertEquals(before + 1, raised().size(), "re-arming fires the pending cause at once");
        d.dropRaised();
        assertEquals(2, d.drain().size(), "both frames were delivered");
    }

    @Test
    void eicsRaisesTheVectorsWritten() {
        d.probe();
        d.open(Mode.MSIX, 4);
        int before = raised().size();
        d.wr(EICS, 0b10110);
        assertEquals(List.of(1, 2, 4), raised().subList(before, raised().size()));
        d.service();
        assertEquals(0, d.unhandledVectors());
    }

    @Test
    void linkChangesReachTheOtherVectorThroughIvarMisc() {
        d.probe();
        d.open(Mode.MSIX, 2);
        assertTrue(d.carrier);
        int runs = d.watchdogRuns;
        h.function.setLinkUp(false);
        assertEquals(0, lastRaised(), "LSC is an 'other' cause: vector 0");
        int icr = d.rd(ICR);
        assertEquals(ICR_LSC, icr & ICR_LSC);
        assertEquals(0, icr & ICR_INT_ASSERTED, "no INT_ASSERTED in MSI-X mode");
        assertEquals(0, d.rd(ICR) & ICR_LSC, "GPIE.NSICR: the read cleared it");
        d.watchdog();
        d.wr(EIMS, d.eimsOther);
        d.service();
        assertFalse(d.carrier, "driver saw the link go down");
        h.function.setLinkUp(true);
        d.service();
        assertTrue(d.carrier, "and come back");
        assertTrue(d.watchdogRuns > runs);
        assertEquals(STATUS_LU, d.rd(STATUS) & STATUS_LU);
    }

    @Test
    void icrIsNotClearedByAReadInMsixModeWithoutNsicr() {
        d.probe();
        d.open(Mode.MSIX, 1);
        d.wr(GPIE, GPIE_MSIX_MODE | GPIE_PBA);
        d.wr(ICS, ICR_DOUTSYNC);
        d.dropRaised();
        assertEquals(ICR_DOUTSYNC, d.rd(ICR) & ICR_DOUTSYNC);
        assertEquals(ICR_DOUTSYNC, d.rd(ICR) & ICR_DOUTSYNC, "IMS set, MSI-X enabled, no NSICR, no INT_ASSERTED: kept");
        d.wr(ICR, ICR_DOUTSYNC);
        assertEquals(0, d.rd(ICR) & ICR_DOUTSYNC, "write 1 to clear");
    }

    @Test
    void msiModeSignalsVectorZeroPerAssertion() {
        d.probe();
        d.open(Mode.MSI, 1);
        assertTrue(d.carrier);
        for (int i = 0; i < 5; i++) {
            int before = raised().size();
            h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100 + i, i));
            assertEquals(before + 1, raised().size());
            assertEquals(0, lastRaised());
            assertEquals(1, d.drain().size());
        }
        h.function.setLinkUp(false);
        d.service();
        assertFalse(d.carrier, "LSC through MSI");
        h.function.setLinkUp(true);
        d.service();
        assertTrue(d.carrier);
    }

    @Test
    void intxLevelFollowsIcrAndImsWithIntAssertedAndAutoMask() {
        d.probe();
        d.open(Mode.INTX, 1);
        assertTrue(d.carrier);
        assertFalse(h.irq.level);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 200, 1));
        assertTrue(h.irq.level, "a received frame asserts INTx");
        int icr = d.rd(ICR);
        assertEquals(ICR_INT_ASSERTED | ICR_RXT0, icr & (ICR_INT_ASSERTED | ICR_RXT0));
        assertFalse(h.irq.level, "reading ICR deasserts");
        assertEquals(0, d.rd(IMS) & IMS_ENABLE_MASK, "and clears IAM's bits from IMS (auto-mask)");
        d.cleanRx(0);
        assertEquals(1, d.received.size());
        d.received.clear();
        d.irqEnable();
        assertFalse(h.irq.level, "nothing pending after re-enabling");
        d.wr(IMC, 0xFFFF_FFFF);
        d.wr(ICS, ICR_RXDMT0);
        assertFalse(h.irq.level, "masked cause");
        assertEquals(0, d.rd(ICR) & ICR_INT_ASSERTED, "no INT_ASSERTED while nothing is asserted (IRQ_NONE on a shared line)");
        h.function.setLinkUp(false);
        d.irqEnable();
        d.service();
        assertFalse(d.carrier, "LSC through INTx");
        h.function.setLinkUp(true);
        d.service();
        assertTrue(d.carrier);
        for (int i = 0; i < 20; i++) {
            d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 60 + i, i));
            h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 60 + i, -i));
            assertEquals(1, d.drain().size());
        }
        assertEquals(0, d.irqNone);
        assertFalse(h.irq.level);
    }

    @Test
    void eitrModeratesMessagesPerVector() {
        d.itr = 400; // interval field 100: 100 µs
        d.probe();
        d.open(Mode.MSIX, 1);
        d.wr(GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_NSICR); // no auto-mask: every event could signal
        d.drain();
        h.advance(1_000_000);
        int before = raised().size();
        h.peerSend(frameForQueue(0, 1));
        assertEquals(before + 1, raised().size(), "first message at once");
        h.peerSend(frameForQueue(0, 2));
        assertEquals(before + 1, raised().size(), "second held back by EITR");
        h.advance(50_000);
        assertEquals(before + 1, raised().size(), "still within 100 µs");
        h.advance(50_000);
        assertEquals(before + 2, raised().size(), "sent when the interval ends");
        assertEquals(400, d.rd(eitr(1)), "EITR reads back as written");
        d.wr(eitr(1), 400 | 0x8000_0000);
        assertEquals(400, d.rd(eitr(1)), "CNT_IGNR is write-only");
    }

    @Test
    void eitrZeroModeratesTheIntxLineInLegacyMode() {
        d.itr = 4000; // 1 ms
        d.probe();
        d.open(Mode.INTX, 1);
        h.advance(2_000_000);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 1));
        assertTrue(h.irq.level);
        d.service();
        assertFalse(h.irq.level);
        d.received.clear();
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2));
        assertFalse(h.irq.level, "within EITR0's interval the line waits");
        h.advance(1_000_000);
        assertTrue(h.irq.level, "then asserts");
        assertEquals(1, d.drain().size());
    }

    /** A polling guest (irqpoll under TCG) reads ICR while EITR0 still holds the line back. */
    @Test
    void anEnabledCauseHeldBackByEitrStillReadsWithIntAsserted() {
        d.itr = 4000; // 1 ms
        d.probe();
        d.open(Mode.INTX, 1);
        h.advance(2_000_000);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 1));
        d.service();
        d.received.clear();
        d.irqEnable();
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2));
        assertFalse(h.irq.level, "within EITR0's interval the line waits");
        int icr = d.rd(ICR);
        assertEquals(ICR_INT_ASSERTED | ICR_RXT0, icr & (ICR_INT_ASSERTED | ICR_RXT0),
                "the cause is there and bit 31 says so, or igb's handler would ignore it");
    }

    @Test
    void iacCountsEveryMessage() {
        d.probe();
        d.open(Mode.MSIX, 1);
        d.rd(IAC);
        int before = raised().size();
        for (int i = 0; i < 4; i++) {
            h.peerSend(frameForQueue(0, i));
            d.drain();
        }
        assertEquals(raised().size() - before, d.rd(IAC));
        assertEquals(0, d.rd(IAC), "clear on read");
    }

    @Test
    void aSignalHeldBackInLegacyModeDoesNotSwallowTheFirstMsixMessage() {
        d.itr = 4000; // 1 ms on EITR0
        d.probe();
        d.open(Mode.INTX, 1);
        h.advance(2_000_000);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 1));
        d.service();
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2));
        assertFalse(h.irq.level, "held back by EITR0");
        // the driver switches to MSI-X (as after a reconfiguration)
        d.wr(GPIE, GPIE_MSIX_MODE | GPIE_NSICR);
        d.wr(IVAR_MISC, (IVAR_VALID | 0) << 8);
        d.wr(EIMS, 1);
        d.wr(IMS, ICR_LSC);
        int before = raised().size();
        d.wr(ICS, ICR_LSC);
        h.advance(1_000_000);
        assertEquals(before + 1, raised().size(), "vector 0 signalled once EITR0's interval is over");
        assertEquals(0, lastRaised());
    }
}
