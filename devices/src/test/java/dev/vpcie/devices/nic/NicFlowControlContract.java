package dev.vpcie.devices.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 802.3x flow control towards the wire, the same on both chips: with CTRL.TFCE a burst waits for
 * room instead of overflowing the packet buffer; without it, or while the receiver cannot deliver
 * at all, the wire is never held. Each chip's test supplies its harness and driver steps.
 */
public abstract class NicFlowControlContract {
    private static final int MPC = Statistic.MPC.offset(), CTRL = NicRegisters.CTRL, RCTL = NicRegisters.RCTL;

    protected abstract NicHarness<?> harness();

    protected abstract MacAddress mac();

    protected abstract int rd(int reg);

    protected abstract void wr(int reg, int value);

    /** The host cleans its ring and gives the buffers back; returns the frames it received. */
    protected abstract List<byte[]> hostCleans();

    /** Makes the ring invalid (RDLEN 0). */
    protected abstract void invalidateRing();

    private void transmitFlowControl(boolean on) {
        wr(CTRL, on ? rd(CTRL) | NicRegisters.CTRL_TFCE : rd(CTRL) & ~NicRegisters.CTRL_TFCE);
    }

    @Test
    void withTransmitFlowControlABurstWaitsForRoomAndArrivesWholeInOrder() {
        transmitFlowControl(true);
        new PausablePeer(harness()).queueBursts(mac(), 8).sendAllCheckingOrder(this::hostCleans);
        assertEquals(0, rd(MPC), "no packet buffer overrun");
        assertTrue(rd(Statistic.XOFFTXC.offset()) > 0, "XOFF counted");
        assertTrue(rd(Statistic.XONTXC.offset()) > 0, "XON counted");
    }

    @Test
    void withoutTransmitFlowControlTheBurstsOverflowAsBefore() {
        transmitFlowControl(false);
        PausablePeer peer = new PausablePeer(harness()).queueBursts(mac(), 8);
        assertEquals(peer.queued().size(), peer.sendWhileAccepted(), "nothing is held back");
        assertTrue(rd(MPC) > 0, "the packet buffer overflowed");
        assertEquals(0, rd(Statistic.XOFFTXC.offset()));
    }

    @Test
    void aReceiverThatCannotDeliverNeverHoldsTheWire() {
        transmitFlowControl(true);
        new PausablePeer(harness()).queueBursts(mac(), 8).sendWhileAccepted();
        assertFalse(harness().nicAccepts(32, 48 * 1024), "full: held");
        int rctl = rd(RCTL);
        wr(RCTL, rctl & ~ReceiveControl.EN);
        assertTrue(harness().nicAccepts(700, 1 << 20), "a disabled receiver drops, the wire drains");
        wr(RCTL, rctl);
        invalidateRing();
        assertTrue(harness().nicAccepts(700, 1 << 20), "an invalid ring never takes a frame");
    }
}
