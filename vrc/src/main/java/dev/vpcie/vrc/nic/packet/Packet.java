package dev.vpcie.vrc.nic.packet;

/**
 * What {@link Packets#parse} made of one received Ethernet frame: the two kinds the built-in
 * ping speaks, or a note saying why the frame is of no interest or is malformed.
 */
public sealed interface Packet permits ArpPacket, IcmpEcho, Packet.Other {

    /** A frame that is not ARP or an ICMP echo, or does not parse; {@code reason} says which. */
    record Other(String reason, boolean malformed) implements Packet {}
}
