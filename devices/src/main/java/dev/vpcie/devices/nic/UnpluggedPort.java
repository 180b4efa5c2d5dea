package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.EthernetPort;
import java.nio.ByteBuffer;

/**
 * The wire of a NIC that was given none: no carrier, frames dropped and counted. A host that
 * enumerates a NIC without wiring it sees what hardware with no cable shows: link down.
 */
public final class UnpluggedPort implements EthernetPort {
    private long dropped;

    @Override
    public boolean send(ByteBuffer frame) {
        frame.position(frame.limit());
        dropped++;
        return false;
    }

    @Override
    public void setReceiver(FrameReceiver receiver) { }

    @Override
    public boolean linkUp() { return false; }

    @Override
    public void setLinkListener(LinkListener listener) { }

    @Override
    public int maxFrameSize() { return EthernetFrames.MAX_FRAME; }

    /** Frames the NIC tried to send. */
    public long dropped() { return dropped; }
}
