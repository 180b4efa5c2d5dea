package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.TestPackets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the 82576 fetches transmit descriptors: TXDCTL.HTHRESH as the datasheet's fetch rule says. */
class IgbTxFetchTest {
    private static final MacAddress PEER = MacAddress.parse("52:54:00:ab:cd:ef");

    private static IgbDriver opened(IgbHarness h) {
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 1);
        h.settle();
        return d;
    }

    /** The driver's descriptors for {@code frame}, then its tail write, without letting the reads complete. */
    private static void transmit(IgbHarness h, IgbDriver d, byte[] frame) {
        d.dataDescriptors(0, frame, 0, frame.length << ADVTXD_PAYLEN_SHIFT);
        h.function.mmioWrite(0, tdt(0), 4, d.txNextToUse[0]);
    }

    @Test
    void behindDescriptorsOnChipAFetchWaitsForHthreshPostedOnes() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = opened(h);
        d.wr(txdctl(0), 8 | 4 << 8 | 1 << 16 | TXDCTL_ENABLE); // PTHRESH 8, HTHRESH 4, WTHRESH 1
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) sent.add(TestPackets.rawFrame(PEER, IgbHarness.MAC, 60 + i, i));

        int before = h.memory.dma.inFlight();
        transmit(h, d, sent.get(0));
        assertEquals(before + 1, h.memory.dma.inFlight(), "the descriptor buffer is empty: one posted descriptor is fetched at once");
        transmit(h, d, sent.get(1));
        transmit(h, d, sent.get(2));
        transmit(h, d, sent.get(3));
        assertEquals(before + 1, h.memory.dma.inFlight(), "3 posted behind one on chip: fewer than HTHRESH, no fetch");
        transmit(h, d, sent.get(4));
        assertEquals(before + 2, h.memory.dma.inFlight(), "4 posted: HTHRESH reached, one fetch for them");

        h.settle();
        assertEquals(5, h.peerReceived.size(), "every frame is sent");
        for (int i = 0; i < 5; i++) assertArrayEquals(sent.get(i), h.peerReceived.get(i), "frame " + i + " in ring order");
        assertEquals(5, d.cleanTx(0), "and written back");
    }

    @Test
    void withHthreshZeroOrOneEveryTailWriteFetches() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = opened(h);
        d.wr(txdctl(0), 8 | 1 << 8 | 1 << 16 | TXDCTL_ENABLE); // what Linux writes
        int before = h.memory.dma.inFlight();
        for (int i = 0; i < 3; i++) transmit(h, d, TestPackets.rawFrame(PEER, IgbHarness.MAC, 60, i));
        assertEquals(before + 3, h.memory.dma.inFlight(), "each tail write fetches its descriptor");
        h.settle();
        assertEquals(3, h.peerReceived.size());
    }
}
