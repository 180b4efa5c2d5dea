package dev.vpcie.vrc.nic;

import java.nio.ByteBuffer;

/** Gets the frames a NIC receives. */
@FunctionalInterface
public interface FrameReceiver {
    /**
     * One frame (destination MAC through payload, no FCS) between {@code position} and
     * {@code limit}, received on RX queue {@code queue}. The buffer is valid only during the
     * call: it may be the driver's DMA buffer, which goes back to the NIC afterwards. Runs on the
     * driver's poll thread; a slow receiver delays every queue.
     */
    void receive(ByteBuffer frame, int queue);
}
