package dev.vpcie.vrc.nic.packet;

import dev.vpcie.protocol.transport.MacAddress;

/**
 * An ARP packet for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, lengths 6
 * and 4. {@code operation} is {@link #REQUEST} or {@link #REPLY}.
 */
public record ArpPacket(int operation, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac,
                        Ipv4Address targetIp) implements Packet {
    public static final int REQUEST = 1, REPLY = 2;
    /** Ethernet header plus the 28-byte ARP body. */
    static final int LENGTH = Packets.ETHERNET_HEADER + 28;

    public ArpPacket {
        if (operation != REQUEST && operation != REPLY) throw new IllegalArgumentException("ARP operation must be 1 or 2: " + operation);
    }

    /** A who-has request, broadcast. */
    public static ArpPacket request(MacAddress senderMac, Ipv4Address senderIp, Ipv4Address targetIp) {
        return new ArpPacket(REQUEST, senderMac, senderIp, new MacAddress(0), targetIp);
    }

    /** The reply that answers {@code request} on behalf of {@code ourMac}. */
    public static ArpPacket replyTo(ArpPacket request, MacAddress ourMac) {
        return new ArpPacket(REPLY, ourMac, request.targetIp(), request.senderMac(), request.senderIp());
    }

    public boolean isRequest() { return operation == REQUEST; }

    /** The whole Ethernet frame, padded to the 60-byte minimum: requests broadcast, replies unicast. */
    public byte[] toFrame() {
        byte[] f = new byte[Packets.MIN_FRAME];
        MacAddress dst = isRequest() ? MacAddress.BROADCAST : targetMac;
        Packets.writeEthernet(f, dst, senderMac, Packets.ETHERTYPE_ARP);
        int o = Packets.ETHERNET_HEADER;
        Packets.put16(f, o, 1);          // hardware type: Ethernet
        Packets.put16(f, o + 2, Packets.ETHERTYPE_IPV4);
        f[o + 4] = 6;
        f[o + 5] = 4;
        Packets.put16(f, o + 6, operation);
        senderMac.write(f, o + 8);
        senderIp.write(f, o + 14);
        targetMac.write(f, o + 18);
        targetIp.write(f, o + 24);
        return f;
    }
}
