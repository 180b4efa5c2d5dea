package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.TestPackets;
import org.junit.jupiter.api.Test;

/** Statistics that count what the MAC does; drops for lack of room or descriptors. */
class IgbStatisticsTest {

    @Test
    void goodTrafficIsCountedAndReadsClear() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 1);
        for (int i = 0; i < 3; i++) d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 100, i));
        d.transmit(TestPackets.rawFrame(MacAddress.BROADCAST, d.mac, 60, 9));
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1514, 1));
        h.peerSend(TestPackets.rawFrame(MacAddress.BROADCAST, TestPackets.SRC, 200, 2));
        h.peerSend(TestPackets.rawFrame(MacAddress.parse("52:54:00:de:ad:01"), TestPackets.SRC, 200, 3));
        assertEquals(2, d.drainFrames().size(), "the frame for another station is filtered");
        assertEquals(4, d.rd(GPTC));
        assertEquals(4, d.rd(TPT));
        assertEquals(3 * 104 + 64, d.rd(GOTCL));
        assertEquals(1, d.rd(0x40F4), "BPTC");
        assertEquals(2, d.rd(GPRC));
        assertEquals(3, d.rd(TPR), "every frame the MAC saw");
        assertEquals(1518 + 204, d.rd(GORCL));
        assertEquals(0, d.rd(0x408C), "GORCH (reading it clears the pair)");
        assertEquals(0, d.rd(GORCL), "cleared with the high half");
        assertEquals(1, d.rd(0x4078), "BPRC");
        assertEquals(1, d.rd(0x4070), "PRC1522");
        assertEquals(1, d.rd(0x4064), "PRC255");
        assertEquals(2, d.rd(0x4104), "RPTHC: packets to the host");
        assertEquals(4, d.rd(0x4118), "HGPTC");
        assertEquals(0, d.rd(GPTC), "clear on read");
        assertEquals(0, d.rd(GPRC));
    }

    @Test
    void aFullPacketBufferDropsCountsMissedPacketsAndRaisesRxo() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h, 32);
        d.probe();
        d.open(Mode.MSIX, 1);
        d.wr(IMS, d.rd(IMS) | ICR_RXO);
        for (int i = 0; i < 100; i++) h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1514, i));
        int buffered = h.function.receiveBuffered();
        assertEquals(64 * 1024 / 1514, buffered, "RXPBS (64 KiB) holds what the ring could not");
        int mpc = d.rd(MPC);
        assertEquals(100 - 31 - buffered, mpc, "31 in the ring, the rest missed");
        assertTrue(d.rd(RNBC) > 0, "frames arrived with no descriptor free");
        assertEquals(ICR_RXO, d.rd(ICR) & ICR_RXO);
        int got = 0;
        for (int round = 0; round < 10 && got < 31 + buffered; round++) got += d.drain().size();
        assertEquals(31 + buffered, got, "everything buffered is delivered as descriptors come back");
    }

    @Test
    void withDropEnableAQueueWithoutDescriptorsDropsAndCountsRqdpc() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h, 32);
        d.srrctlExtra = SRRCTL_DROP_EN;
        d.probe();
        d.open(Mode.MSIX, 1);
        for (int i = 0; i < 40; i++) h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 500, i));
        assertEquals(0, h.function.receiveBuffered(), "nothing waits with DROP_EN");
        assertEquals(9, d.rd(rqdpc(0)), "40 frames, 31 descriptors");
        assertEquals(0, d.rd(rqdpc(0)), "clear on read");
        assertEquals(0, d.rd(MPC), "not a packet buffer overflow");
        assertEquals(31, d.drain().size());
    }

    @Test
    void multicastPassesThroughTheMtaHash() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 1);
        MacAddress group = MacAddress.parse("01:00:5e:00:00:fb");
        h.peerSend(TestPackets.rawFrame(group, TestPackets.SRC, 100, 1));
        assertTrue(d.drainFrames().isEmpty(), "not in the MTA");
        int hash = (0xfb << 4 | 0x00 >>> 4) & 0xFFF; // MO = 0: bits 47:36 of the address
        d.wr(MTA + 4 * (hash >>> 5), 1 << (hash & 31));
        h.peerSend(TestPackets.rawFrame(group, TestPackets.SRC, 100, 2));
        assertEquals(1, d.drainFrames().size());
        assertEquals(1, d.rd(0x407C), "MPRC");
    }
}
