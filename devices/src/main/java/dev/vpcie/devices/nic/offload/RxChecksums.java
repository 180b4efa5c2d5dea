package dev.vpcie.devices.nic.offload;

import static dev.vpcie.devices.nic.EthernetFrames.u16;

/**
 * Receive checksum checking (RXCSUM's IP and TCP/UDP offload): the IPv4 header checksum and the
 * TCP or UDP checksum with its pseudo-header. The 82540EM checks IPv4 only; the 82576 also IPv6.
 *
 * @param ipv4Header the IPv4 header checksum
 * @param l4         the TCP or UDP checksum
 * @param udp        the transport is UDP (the 82576 reports UDP separately)
 */
public record RxChecksums(ChecksumCheck ipv4Header, ChecksumCheck l4, boolean udp) {
    private static final RxChecksums NONE = new RxChecksums(ChecksumCheck.NOT_CHECKED, ChecksumCheck.NOT_CHECKED, false);

    /** Checks the frame whose layout is {@code p}; IPv6 transports only if {@code ipv6}. */
    public static RxChecksums check(byte[] frame, PacketLayout p, boolean ipv6) { return status(frame, p, ipv6, true); }

    /**
     * What {@link #check} reports for a frame whose checksums were computed on its way here (so
     * they are right by construction), without summing it: the same fields checked, each good.
     */
    public static RxChecksums computed(byte[] frame, PacketLayout p, boolean ipv6) { return status(frame, p, ipv6, false); }

    private static RxChecksums status(byte[] frame, PacketLayout p, boolean ipv6, boolean sum) {
        return switch (p.l3()) {
            case IPV4 -> {
                int ihl = (frame[p.l3Offset()] & 0x0F) * 4;
                boolean good = !sum || InternetChecksum.verifies(InternetChecksum.add(0, frame, p.l3Offset(), ihl));
                yield new RxChecksums(good ? ChecksumCheck.GOOD : ChecksumCheck.BAD, transport(frame, p, sum), p.isUdp());
            }
            case IPV6 -> ipv6 ? new RxChecksums(ChecksumCheck.NOT_CHECKED, transport(frame, p, sum), p.isUdp()) : NONE;
            case OTHER -> NONE;
        };
    }

    /** The TCP/UDP checksum's status; summed only if {@code sum}, else (computed on the way here) good when checked at all. */
    private static ChecksumCheck transport(byte[] f, PacketLayout p, boolean sum) {
        if (p.fragment() || !(p.isTcp() || p.isUdp())) return ChecksumCheck.NOT_CHECKED;
        int minHeader = p.isTcp() ? 20 : 8;
        if (p.l4Length() < minHeader) return ChecksumCheck.BAD;
        if (p.isUdp() && p.l3() == L3Protocol.IPV4 && u16(f, p.l4Offset() + 6) == 0) return ChecksumCheck.NOT_CHECKED;
        if (!sum) return ChecksumCheck.GOOD;
        long total = InternetChecksum.add(pseudoHeader(f, p, p.l4Length()), f, p.l4Offset(), p.l4Length());
        return InternetChecksum.verifies(total) ? ChecksumCheck.GOOD : ChecksumCheck.BAD;
    }

    /** The unfolded sum of the TCP/UDP pseudo-header for a transport of {@code l4Length} bytes. */
    public static long pseudoHeader(byte[] f, PacketLayout p, int l4Length) {
        int l3 = p.l3Offset();
        return switch (p.l3()) {
            case IPV4 -> InternetChecksum.add(0, f, l3 + 12, 8) + p.l4Protocol() + l4Length;
            case IPV6 -> InternetChecksum.add(0, f, l3 + 8, 32) + p.l4Protocol() + (l4Length >>> 16) + (l4Length & 0xFFFF);
            case OTHER -> throw new IllegalArgumentException("no pseudo-header without IP");
        };
    }
}
