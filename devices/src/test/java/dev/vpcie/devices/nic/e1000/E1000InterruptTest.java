package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.TestPackets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ICR/ICS/IMS/IMC semantics, the INTx level, ITR throttling, LSC on link changes. */
class E1000InterruptTest {
    private E1000Harness h;
    private E1000Driver d;

    @BeforeEach
    void up() {
        h = new E1000Harness();
        d = new E1000Driver(h);
        d.probe();
    }

    @Test
    void levelIsIcrAndImsAndReadingIcrClearsIt() {
        d.wr(IMC, 0xFFFF_FFFF);
        d.rd(ICR);
        assertFalse(h.irq.level);
        d.wr(ICS, ICR_RXDMT0);
        assertFalse(h.irq.level, "masked cause: no interrupt");
        assertEquals(ICR_RXDMT0, d.rd(ICS), "ICS reads as ICR");
        assertEquals(ICR_RXDMT0, d.rd(ICS), "without clearing");
        d.wr(IMS, ICR_RXDMT0 | ICR_LSC);
        assertTrue(h.irq.level, "enabling a pending cause asserts the line");
        assertEquals(ICR_RXDMT0 | ICR_LSC, d.rd(IMS));
        d.wr(IMC, ICR_RXDMT0);
        assertFalse(h.irq.level);
        assertEquals(ICR_LSC, d.rd(IMS));
        d.wr(IMS, ICR_RXDMT0);
        assertTrue(h.irq.level);
        assertEquals(ICR_RXDMT0, d.rd(ICR));
        assertFalse(h.irq.level, "ICR read deasserts");
        assertEquals(0, d.rd(ICR));
    }

    @Test
    void icrWriteClearsTheBitsWritten() {
        d.wr(IMS, 0xFFFF);
        d.wr(ICS, ICR_TXDW | ICR_RXT0);
        d.wr(ICR, ICR_TXDW);
        assertTrue(h.irq.level);
        assertEquals(ICR_RXT0, d.rd(ICS));
        d.wr(ICR, ICR_RXT0);
        assertFalse(h.irq.level);
        assertEquals(0xFFFF_0000 & d.rd(IMS), 0, "only implemented causes in IMS");
    }

    @Test
    void everyAssertionIsAlsoAMessageForMsiRouters() {
        d.wr(IMS, ICR_TXDW);
        int before = h.irq.raised.size();
        d.wr(ICS, ICR_TXDW);
        d.wr(ICS, ICR_TXDW); // still asserted: no new edge
        d.rd(ICR);
        d.wr(ICS, ICR_TXDW);
        assertEquals(2, h.irq.raised.size() - before);
        assertTrue(h.irq.raised.stream().allMatch(v -> v == 0));
    }

    @Test
    void mdicWithInterruptEnableRaisesMdac() {
        d.wr(IMS, ICR_MDAC);
        d.wr(MDIC, PHY_ID1 << 16 | 1 << 21 | MDIC_OP_READ | MDIC_INT_EN);
        assertTrue(h.irq.level);
        assertEquals(ICR_MDAC, d.rd(ICR));
        d.wr(MDIC, PHY_ID1 << 16 | 2 << 21 | MDIC_OP_READ);
        assertEquals(MDIC_ERROR | MDIC_READY, d.rd(MDIC) & (MDIC_ERROR | MDIC_READY), "only PHY address 1 answers");
    }

    @Test
    void itrSpacesAssertionsOnTheDeviceClock() {
        d.wr(ITR, 1000); // 256 µs
        d.wr(IMS, ICR_TXDW);
        d.wr(ICS, ICR_TXDW);
        assertTrue(h.irq.level, "the first interrupt is immediate");
        d.rd(ICR);
        h.advance(100_000);
        d.wr(ICS, ICR_TXDW);
        assertFalse(h.irq.level, "within 256 µs of the last: held back");
        h.advance(100_000);
        assertFalse(h.irq.level);
        h.advance(56_000);
        assertTrue(h.irq.level, "released when the interval is over");
        d.rd(ICR);
        h.advance(1_000_000);
        d.wr(ICS, ICR_TXDW);
        assertTrue(h.irq.level, "after a quiet period: immediate again");
        d.rd(ICR);
        d.wr(ITR, 0);
        d.wr(ICS, ICR_TXDW);
        assertTrue(h.irq.level, "ITR 0: no throttling");
    }

    @Test
    void linkDownAndUpRaiseLscAndTheDriverFollows() {
        d.open();
        assertTrue(d.carrier);
        h.wire.setLinkUp(false);
        h.settle();
        assertTrue(h.irq.level, "LSC");
        d.serviceInterrupts();
        assertFalse(d.carrier, "watchdog saw the link go");
        assertEquals(0, d.rd(STATUS) & STATUS_LU);
        // frames do not cross while the link is down
        d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 100, 1));
        assertTrue(h.peerReceived.isEmpty());
        assertEquals(1, h.counters.get("tx-dropped-link-down"));
        h.wire.setLinkUp(true);
        h.settle();
        assertTrue(h.irq.level);
        d.serviceInterrupts();
        assertTrue(d.carrier);
        d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 100, 2));
        assertEquals(1, h.peerReceived.size());
    }

    @Test
    void theUserCanTakeTheLinkDownAtRunTime() {
        d.open();
        h.function.setLinkUp(false);
        assertFalse(h.function.linkUp());
        d.serviceInterrupts();
        assertFalse(d.carrier);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 64, 3));
        assertTrue(d.drainReceived().isEmpty(), "no link, no frames");
        assertEquals(1, h.counters.get("rx-dropped-link-down"));
        h.function.setLinkUp(true);
        d.serviceInterrupts();
        assertTrue(d.carrier);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 64, 4));
        assertEquals(1, d.drainReceived().size());
    }

    @Test
    void phyPowerDownOnCloseDropsTheLinkAndPowerUpRestoresIt() {
        d.open();
        d.writePhy(PHY_CTRL, d.readPhy(PHY_CTRL) | MII_CR_POWER_DOWN);
        assertFalse(h.function.linkUp());
        d.open();
        assertTrue(d.carrier);
    }

    @Test
    void receiveAndTransmitRaiseTheirCauses() {
        d.open();
        d.wr(IMC, 0xFFFF_FFFF);
        d.rd(ICR);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 64, 5));
        assertEquals(ICR_RXT0, d.rd(ICR) & ICR_RXT0);
        d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 64, 6));
        assertEquals(ICR_TXDW | ICR_TXQE, d.rd(ICR) & (ICR_TXDW | ICR_TXQE));
    }
}
