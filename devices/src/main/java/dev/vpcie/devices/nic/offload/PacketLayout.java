package dev.vpcie.devices.nic.offload;

import static dev.vpcie.devices.nic.EthernetFrames.u16;

import dev.vpcie.devices.nic.EthernetFrames;

/**
 * Where a frame's headers are: the result of parsing Ethernet (with at most two VLAN tags), IPv4
 * or IPv6 (with its extension headers), up to the transport header. Receive checksum checks, RSS
 * and tests use it; transmit offloads do not, since the driver gives the offsets.
 *
 * @param l3Offset     first byte of the IP header (or of the payload for {@link L3Protocol#OTHER})
 * @param l3           the network protocol
 * @param l4Offset     first byte of the transport header, or -1 (not IP, or a non-first fragment)
 * @param l4Protocol   IP protocol / next header of the transport (6 TCP, 17 UDP), or -1
 * @param l4Length     bytes from {@code l4Offset} to the end of the IP payload (not frame padding)
 * @param fragment     an IP fragment: the transport checksum cannot be checked on this frame
 */
public record PacketLayout(int l3Offset, L3Protocol l3, int l4Offset, int l4Protocol, int l4Length, boolean fragment) {
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    static final int IPV4_MIN_HEADER = 20;
    static final int IPV6_HEADER = 40;
    private static final int TPID_QINQ = 0x88A8;

    /** Whether the transport header is TCP (and present in this frame). */
    public boolean isTcp() { return l4Offset >= 0 && l4Protocol == PROTO_TCP; }

    /** Whether the transport header is UDP (and present in this frame). */
    public boolean isUdp() { return l4Offset >= 0 && l4Protocol == PROTO_UDP; }

    /** Parses {@code frame[0..length)}; never throws: what does not parse is {@link L3Protocol#OTHER} or has no L4. */
    public static PacketLayout parse(byte[] frame, int length) {
        int at = EthernetFrames.ETHER_TYPE;
        if (length < EthernetFrames.HEADER_LENGTH) return other(length);
        int type = u16(frame, at);
        for (int tags = 0; tags < 2 && (type == EthernetFrames.TPID_8021Q || type == TPID_QINQ); tags++) {
            at += EthernetFrames.VLAN_TAG_LENGTH;
            if (at + 2 > length) return other(length);
            type = u16(frame, at);
        }
        int l3 = at + 2;
        return switch (type) {
            case EthernetFrames.ETHERTYPE_IPV4 -> parseIpv4(frame, length, l3);
            case EthernetFrames.ETHERTYPE_IPV6 -> parseIpv6(frame, length, l3);
            default -> new PacketLayout(l3, L3Protocol.OTHER, -1, -1, 0, false);
        };
    }

    private static PacketLayout other(int length) {
        return new PacketLayout(Math.min(length, EthernetFrames.HEADER_LENGTH), L3Protocol.OTHER, -1, -1, 0, false);
    }

    private static PacketLayout parseIpv4(byte[] f, int length, int l3) {
        if (l3 + IPV4_MIN_HEADER > length || (f[l3] & 0xF0) != 0x40) return new PacketLayout(l3, L3Protocol.OTHER, -1, -1, 0, false);
        int ihl = (f[l3] & 0x0F) * 4;
        int total = u16(f, l3 + 2);
        if (ihl < IPV4_MIN_HEADER || total < ihl || l3 + total > length)
            return new PacketLayout(l3, L3Protocol.IPV4, -1, -1, 0, false);
        int fragField = u16(f, l3 + 6);
        boolean more = (fragField & 0x2000) != 0;
        int fragOffset = fragField & 0x1FFF;
        int proto = f[l3 + 9] & 0xFF;
        if (fragOffset != 0) return new PacketLayout(l3, L3Protocol.IPV4, -1, proto, 0, true);
        return new PacketLayout(l3, L3Protocol.IPV4, l3 + ihl, proto, total - ihl, more);
    }

    private static PacketLayout parseIpv6(byte[] f, int length, int l3) {
        if (l3 + IPV6_HEADER > length || (f[l3] & 0xF0) != 0x60) return new PacketLayout(l3, L3Protocol.OTHER, -1, -1, 0, false);
        int end = l3 + IPV6_HEADER + u16(f, l3 + 4);
        if (end > length) return new PacketLayout(l3, L3Protocol.IPV6, -1, -1, 0, false);
        int next = f[l3 + 6] & 0xFF;
        int at = l3 + IPV6_HEADER;
        boolean fragment = false;
        for (int hops = 0; hops < 8; hops++) {
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop, routing, destination options: (len + 1) * 8 bytes
                    if (at + 8 > end) return new PacketLayout(l3, L3Protocol.IPV6, -1, -1, 0, false);
                    int len = ((f[at + 1] & 0xFF) + 1) * 8;
                    next = f[at] & 0xFF;
                    at += len;
                }
                case 44 -> { // fragment header, 8 bytes
                    if (at + 8 > end) return new PacketLayout(l3, L3Protocol.IPV6, -1, -1, 0, false);
                    int offsetAndFlags = u16(f, at + 2);
                    fragment = true;
                    next = f[at] & 0xFF;
                    at += 8;
                    if ((offsetAndFlags & 0xFFF8) != 0) return new PacketLayout(l3, L3Protocol.IPV6, -1, next, 0, true);
                }
                default -> {
                    if (at > end) return new PacketLayout(l3, L3Protocol.IPV6, -1, -1, 0, false);
                    return new PacketLayout(l3, L3Protocol.IPV6, at, next, end - at, fragment);
                }
            }
        }
        return new PacketLayout(l3, L3Protocol.IPV6, -1, -1, 0, false);
    }
}
