package dev.vpcie.protocol.transport;

/**
 * What the kernel left undone in a received frame, from the {@code struct virtio_net_hdr} an
 * AF_PACKET socket with {@code PACKET_VNET_HDR} reads before it. Frames the local stack sent
 * through a veth (or a GRO-merged burst from a real adapter) reach a packet socket as the stack
 * made them: with the transport checksum left for "hardware" to fill in, or as one super-frame to
 * be cut into segments. A consumer that forwards them onto another wire (an emulated NIC's) must
 * finish that work first, as the kernel would before a NIC without offloads.
 *
 * <p>Offsets count from the first byte of the frame as delivered (a VLAN tag the transport put
 * back in line is included).
 *
 * @param flags          {@link #NEEDS_CSUM}, {@link #DATA_VALID}
 * @param gsoType        {@link #GSO_NONE}, {@link #GSO_TCPV4}, {@link #GSO_UDP}, {@link #GSO_TCPV6}, {@link #GSO_UDP_L4},
 *                       possibly with {@link #GSO_ECN}
 * @param headerLength   bytes of headers in front of the payload (a hint for GSO)
 * @param gsoSize        payload bytes per segment (the MSS) for GSO
 * @param checksumStart  where the summing starts, with {@link #NEEDS_CSUM}
 * @param checksumOffset where the result goes, counted from {@code checksumStart}
 */
public record ReceiveOffload(int flags, int gsoType, int headerLength, int gsoSize, int checksumStart, int checksumOffset) {
    public static final int NEEDS_CSUM = 1, DATA_VALID = 2;
    public static final int GSO_NONE = 0, GSO_TCPV4 = 1, GSO_UDP = 3, GSO_TCPV6 = 4, GSO_UDP_L4 = 5, GSO_ECN = 0x80;

    /** A frame that is complete as it is. */
    public static final ReceiveOffload NONE = new ReceiveOffload(0, GSO_NONE, 0, 0, 0, 0);

    /** Whether the transport checksum still has to be computed (it holds the pseudo-header sum). */
    public boolean needsChecksum() { return (flags & NEEDS_CSUM) != 0; }

    /** The segmentation asked for, without the ECN bit. */
    public int gso() { return gsoType & ~GSO_ECN; }

    /** Whether the frame is a super-frame to be cut into segments of {@link #gsoSize} payload bytes. */
    public boolean segmented() { return gso() != GSO_NONE; }

    /** Whether nothing is left to do. */
    public boolean complete() { return !needsChecksum() && !segmented(); }

    /** The same, with the offsets moved by {@code bytes} (a VLAN tag put back in front of the IP header). */
    ReceiveOffload shifted(int bytes) {
        return new ReceiveOffload(flags, gsoType, headerLength == 0 ? 0 : headerLength + bytes, gsoSize,
                needsChecksum() ? checksumStart + bytes : checksumStart, checksumOffset);
    }
}
