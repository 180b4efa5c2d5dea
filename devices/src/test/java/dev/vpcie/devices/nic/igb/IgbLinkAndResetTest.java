package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.TestPackets;
import dev.vpcie.devices.spi.ResetKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Link state set by the user or the cable, seen by the driver through LSC; resets in the middle of traffic. */
class IgbLinkAndResetTest {

    private static void trafficFlows(IgbHarness h, IgbDriver d, int q) {
        for (int i = 0; i < 8; i++) {
            byte[] out = TestPackets.rawFrame(TestPackets.DST, d.mac, 100 + i, i);
            d.transmit(q, out);
            assertArrayEquals(out, h.peerReceived.remove(h.peerReceived.size() - 1));
            byte[] in = TestPackets.rawFrame(d.mac, TestPackets.SRC, 100 + i, -i);
            h.peerSend(in);
            List<byte[]> got = d.drainFrames();
            assertEquals(1, got.size());
            assertArrayEquals(in, got.get(0));
        }
    }

    @Test
    void linkDownAndUpIsSeenInEveryInterruptMode() {
        for (Mode mode : Mode.values()) {
            IgbHarness h = new IgbHarness();
            IgbDriver d = new IgbDriver(h);
            d.probe();
            d.open(mode, 1);
            assertTrue(d.carrier, mode + ": link up after open");
            int runs = d.watchdogRuns;
            h.function.setLinkUp(false);
            d.service();
            assertFalse(d.carrier, mode + ": the driver saw LSC and the link down");
            assertTrue(d.watchdogRuns > runs);
            assertEquals(0, d.rd(STATUS) & STATUS_LU);
            assertFalse(h.function.linkUp());
            d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 100, 1));
            assertTrue(h.peerReceived.isEmpty(), "no link: nothing leaves");
            assertEquals(1, h.counters.get("tx-dropped-link-down"));
            h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2));
            assertTrue(d.drainFrames().isEmpty(), "no link: nothing arrives");
            h.function.setLinkUp(true);
            d.service();
            assertTrue(d.carrier, mode + ": and up again");
            assertEquals(STATUS_LU, d.rd(STATUS) & STATUS_LU);
            d.cleanTx(0);
            trafficFlows(h, d, 0);
        }
    }

    @Test
    void losingTheCableIsTheSameAsTakingTheLinkDown() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 1);
        h.wire.setLinkUp(false);
        d.service();
        assertFalse(d.carrier);
        h.function.setLinkUp(true); // the user's control does not override a missing cable
        d.service();
        assertFalse(d.carrier);
        h.wire.setLinkUp(true);
        d.service();
        assertTrue(d.carrier);
    }

    @Test
    void poweringThePhyDownTakesTheLinkDown() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 1);
        d.writePhy(PHY_CONTROL, d.readPhy(PHY_CONTROL) | MII_CR_POWER_DOWN);
        d.service();
        assertFalse(d.carrier, "igb_power_down_phy_copper on close");
        d.writePhy(PHY_CONTROL, d.readPhy(PHY_CONTROL) & ~MII_CR_POWER_DOWN);
        d.service();
        assertTrue(d.carrier);
    }

    @Test
    void aResetInTheMiddleOfATransmitBurstStopsItAndTheDriverRecovers() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 2);
        for (int i = 0; i < 100; i++) d.dataDescriptors(1, TestPackets.rawFrame(TestPackets.DST, d.mac, 200, i), 0, 200 << ADVTXD_PAYLEN_SHIFT);
        h.function.mmioWrite(0, tdt(1), 4, d.txNextToUse[1]); // no settle: the walk is mid-way while reads are in flight
        h.memory.dma.completeReads(); // the first descriptor batches land, their buffers are read
        h.memory.dma.completeReads(); // those buffers land and their frames go; later batches are still in flight
        int sent = h.peerReceived.size();
        assertTrue(sent > 0 && sent < 100, "part of the burst went out: " + sent);
        long resets = h.counters.get("device-resets");
        h.function.mmioWrite(0, CTRL, 4, (d.rd(CTRL) | CTRL_RST) & 0xFFFF_FFFFL);
        h.settle();
        assertEquals(resets + 1, h.counters.get("device-resets"));
        assertEquals(sent, h.peerReceived.size(), "the reset stopped the walk");
        assertEquals(0, d.rd(tdh(1)));
        assertEquals(0, d.rd(IMS), "interrupts disabled by the reset");
        h.peerReceived.clear();
        // igb_reset_task: down, reset, up
        d.reset();
        d.open(Mode.MSIX, 2);
        assertTrue(d.carrier);
        trafficFlows(h, d, 1);
    }

    @Test
    void aResetDropsFramesWaitingForDescriptors() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h, 32);
        d.probe();
        d.open(Mode.MSIX, 1);
        for (int i = 0; i < 40; i++) h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1000, i));
        assertTrue(h.function.receiveBuffered() > 0, "the ring is full; frames wait in the packet buffer");
        d.wr(CTRL, d.rd(CTRL) | CTRL_RST);
        assertEquals(0, h.function.receiveBuffered());
        d.dropRaised();
        d.reset();
        d.open(Mode.MSIX, 1);
        trafficFlows(h, d, 0);
    }

    @Test
    void aPciResetReturnsEverythingToPowerOnAndTheDriverComesBack() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 4);
        d.wr(RXPBS, 0x20);
        d.wr(eitr(3), 1000);
        h.function.reset(ResetKind.HOT);
        assertEquals(0, h.function.config().command(), "configuration space reset");
        assertFalse(h.function.config().msixEnabled());
        d.enableDevice();
        assertEquals(0x40, d.rd(RXPBS), "a PCI reset restores RXPBS");
        assertEquals(0, d.rd(eitr(3)));
        assertEquals(0, d.rd(GPIE));
        d.wr(RXPBS, 0x20);
        d.wr(eitr(3), 1000);
        d.wr(CTRL, d.rd(CTRL) | CTRL_RST);
        assertEquals(0x20, d.rd(RXPBS), "a software reset keeps RXPBS");
        assertEquals(1000, d.rd(eitr(3)), "and EITR");
        d.dropRaised();
        h.peerReceived.clear();
        assertEquals(0xBABA, d.probe());
        d.open(Mode.MSIX, 4);
        assertTrue(d.carrier);
        trafficFlows(h, d, 3);
    }
}
