package dev.vpcie.devices.nic;

import dev.vpcie.devices.nic.phy.Phy;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.EthernetPort;
import java.nio.ByteBuffer;

/**
 * Where the MAC puts a frame it transmitted — the same on the 82540EM and the 82576: back into its
 * own receiver with MAC loopback (RCTL.LBM = 01) or PHY loopback, nowhere without link (counted,
 * as a MAC without link drops it), else onto the wire.
 */
public final class MacOutput {
    /** The receiver's way in for a looped-back frame. */
    @FunctionalInterface
    public interface Loopback {
        void loopedBack(byte[] frame, int length);
    }

    private final Phy phy;
    private final Loopback receiver;
    private final EthernetPort port;
    private final Counters.Counter droppedNoLink;

    public MacOutput(Phy phy, Loopback receiver, EthernetPort port, Counters counters) {
        this.phy = phy;
        this.receiver = receiver;
        this.port = port;
        this.droppedNoLink = counters.counter("tx-dropped-link-down");
    }

    /** Sends {@code frame[0..length)} as RCTL ({@code rctl}) and the PHY say. */
    public void transmit(int rctl, byte[] frame, int length) {
        if ((rctl & ReceiveControl.LBM_MASK) == ReceiveControl.LBM_MAC || phy.loopback()) {
            receiver.loopedBack(frame, length);
            return;
        }
        if (!phy.linkUp()) {
            droppedNoLink.increment();
            return;
        }
        port.send(ByteBuffer.wrap(frame, 0, length));
    }
}
