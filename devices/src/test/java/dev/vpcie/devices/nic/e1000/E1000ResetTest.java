package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.TestPackets;
import dev.vpcie.devices.spi.ResetKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CTRL.RST, PCI resets and PHY resets, also in the middle of traffic. */
class E1000ResetTest {

    @Test
    void resetMidTrafficRecovers() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h, 64, 16);
        d.probe();
        d.open();
        // Fill the receive ring and the packet buffer behind it without the driver cleaning.
        for (int i = 0; i < 40; i++) h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1000, i));
        assertTrue(h.function.receiveBuffered() > 0);
        // Half a packet queued for transmit (no EOP yet).
        int slot = d.txNextToUse;
        h.memory.put(d.txBuffer(slot), new byte[100], 0, 100);
        d.descriptor(slot, d.txBuffer(slot), 100 | TXD_CMD_IFCS, 0);
        d.txNextToUse++;
        d.wr(TDT, d.txNextToUse);
        d.wr(IMS, 0xFFFF);
        d.wr(ICS, ICR_RXO);
        assertTrue(h.irq.level);

        d.wrIo(CTRL, d.rd(CTRL) | CTRL_RST);
        assertFalse(h.irq.level, "reset deasserts the line");
        assertEquals(0, d.rd(IMS));
        assertEquals(0, d.rd(RDBAL));
        assertEquals(0, d.rd(TDT));
        assertEquals(0, d.rd(RCTL));
        assertEquals(0, h.function.receiveBuffered(), "the packet buffer empties");
        assertEquals(0, d.rd(CTRL) & CTRL_RST, "RST self-clears");
        assertEquals(d.mac, MacAddress.fromReceiveAddress(d.rd(RA), d.rd(RA + 4)), "RAL0/RAH0 reloaded");

        d.received.clear();
        d.reset();
        d.open();
        for (int len : new int[] {60, 1514, 333}) {
            byte[] in = TestPackets.rawFrame(d.mac, TestPackets.SRC, len, len);
            h.peerSend(in);
            List<byte[]> got = d.drainReceived();
            assertEquals(1, got.size());
            assertArrayEquals(in, got.get(0));
            byte[] out = TestPackets.rawFrame(TestPackets.DST, d.mac, len, -len);
            h.peerReceived.clear();
            d.transmit(out);
            assertArrayEquals(out, h.peerReceived.get(0), "the half packet from before the reset is gone");
        }
    }

    @Test
    void pciResetRestoresConfigurationAndDevice() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        h.function.reset(ResetKind.HOT);
        assertEquals(0, h.function.config().command());
        assertFalse(h.function.config().busMasterEnabled());
        assertEquals(0, d.rd(TCTL));
        d.received.clear();
        d.probe();
        d.open();
        byte[] in = TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 1);
        h.peerSend(in);
        assertArrayEquals(in, d.drainReceived().get(0));
    }

    @Test
    void phyResetRestoresItsDefaults() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.writePhy(PHY_AUTONEG_ADV, 0x0061);
        assertEquals(0x0061, d.readPhy(PHY_AUTONEG_ADV));
        int ctrl = d.rd(CTRL);
        d.wr(CTRL, ctrl | CTRL_PHY_RST);
        d.wr(CTRL, ctrl);
        assertEquals(0x0DE1, d.readPhy(PHY_AUTONEG_ADV));
        assertTrue(h.function.linkUp());
    }

    @Test
    void withoutBusMasteringNothingMovesUntilItIsBack() {
        E1000Harness h = new E1000Harness();
        E1000Driver d = new E1000Driver(h);
        d.probe();
        d.open();
        h.function.config().write(0x04, 2, 0x3); // bus master off
        byte[] in = TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2);
        h.peerSend(in);
        byte[] out = TestPackets.rawFrame(TestPackets.DST, d.mac, 100, 3);
        d.transmit(out);
        assertTrue(h.peerReceived.isEmpty());
        assertEquals(0, d.rd(TDH));
        assertEquals(1, h.function.receiveBuffered(), "the frame waits in the packet buffer");
        h.function.config().write(0x04, 2, 0x7);
        d.wr(TDT, d.txNextToUse);
        d.wr(RDT, d.rd(RDT));
        assertArrayEquals(out, h.peerReceived.get(0));
        assertArrayEquals(in, d.drainReceived().get(0));
    }
}
