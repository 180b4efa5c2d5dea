package dev.vpcie.protocol.nettlp;

import dev.vpcie.protocol.tlp.Tlp;

/**
 * One decoded NetTLP datagram: the header's sequence number (16 bits) and timestamp (32 bits) as
 * they arrived (libtlp sends zeros; the hardware adapter fills a 10-bit sequence and a 4 ns
 * timestamp) and the TLP it carries.
 */
public record NetTlpDatagram(int sequence, long timestamp, Tlp tlp) {
    public NetTlpDatagram {
        if ((sequence & ~0xFFFF) != 0) throw new IllegalArgumentException("sequence is 16 bits: " + sequence);
        if ((timestamp & ~0xFFFF_FFFFL) != 0) throw new IllegalArgumentException("timestamp is 32 bits: " + timestamp);
    }
}
