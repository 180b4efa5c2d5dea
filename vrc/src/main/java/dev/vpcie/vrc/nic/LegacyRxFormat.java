package dev.vpcie.vrc.nic;

/**
 * 8254x legacy receive descriptor: length in bytes 8-9, status in byte 12 (DD 0x01, EOP 0x02),
 * errors in byte 13 (CE 0x01, SE 0x02, SEQ 0x04, CXE 0x10, TCPE 0x20, IPE 0x40, RXE 0x80); checksum
 * status IXSM 0x04, UDPCS 0x10 (82576 only), TCPCS 0x20.
 */
public final class LegacyRxFormat implements RxFormat {
    static final int STATUS_DD = 0x01, STATUS_EOP = 0x02, STATUS_IXSM = 0x04, STATUS_UDPCS = 0x10, STATUS_TCPCS = 0x20;
    static final int ERR_TCPE = 0x20, ERR_IPE = 0x40;
    /** CE|SE|SEQ|CXE|RXE: the e1000 driver's E1000_RXD_ERR_FRAME_ERR_MASK; TCPE/IPE only void the checksum. */
    static final int ERR_FRAME = 0x01 | 0x02 | 0x04 | 0x10 | 0x80;

    @Override public boolean done(long upper) { return (status(upper) & STATUS_DD) != 0; }

    @Override public int length(long upper) { return (int) (upper & 0xFFFF); }

    @Override public boolean endOfPacket(long upper) { return (status(upper) & STATUS_EOP) != 0; }

    @Override public boolean frameError(long upper) { return (upper >>> 40 & ERR_FRAME) != 0; }

    @Override public boolean l4ChecksumGood(long upper) {
        int status = status(upper);
        return (status & STATUS_IXSM) == 0 && (status & (STATUS_TCPCS | STATUS_UDPCS)) != 0 && (upper >>> 40 & (ERR_TCPE | ERR_IPE)) == 0;
    }

    private static int status(long upper) { return (int) (upper >>> 32 & 0xFF); }
}
