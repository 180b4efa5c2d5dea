/**
 * Recording the interconnect: {@link dev.vpcie.protocol.capture.PcapWriter} writes every frame a
 * {@link dev.vpcie.protocol.transport.TappedTransport} sends and receives to a pcap file (capped,
 * rotated), {@link dev.vpcie.protocol.capture.PcapReader} reads such files back. Wireshark and
 * tshark decode them with {@code tools/wireshark/vpcie.lua}.
 */
package dev.vpcie.protocol.capture;
