package dev.vpcie.vrc.nic;

/**
 * 82576 advanced one-buffer receive descriptor, write-back format: status/error dword in bytes
 * 8-11 (DD 0x1, EOP 0x2; frame errors CE/SE/SEQ/CXE/RXE in bits 24-26, 28, 31), length in bytes
 * 12-13. The read format's header-buffer address (bytes 8-15) is 0, so an armed descriptor reads
 * as not done. Like Linux 6.1, a non-zero length means the NIC has written the descriptor (it
 * writes the whole descriptor, then sets DD; the length, EOP and errors are valid before DD).
 */
public final class AdvancedRxFormat implements RxFormat {
    static final long STATUS_DD = 0x1, STATUS_EOP = 0x2;
    /** CE | SE | SEQ | CXE | RXE, as a long: an int with bit 31 set would sign-extend into the length. */
    static final long ERR_FRAME = 0x0100_0000L | 0x0200_0000L | 0x0400_0000L | 0x1000_0000L | 0x8000_0000L;

    @Override public boolean done(long upper) { return (upper & STATUS_DD) != 0 || length(upper) != 0; }

    @Override public int length(long upper) { return (int) (upper >>> 32 & 0xFFFF); }

    @Override public boolean endOfPacket(long upper) { return (upper & STATUS_EOP) != 0; }

    @Override public boolean frameError(long upper) { return (upper & ERR_FRAME) != 0; }
}
