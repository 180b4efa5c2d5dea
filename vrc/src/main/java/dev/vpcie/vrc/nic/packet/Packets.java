package dev.vpcie.vrc.nic.packet;

import dev.vpcie.protocol.transport.MacAddress;
import java.util.Arrays;

/**
 * Builds and parses the few Ethernet frames the built-in ping needs (ARP, IPv4 ICMP echo).
 * Parsing is strict: every length and checksum is checked, and anything else comes back as
 * {@link Packet.Other} with the reason, never as an exception.
 */
public final class Packets {
    private Packets() {}

    public static final int ETHERNET_HEADER = 14, MIN_FRAME = 60;
    public static final int ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_VLAN = 0x8100, ETHERTYPE_IPV6 = 0x86DD;
    public static final byte IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17;

    /** Parses the first {@code length} bytes of {@code frame} (an Ethernet II frame without FCS). */
    public static Packet parse(byte[] frame, int length) {
        if (length < ETHERNET_HEADER) return malformed("runt frame of " + length + " bytes");
        MacAddress dst = MacAddress.of(frame, 0), src = MacAddress.of(frame, 6);
        int type = get16(frame, 12);
        return switch (type) {
            case ETHERTYPE_ARP -> parseArp(frame, length);
            case ETHERTYPE_IPV4 -> parseIpv4(frame, length, src, dst);
            default -> new Packet.Other("ethertype 0x" + Integer.toHexString(type), false);
        };
    }

    private static Packet parseArp(byte[] f, int length) {
        int o = ETHERNET_HEADER;
        if (length < o + 28) return malformed("ARP packet of " + (length - o) + " bytes, needs 28");
        if (get16(f, o) != 1 || get16(f, o + 2) != ETHERTYPE_IPV4 || f[o + 4] != 6 || f[o + 5] != 4)
            return new Packet.Other("ARP for hardware " + get16(f, o) + " protocol 0x" + Integer.toHexString(get16(f, o + 2)), false);
        int op = get16(f, o + 6);
        if (op != ArpPacket.REQUEST && op != ArpPacket.REPLY) return new Packet.Other("ARP operation " + op, false);
        return new ArpPacket(op, MacAddress.of(f, o + 8), Ipv4Address.read(f, o + 14), MacAddress.of(f, o + 18), Ipv4Address.read(f, o + 24));
    }

    private static Packet parseIpv4(byte[] f, int length, MacAddress src, MacAddress dst) {
        int ip = ETHERNET_HEADER;
        if (length < ip + 20) return malformed("IPv4 packet of " + (length - ip) + " bytes, shorter than its header");
        int version = (f[ip] & 0xFF) >>> 4, ihl = (f[ip] & 0xF) * 4;
        if (version != 4) return malformed("IP version " + version + " in an IPv4 frame");
        if (ihl < 20 || length < ip + ihl) return malformed("IPv4 header length " + ihl);
        int totalLength = get16(f, ip + 2);
        if (totalLength < ihl || ip + totalLength > length) return malformed("IPv4 total length " + totalLength + " in a frame of " + length + " bytes");
        if (!InternetChecksum.verifies(f, ip, ihl)) return malformed("IPv4 header checksum does not verify");
        if ((get16(f, ip + 6) & 0x3FFF) != 0) return new Packet.Other("IPv4 fragment", false);
        if (f[ip + 9] != IPPROTO_ICMP) return new Packet.Other("IP protocol " + (f[ip + 9] & 0xFF), false);
        int icmp = ip + ihl, icmpLen = totalLength - ihl;
        if (icmpLen < IcmpEcho.ICMP_HEADER) return malformed("ICMP message of " + icmpLen + " bytes");
        if (!InternetChecksum.verifies(f, icmp, icmpLen)) return malformed("ICMP checksum does not verify");
        int type = f[icmp] & 0xFF;
        if ((type != IcmpEcho.TYPE_ECHO_REPLY && type != IcmpEcho.TYPE_ECHO_REQUEST) || f[icmp + 1] != 0)
            return new Packet.Other("ICMP type " + type + " code " + (f[icmp + 1] & 0xFF), false);
        return new IcmpEcho(type == IcmpEcho.TYPE_ECHO_REPLY, src, dst, Ipv4Address.read(f, ip + 12), Ipv4Address.read(f, ip + 16),
                f[ip + 8] & 0xFF, get16(f, icmp + 4), get16(f, icmp + 6),
                Arrays.copyOfRange(f, icmp + IcmpEcho.ICMP_HEADER, icmp + icmpLen));
    }

    private static Packet malformed(String why) { return new Packet.Other(why, true); }

    static void writeEthernet(byte[] f, MacAddress dst, MacAddress src, int type) {
        dst.write(f, 0);
        src.write(f, 6);
        put16(f, 12, type);
    }

    public static int get16(byte[] b, int off) { return (b[off] & 0xFF) << 8 | b[off + 1] & 0xFF; }

    public static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }
}
