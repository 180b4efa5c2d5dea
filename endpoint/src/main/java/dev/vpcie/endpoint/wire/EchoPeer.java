package dev.vpcie.endpoint.wire;

import static dev.vpcie.devices.nic.EthernetFrames.putU16;
import static dev.vpcie.devices.nic.EthernetFrames.u16;

import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.offload.InternetChecksum;
import java.net.Inet4Address;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The smallest host that answers {@code ping}: it replies to ARP requests for its IPv4 address
 * (RFC 826) and to ICMP echo requests addressed to it (RFC 792), and ignores everything else.
 * Pure: a frame in, the reply out.
 *
 * @param mac     its Ethernet address
 * @param address its IPv4 address
 */
public record EchoPeer(MacAddress mac, Inet4Address address) {
    private static final int ARP_HTYPE_ETHERNET = 1, ARP_REQUEST = 1, ARP_REPLY = 2, ARP_LENGTH = 28;
    private static final int ARP_OPER = 6, ARP_SHA = 8, ARP_SPA = 14, ARP_THA = 18, ARP_TPA = 24;
    private static final int IP_TOTAL_LENGTH = 2, IP_FLAGS_FRAGMENT = 6, IP_TTL = 8, IP_PROTOCOL = 9, IP_CHECKSUM = 10, IP_SOURCE = 12,
            IP_DESTINATION = 16;
    private static final int PROTO_ICMP = 1, ICMP_ECHO_REPLY = 0, ICMP_ECHO_REQUEST = 8, ICMP_CHECKSUM = 2;
    private static final int REPLY_TTL = 64;
    private static final int MORE_FRAGMENTS_AND_OFFSET = 0x3FFF;

    public EchoPeer {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(address, "address");
        if (!mac.isValidUnicast()) throw new IllegalArgumentException("the echo peer needs a unicast MAC address: " + mac);
    }

    /** The reply to {@code frame[0..length)}, if it is an ARP request or an echo request for this peer. */
    public Optional<byte[]> answer(byte[] frame, int length) {
        if (length < EthernetFrames.HEADER_LENGTH) return Optional.empty();
        return switch (EthernetFrames.etherType(frame)) {
            case EthernetFrames.ETHERTYPE_ARP -> arp(frame, length);
            case EthernetFrames.ETHERTYPE_IPV4 -> echo(frame, length);
            default -> Optional.empty();
        };
    }

    private Optional<byte[]> arp(byte[] f, int length) {
        int a = EthernetFrames.HEADER_LENGTH;
        if (length < a + ARP_LENGTH || u16(f, a) != ARP_HTYPE_ETHERNET || u16(f, a + 2) != EthernetFrames.ETHERTYPE_IPV4
                || f[a + 4] != 6 || f[a + 5] != 4 || u16(f, a + ARP_OPER) != ARP_REQUEST || !isMine(f, a + ARP_TPA))
            return Optional.empty();
        byte[] r = new byte[EthernetFrames.MIN_FRAME];
        System.arraycopy(f, a + ARP_SHA, r, EthernetFrames.DESTINATION, 6);
        mac.write(r, EthernetFrames.SOURCE);
        putU16(r, EthernetFrames.ETHER_TYPE, EthernetFrames.ETHERTYPE_ARP);
        System.arraycopy(f, a, r, a, ARP_OPER); // hardware and protocol types and lengths
        putU16(r, a + ARP_OPER, ARP_REPLY);
        mac.write(r, a + ARP_SHA);
        System.arraycopy(address.getAddress(), 0, r, a + ARP_SPA, 4);
        System.arraycopy(f, a + ARP_SHA, r, a + ARP_THA, 10); // the asker's MAC and IPv4 address
        return Optional.of(r);
    }

    private Optional<byte[]> echo(byte[] f, int length) {
        int ip = EthernetFrames.HEADER_LENGTH;
        if (length < ip + 20 || (f[ip] & 0xF0) != 0x40 || MacAddress.of(f, EthernetFrames.DESTINATION).value() != mac.value()) return Optional.empty();
        int ihl = 4 * (f[ip] & 0x0F);
        int total = u16(f, ip + IP_TOTAL_LENGTH);
        if (ihl < 20 || total < ihl + 8 || ip + total > length || (f[ip + IP_PROTOCOL] & 0xFF) != PROTO_ICMP
                || (u16(f, ip + IP_FLAGS_FRAGMENT) & MORE_FRAGMENTS_AND_OFFSET) != 0 || !isMine(f, ip + IP_DESTINATION)
                || InternetChecksum.fold(InternetChecksum.add(0, f, ip, ihl)) != 0xFFFF)
            return Optional.empty();
        int icmp = ip + ihl;
        if ((f[icmp] & 0xFF) != ICMP_ECHO_REQUEST || f[icmp + 1] != 0) return Optional.empty();
        byte[] r = Arrays.copyOf(f, Math.max(ip + total, EthernetFrames.MIN_FRAME));
        Arrays.fill(r, ip + total, r.length, (byte) 0);
        System.arraycopy(f, EthernetFrames.SOURCE, r, EthernetFrames.DESTINATION, 6);
        mac.write(r, EthernetFrames.SOURCE);
        System.arraycopy(f, ip + IP_SOURCE, r, ip + IP_DESTINATION, 4);
        System.arraycopy(address.getAddress(), 0, r, ip + IP_SOURCE, 4);
        r[ip + IP_TTL] = (byte) REPLY_TTL;
        putU16(r, ip + IP_CHECKSUM, 0);
        putU16(r, ip + IP_CHECKSUM, InternetChecksum.checksum(r, ip, ihl));
        r[icmp] = ICMP_ECHO_REPLY;
        putU16(r, icmp + ICMP_CHECKSUM, 0);
        putU16(r, icmp + ICMP_CHECKSUM, InternetChecksum.checksum(r, icmp, total - ihl));
        return Optional.of(r);
    }

    private boolean isMine(byte[] f, int at) {
        byte[] mine = address.getAddress();
        return f[at] == mine[0] && f[at + 1] == mine[1] && f[at + 2] == mine[2] && f[at + 3] == mine[3];
    }
}
