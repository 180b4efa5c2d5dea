package dev.vpcie.vrc.nic.packet;

import dev.vpcie.protocol.transport.MacAddress;

/**
 * An ICMP echo request or reply (RFC 792) in an IPv4 packet without options in an Ethernet II
 * frame, as {@code ping} sends it: type 8 or 0, code 0, identifier, sequence number, payload.
 */
public record IcmpEcho(boolean reply, MacAddress sourceMac, MacAddress destinationMac, Ipv4Address source,
                       Ipv4Address destination, int ttl, int identifier, int sequence, byte[] payload) implements Packet {
    public static final int TYPE_ECHO_REPLY = 0, TYPE_ECHO_REQUEST = 8;
    static final int IP_HEADER = 20, ICMP_HEADER = 8;
    /** Largest payload that still fits a standard 1500-byte MTU. */
    public static final int MAX_PAYLOAD_1500 = 1500 - IP_HEADER - ICMP_HEADER;

    public IcmpEcho {
        if (ttl < 0 || ttl > 255) throw new IllegalArgumentException("TTL must be 0..255: " + ttl);
        if ((identifier & ~0xFFFF) != 0 || (sequence & ~0xFFFF) != 0)
            throw new IllegalArgumentException("identifier and sequence are 16-bit: " + identifier + ", " + sequence);
        if (payload.length > 65535 - IP_HEADER - ICMP_HEADER) throw new IllegalArgumentException("ICMP payload too large: " + payload.length);
    }

    /** The reply a host sends back to this request (addresses swapped, same identifier, sequence and payload). */
    public IcmpEcho answer(int replyTtl) {
        return new IcmpEcho(true, destinationMac, sourceMac, destination, source, replyTtl, identifier, sequence, payload);
    }

    /** The same message from another Ethernet address. */
    public IcmpEcho withSourceMac(MacAddress mac) {
        return new IcmpEcho(reply, mac, destinationMac, source, destination, ttl, identifier, sequence, payload);
    }

    /** ICMP header plus payload, the size {@code ping} reports as "N bytes from". */
    public int icmpLength() { return ICMP_HEADER + payload.length; }

    /** The whole frame with valid IPv4 header and ICMP checksums, padded to 60 bytes. */
    public byte[] toFrame(int ipIdentification) {
        int ipLen = IP_HEADER + ICMP_HEADER + payload.length;
        byte[] f = new byte[Math.max(Packets.MIN_FRAME, Packets.ETHERNET_HEADER + ipLen)];
        Packets.writeEthernet(f, destinationMac, sourceMac, Packets.ETHERTYPE_IPV4);
        int ip = Packets.ETHERNET_HEADER;
        f[ip] = 0x45;
        Packets.put16(f, ip + 2, ipLen);
        Packets.put16(f, ip + 4, ipIdentification & 0xFFFF);
        Packets.put16(f, ip + 6, 0x4000); // don't fragment, as Linux ping sets it
        f[ip + 8] = (byte) ttl;
        f[ip + 9] = Packets.IPPROTO_ICMP;
        source.write(f, ip + 12);
        destination.write(f, ip + 16);
        Packets.put16(f, ip + 10, InternetChecksum.of(f, ip, IP_HEADER));
        int icmp = ip + IP_HEADER;
        f[icmp] = (byte) (reply ? TYPE_ECHO_REPLY : TYPE_ECHO_REQUEST);
        Packets.put16(f, icmp + 4, identifier);
        Packets.put16(f, icmp + 6, sequence);
        System.arraycopy(payload, 0, f, icmp + ICMP_HEADER, payload.length);
        Packets.put16(f, icmp + 2, InternetChecksum.of(f, icmp, ICMP_HEADER + payload.length));
        return f;
    }
}
