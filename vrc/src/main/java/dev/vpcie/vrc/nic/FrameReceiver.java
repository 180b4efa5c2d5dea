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

    /**
     * {@link #receive(ByteBuffer, int)} with what the NIC said of the frame's checksums:
     * {@code l4ChecksumGood} when it checked the TCP or UDP checksum (and the IPv4 header's) and
     * found them right, as a Linux driver marks a frame CHECKSUM_UNNECESSARY. The driver calls
     * this one, and ends every poll that called it with {@link #pollEnded}; a receiver that can
     * use the verdict overrides it.
     */
    default void receive(ByteBuffer frame, int queue, boolean l4ChecksumGood) { receive(frame, queue); }

    /**
     * The driver's poll has taken every frame it will take from one RX queue for now (the end of a
     * NAPI poll, where Linux flushes GRO): frames a receiver held back to merge must go out now.
     */
    default void pollEnded(int queue) {}
}
