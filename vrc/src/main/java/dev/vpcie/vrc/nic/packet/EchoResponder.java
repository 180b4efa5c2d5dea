package dev.vpcie.vrc.nic.packet;

import dev.vpcie.protocol.transport.MacAddress;
import java.util.Optional;

/**
 * A host that answers ARP requests for its address and ICMP echo requests to it, as a
 * pure function from a received frame to the frame to send back. The built-in ping uses it to
 * answer for its own source address; tests put one on the far end of a NIC's wire.
 */
public final class EchoResponder {
    private final MacAddress mac;
    private final Ipv4Address ip;
    private final int ttl;
    private int ipId;

    public EchoResponder(MacAddress mac, Ipv4Address ip, int ttl) {
        this.mac = mac;
        this.ip = ip;
        this.ttl = ttl;
    }

    public MacAddress mac() { return mac; }

    public Ipv4Address ip() { return ip; }

    /** The reply to {@code frame}, if it is an ARP request for us or an echo request to us. */
    public Optional<byte[]> respond(byte[] frame, int length) {
        return respond(Packets.parse(frame, length));
    }

    public Optional<byte[]> respond(Packet packet) {
        return switch (packet) {
            case ArpPacket a when a.isRequest() && a.targetIp().equals(ip) -> Optional.of(ArpPacket.replyTo(a, mac).toFrame());
            case IcmpEcho e when !e.reply() && e.destination().equals(ip) && (e.destinationMac().equals(mac) || e.destinationMac().isMulticast()) ->
                    Optional.of(e.answer(ttl).withSourceMac(mac).toFrame(ipId++));
            case ArpPacket a -> Optional.empty();
            case IcmpEcho e -> Optional.empty();
            case Packet.Other o -> Optional.empty();
        };
    }
}
