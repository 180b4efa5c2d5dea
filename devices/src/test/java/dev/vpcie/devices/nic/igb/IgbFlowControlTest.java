package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NicFlowControlContract;
import dev.vpcie.devices.nic.NicHarness;
import dev.vpcie.devices.nic.PausablePeer;
import dev.vpcie.devices.nic.TestPackets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 802.3x flow control towards the wire on the 82576 (64 KiB of packet buffer, per-queue descriptor caches). */
class IgbFlowControlTest extends NicFlowControlContract {
    private final IgbHarness h = new IgbHarness();
    private final IgbDriver d = new IgbDriver(h, 256);

    IgbFlowControlTest() {
        d.probe();
        d.open(Mode.MSIX, 1);
    }

    @Override protected NicHarness<?> harness() { return h; }

    @Override protected MacAddress mac() { return d.mac; }

    @Override protected int rd(int reg) { return d.rd(reg); }

    @Override protected void wr(int reg, int value) { d.wr(reg, value); }

    @Override protected List<byte[]> hostCleans() { return d.drainFrames(); }

    @Override protected void invalidateRing() { d.wr(rdlen(0), 0); }

    @Test
    void aDisabledQueueNeverHoldsTheWire() {
        d.wr(CTRL, d.rd(CTRL) | CTRL_TFCE);
        new PausablePeer(h).queueBursts(d.mac, 8).sendWhileAccepted();
        assertFalse(h.nicAccepts(32, 48 * 1024), "full: held");
        d.wr(rxdctl(0), d.rd(rxdctl(0)) & ~RXDCTL_ENABLE);
        assertTrue(h.nicAccepts(700, 1 << 20), "its frames are dropped, not buffered");
    }

    @Test
    void aBurstLargerThanTheReceiverCouldEverHoldGoesOnceItIsEmpty() {
        d.wr(CTRL, d.rd(CTRL) | CTRL_TFCE);
        int frames = 32 + 64 * 1024 / 1514; // through the fetched descriptors, and what the packet buffer holds
        assertTrue(h.nicAccepts(frames, frames * 1514), "packet buffer and the fetched descriptors");
        assertTrue(h.nicAccepts(700, 1 << 20), "more than it could ever hold: taken now, else never");
        h.peerSend(TestPackets.rawFrame(d.mac, TestPackets.SRC, 1514, 1));
        assertFalse(h.nicAccepts(frames, frames * 1514), "one descriptor fewer");
    }
}
