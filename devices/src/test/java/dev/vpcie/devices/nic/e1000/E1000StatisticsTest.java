package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Driver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.ReceiveFilter;
import dev.vpcie.devices.nic.TestPackets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statistics through the registers, address filtering, and what happens when the host falls behind. */
class E1000StatisticsTest {
    static final int CRCERRS = 0x4000, MPC = 0x4010, PRC64 = 0x405C, PRC127 = 0x4060, PRC1522 = 0x4070, GPRC = 0x4074, BPRC = 0x4078;
    static final int MPRC = 0x407C, GPTC = 0x4080, GORCL = 0x4088, GORCH = 0x408C, GOTCL = 0x4090, GOTCH = 0x4094, RNBC = 0x40A0;
    static final int TORL = 0x40C0, TORH = 0x40C4, TPR = 0x40D0, TPT = 0x40D4, PTC64 = 0x40D8, PTC1522 = 0x40EC, MPTC = 0x40F0, BPTC = 0x40F4;

    private E1000Harness h;
    private E1000Driver d;

    @BeforeEach
    void up() {
        h = new E1000Harness();
        d = new E1000Driver(h, 256, 16);
        d.probe();
        d.open();
    }

    @Test
    void countersCountAndClearOnRead() {
        MacAddress peer = TestPackets.SRC;
        d.transmit(TestPackets.rawFrame(peer, d.mac, 60, 1));
        d.transmit(TestPackets.rawFrame(MacAddress.BROADCAST, d.mac, 1514, 2));
        d.transmit(TestPackets.rawFrame(MacAddress.parse("01:00:5e:00:00:01"), d.mac, 100, 3));
        h.peerSend(TestPackets.rawFrame(d.mac, peer, 60, 4));
        h.peerSend(TestPackets.rawFrame(MacAddress.BROADCAST, peer, 1000, 5));
        d.drainReceived();

        assertEquals(3, d.rd(GPTC));
        assertEquals(0, d.rd(GPTC), "clear on read");
        assertEquals(3, d.rd(TPT));
        assertEquals(64 + 1518 + 104, d.rd(GOTCL));
        assertEquals(0, d.rd(GOTCH));
        assertEquals(0, d.rd(GOTCL), "reading the high half cleared the pair");
        assertEquals(1, d.rd(PTC64));
        assertEquals(1, d.rd(PTC1522));
        assertEquals(1, d.rd(BPTC));
        assertEquals(1, d.rd(MPTC));
        assertEquals(2, d.rd(GPRC));
        assertEquals(2, d.rd(TPR));
        assertEquals(64 + 1004, d.rd(GORCL));
        d.rd(GORCH);
        assertEquals(1, d.rd(BPRC));
        assertEquals(1, d.rd(PRC64));
        assertEquals(0, d.rd(CRCERRS), "the wire delivers no bad frames");
    }

    @Test
    void addressFilteringFollowsTheRegisters() {
        MacAddress other = MacAddress.parse("52:54:00:77:77:77");
        MacAddress group = MacAddress.parse("01:00:5e:01:02:03");
        h.peerSend(TestPackets.rawFrame(other, TestPackets.SRC, 64, 1));
        h.peerSend(TestPackets.rawFrame(group, TestPackets.SRC, 64, 2));
        assertTrue(d.drainReceived().isEmpty());
        assertEquals(2, d.rd(TPR), "seen by the MAC");
        assertEquals(0, d.rd(GPRC), "not delivered");

        int hash = ReceiveFilter.multicastHash(TestPackets.rawFrame(group, TestPackets.SRC, 64, 0), 0);
        d.wr(MTA + 4 * (hash >>> 5), 1 << (hash & 31));
        h.peerSend(TestPackets.rawFrame(group, TestPackets.SRC, 64, 3));
        assertEquals(1, d.drainReceived().size(), "MTA hash hit");
        assertEquals(1, d.rd(MPRC));

        d.wr(RA + 8, other.ral());
        d.wr(RA + 12, other.rahAddressBits() | RAH_AV);
        h.peerSend(TestPackets.rawFrame(other, TestPackets.SRC, 64, 4));
        assertEquals(1, d.drainReceived().size(), "second receive address");
        d.wr(RA + 12, 0);
        d.wr(RCTL, d.rd(RCTL) | RCTL_UPE);
        h.peerSend(TestPackets.rawFrame(other, TestPackets.SRC, 64, 5));
        assertEquals(1, d.drainReceived().size(), "promiscuous");
        d.wr(RCTL, d.rd(RCTL) & ~(RCTL_UPE | RCTL_BAM));
        h.peerSend(TestPackets.rawFrame(MacAddress.BROADCAST, TestPackets.SRC, 64, 6));
        assertTrue(d.drainReceived().isEmpty(), "broadcast needs BAM");
    }

    @Test
    void aHostThatFallsBehindFillsThePacketBufferThenLosesFrames() {
        d.wr(IMC, 0xFFFF_FFFF);
        d.rd(ICR);
        int sent = 0;
        // 15 descriptors owned, 48 KiB of packet buffer behind them: 15 + 32 frames of 1514 fit.
        for (int i = 0; i < 60; i++) {
            h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1514, i));
            sent++;
        }
        int icr = d.rd(ICR);
        assertEquals(ICR_RXO, icr & ICR_RXO, "receiver overrun");
        int missed = d.rd(MPC);
        assertEquals(60 - 15 - 32, missed);
        assertEquals(60 - 15, d.rd(RNBC), "every frame that found the ring full");
        // The driver catches up: buffered frames arrive, in order, and nothing else is lost.
        int got = 0;
        for (int round = 0; round < 10; round++) {
            d.cleanRx();
            got += d.received.size();
            for (int k = 0; k < d.received.size(); k++) {
                byte[] expect = TestPackets.rawFrame(d.mac, TestPackets.SRC, 1514, got - d.received.size() + k);
                assertArrayEquals(expect, d.received.get(k), "frame " + (got - d.received.size() + k));
            }
            d.received.clear();
            d.receivedStatus.clear();
            d.receivedErrors.clear();
            d.receivedSpecial.clear();
        }
        assertEquals(sent - missed, got);
        assertEquals(0, h.function.receiveBuffered());
    }

    @Test
    void rxDescriptorMinimumThresholdRaisesRxdmt0() {
        d.wr(IMC, 0xFFFF_FFFF);
        d.rd(ICR);
        // 16-entry ring, RDMTS = 1/2: the cause appears once 8 or fewer descriptors are left.
        for (int i = 0; i < 6; i++) h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 64, i));
        assertEquals(0, d.rd(ICR) & ICR_RXDMT0);
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 64, 7));
        assertEquals(ICR_RXDMT0, d.rd(ICR) & ICR_RXDMT0);
        List<byte[]> got = d.drainReceived();
        assertEquals(7, got.size());
    }
}
