package dev.vpcie.bench;

import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.PcapTransport;
import dev.vpcie.protocol.transport.UdpTransport;
import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/** The transports the link benchmark runs over, and how each end opens one on the veth. */
enum BenchTransport {
    AF_PACKET("AF_PACKET"), PCAP("pcap4j"), UDP("UDP");

    static final int ETHERTYPE = 0x88B5;
    static final int UDP_PORT = 47_000;

    final String label;

    BenchTransport(String label) { this.label = label; }

    static BenchTransport parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown transport '" + name + "' (af_packet, pcap, udp)");
        }
    }

    String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** Opens this transport on {@code device} / {@code localIp}, talking to {@code peerIp} (UDP only). */
    FrameTransport open(String device, String localIp, String peerIp, AfPacketTransport.Options afPacket) throws IOException {
        return switch (this) {
            case AF_PACKET -> AfPacketTransport.open(device, ETHERTYPE, afPacket);
            case PCAP -> PcapTransport.open(device, ETHERTYPE);
            case UDP -> UdpTransport.open(new InetSocketAddress(localIp, UDP_PORT), new InetSocketAddress(peerIp, UDP_PORT), ETHERTYPE);
        };
    }

    /** As {@link #open} with the socket created inside {@code ns}. */
    FrameTransport openIn(NetNamespace ns, String device, String localIp, String peerIp, AfPacketTransport.Options afPacket)
            throws IOException {
        return ns.call(() -> open(device, localIp, peerIp, afPacket));
    }
}
