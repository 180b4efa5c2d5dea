package dev.vpcie.devices.nic.offload;

/** Whether and how a transmit packet is cut into frames. */
public sealed interface Segmentation {

    /** Send the packet as one frame. */
    record None() implements Segmentation {}

    /**
     * TCP (or UDP) segmentation offload: the first {@code headerLength} bytes are the header copied
     * into every frame; the rest is cut into pieces of at most {@code mss} bytes.
     *
     * @param headerLength  bytes of MAC, IP and transport headers (HDRLEN)
     * @param mss           payload bytes per frame (MSS)
     * @param ipv4          the IP header at the IP checksum start is IPv4 (else IPv6)
     * @param tcp           the transport at the L4 checksum start is TCP (else UDP)
     */
    record Tso(int headerLength, int mss, boolean ipv4, boolean tcp) implements Segmentation {}

    Segmentation NONE = new None();
}
