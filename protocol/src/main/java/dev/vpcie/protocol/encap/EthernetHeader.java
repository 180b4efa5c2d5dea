package dev.vpcie.protocol.encap;

import dev.vpcie.protocol.transport.MacAddress;

/**
 * The Ethernet II header of a received frame. {@code group} is the 802.1Q VLAN ID (0 when the
 * frame was untagged or priority-tagged with VLAN ID 0), which vpcie uses as the group ID.
 */
public record EthernetHeader(MacAddress destination, MacAddress source, boolean tagged, int group, int etherType) {}
