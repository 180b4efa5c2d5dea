package dev.vpcie.vrc.nic;

/**
 * 82576 advanced one-buffer receive descriptor, write-back format: status/error dword in bytes
 * 8-11 (DD 0x1, EOP 0x2, UDPCS 0x10, L4I 0x20; frame errors CE/SE/SEQ/CXE/RXE in bits 24-26, 28, 31,
 * checksum errors L4E 29 and IPE 30), length in bytes
 * 12-13. The read format's header-buffer address (bytes 8-15) is 0, so an armed descriptor reads
 * as not done. Linux 6.1 takes a non-zero length as completion; here a descriptor is done only
 * once DD is set, as the datasheet says: a NIC may write the descriptor back in two steps (the
 * 82576 model writes everything with DD clear, then DD), and DD is the one written last.
 */
public final class AdvancedRxFormat implements RxFormat {
    static final int STATUS_DD = 0x1, STATUS_EOP = 0x2, STATUS_UDPCS = 0x10, STATUS_L4I = 0x20;
    /** L4E and IPE: the TCP/UDP or the IPv4 header checksum was wrong. */
    static final long ERR_CHECKSUM = 0x2000_0000L | 0x4000_0000L;
    /** A long: as an int, RXE (bit 31) would sign-extend over the length in the upper half and flag every frame. */
    static final long ERR_FRAME = 0x0100_0000L | 0x0200_0000L | 0x0400_0000L | 0x1000_0000L | 0x8000_0000L;

    @Override public boolean done(long upper) { return (upper & STATUS_DD) != 0; }

    @Override public int length(long upper) { return (int) (upper >>> 32 & 0xFFFF); }

    @Override public boolean endOfPacket(long upper) { return (upper & STATUS_EOP) != 0; }

    @Override public boolean frameError(long upper) { return (upper & ERR_FRAME) != 0; }

    @Override public boolean l4ChecksumGood(long upper) { return (upper & (STATUS_L4I | STATUS_UDPCS)) != 0 && (upper & ERR_CHECKSUM) == 0; }
}
