package dev.vpcie.vrc.nic;

import java.lang.foreign.MemorySegment;

/**
 * 82575/82576 advanced transmit descriptors (82576 datasheet, section 7.2.2): the advanced
 * context descriptor carries MACLEN/IPLEN/L4 type/MSS, the advanced data descriptor the
 * command, PAYLEN and POPTS, as the Linux igb driver writes them. Context slot (IDX) 0 is used.
 */
public final class AdvancedTxFormat implements TxFormat {
    static final int DTYP_CTXT = 0x0020_0000, DTYP_DATA = 0x0030_0000;
    static final int DCMD_EOP = 0x0100_0000, DCMD_IFCS = 0x0200_0000, DCMD_RS = 0x0800_0000, DCMD_DEXT = 0x2000_0000,
            DCMD_TSE = 0x8000_0000;
    static final int TUCMD_IPV4 = 0x400, TUCMD_L4T_TCP = 0x800;
    static final int POPTS_IXSM = 0x100, POPTS_TXSM = 0x200;
    static final int PAYLEN_SHIFT = 14, MACLEN_SHIFT = 9, L4LEN_SHIFT = 8, MSS_SHIFT = 16;
    /** DD in the write-back status dword at byte 12. */
    static final int STA_DD = 0x1;

    @Override public boolean needsContext(TxOffload offload) {
        return !(offload instanceof TxOffload.None);
    }

    @Override public void writeContext(MemorySegment ring, long offset, TxOffload offload, int frameLength) {
        int macIpLens, tucmd, mssL4len;
        switch (offload) {
            case TxOffload.None n -> throw new IllegalArgumentException("no context for a plain frame");
            case TxOffload.Checksum c -> {
                macIpLens = c.l4Offset() - c.ipOffset() | c.ipOffset() << MACLEN_SHIFT;
                tucmd = DTYP_CTXT | DCMD_DEXT | (c.ipv4() ? TUCMD_IPV4 : 0) | (c.l4() == TxOffload.L4.TCP ? TUCMD_L4T_TCP : 0);
                mssL4len = 0;
            }
            case TxOffload.Segmentation s -> {
                macIpLens = s.l4Offset() - s.ipOffset() | s.ipOffset() << MACLEN_SHIFT;
                tucmd = DTYP_CTXT | DCMD_DEXT | (s.ipv4() ? TUCMD_IPV4 : 0) | TUCMD_L4T_TCP;
                mssL4len = s.mss() << MSS_SHIFT | s.l4HeaderLength() << L4LEN_SHIFT;
            }
        }
        Descriptors.put(ring, offset, macIpLens & 0xFFFF_FFFFL, (tucmd & 0xFFFF_FFFFL) | (mssL4len & 0xFFFF_FFFFL) << 32);
    }

    @Override public void writeData(MemorySegment ring, long offset, long buffer, int length, TxOffload offload, int frameLength,
                                    boolean first, boolean last) {
        int cmd = DTYP_DATA | DCMD_DEXT | DCMD_IFCS | length | (last ? DCMD_EOP | DCMD_RS : 0);
        int olinfo = 0;
        switch (offload) {
            case TxOffload.None n -> olinfo = frameLength << PAYLEN_SHIFT;
            case TxOffload.Checksum c -> olinfo = frameLength << PAYLEN_SHIFT | POPTS_TXSM | (c.ipHeaderChecksum() ? POPTS_IXSM : 0);
            case TxOffload.Segmentation s -> {
                cmd |= DCMD_TSE;
                olinfo = (frameLength - s.headerLength()) << PAYLEN_SHIFT | POPTS_TXSM | (s.ipv4() ? POPTS_IXSM : 0);
            }
        }
        // The first descriptor's olinfo describes the whole frame; the others carry none.
        Descriptors.put(ring, offset, buffer, (cmd & 0xFFFF_FFFFL) | (first ? olinfo & 0xFFFF_FFFFL : 0) << 32);
    }

    @Override public boolean done(MemorySegment ring, long offset) {
        return (Descriptors.upperAcquire(ring, offset) >>> 32 & STA_DD) != 0;
    }
}
