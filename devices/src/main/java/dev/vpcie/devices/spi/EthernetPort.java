package dev.vpcie.devices.spi;

import java.nio.ByteBuffer;

/**
 * A NIC model's own wire (not the interconnect): frames out, frames in, link state. Implementations
 * are an AF_PACKET/pcap interface, a TAP device, or {@link MemoryEthernetWire} for tests.
 *
 * <p>Frames are Ethernet II frames from destination MAC through payload, without preamble or FCS
 * (the wire adds and checks the FCS, as a MAC does). Receive and link callbacks run on the
 * function's thread, so the model handles them like any other event.
 */
public interface EthernetPort {

    /** Receives frames from the wire. */
    @FunctionalInterface
    interface FrameReceiver {
        /**
         * One received frame between {@code frame.position()} and {@code frame.limit()}. The buffer
         * is valid only during the call: copy what must outlive it. A NIC with no free receive
         * buffer drops the frame and counts it, as hardware does.
         */
        void receive(ByteBuffer frame);

        /**
         * The same, for a frame whose IPv4 header checksum and TCP/UDP checksum were computed on
         * the way here (the wire finished a sending stack's checksum offload or segmentation): a
         * model that checks receive checksums may report them good without summing the frame
         * again. Models that do not care receive it as any other frame.
         */
        default void receiveComputed(ByteBuffer frame) { receive(frame); }

        /**
         * Whether the receiver takes a burst of {@code frames} frames of {@code bytes} in all (one
         * frame, or every segment of a super-frame the wire cuts up, the first ones the longest)
         * now without dropping any of them: a NIC with transmit flow control on says no while its
         * packet buffer is too full, as it would send XOFF, and the wire then holds the burst (and
         * what follows it) until the answer is yes. The receiver counts the pauses. Receivers that
         * never hold the wire back take everything.
         */
        default boolean accepts(int frames, int bytes) { return true; }
    }

    /** Hears link state changes. */
    @FunctionalInterface
    interface LinkListener {
        void linkChanged(boolean up);
    }

    /**
     * Transmits the frame between {@code frame.position()} and {@code frame.limit()}; the bytes are
     * copied before return and the position is advanced to the limit. Never blocks on the peer: a
     * frame the wire cannot take (link down, queue full) is dropped and counted by the port.
     *
     * @return whether the wire accepted the frame
     */
    boolean send(ByteBuffer frame);

    /** Installs the receiver (replacing any previous one); frames arriving with none installed are dropped. */
    void setReceiver(FrameReceiver receiver);

    /** Whether the wire has link (carrier). */
    boolean linkUp();

    /** Installs the link-state listener (replacing any previous one). */
    void setLinkListener(LinkListener listener);

    /** Largest frame (without FCS) the wire carries, e.g. 1514, or 9014 with jumbo frames. */
    int maxFrameSize();
}
