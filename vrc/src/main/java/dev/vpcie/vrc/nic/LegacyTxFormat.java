package dev.vpcie.vrc.nic;

import java.lang.foreign.MemorySegment;

/**
 * 8254x transmit descriptors (82540EM datasheet, section 3.3): the legacy descriptor for plain
 * frames, and the TCP/IP context descriptor plus extended data descriptors for checksum
 * insertion and TSO, as the Linux e1000 driver uses them.
 */
public final class LegacyTxFormat implements TxFormat {
    // Legacy descriptor, CMD byte (bits 31:24 of the dword at byte 8).
    static final int CMD_EOP = 0x01, CMD_IFCS = 0x02, CMD_RS = 0x08, CMD_DEXT = 0x20;
    /** STA byte at offset 12. */
    static final int STA_DD = 0x01;
    // Context and data descriptor command/length dword (byte 8).
    static final int TUCMD_TCP = 0x0100_0000, TUCMD_IP = 0x0200_0000, TUCMD_TSE = 0x0400_0000, DCMD_RS = 0x0800_0000,
            DCMD_EOP = 0x0100_0000, DCMD_IFCS = 0x0200_0000, DCMD_TSE = 0x0400_0000, DEXT = 0x2000_0000;
    static final int DTYP_DATA = 0x0010_0000;
    /** POPTS (byte 13 of a data descriptor). */
    static final int POPTS_IXSM = 0x01, POPTS_TXSM = 0x02;
    /** Offset of the IPv4 header checksum in the IP header. */
    private static final int IPV4_CHECKSUM = 10;

    @Override public boolean needsContext(TxOffload offload) {
        return !(offload instanceof TxOffload.None);
    }

    @Override public void writeContext(MemorySegment ring, long offset, TxOffload offload, int frameLength) {
        long ipFields = 0, tuFields, cmdLen, seg = 0;
        switch (offload) {
            case TxOffload.None n -> throw new IllegalArgumentException("no context for a plain frame");
            case TxOffload.Checksum c -> {
                if (c.ipHeaderChecksum()) ipFields = ipFields(c.ipOffset(), c.l4Offset());
                tuFields = c.l4Offset() | (long) (c.l4Offset() + c.l4().checksumOffset) << 8;
                cmdLen = DEXT | (c.l4() == TxOffload.L4.TCP ? TUCMD_TCP : 0) | (c.ipHeaderChecksum() ? TUCMD_IP : 0);
            }
            case TxOffload.Segmentation s -> {
                if (s.ipv4()) ipFields = ipFields(s.ipOffset(), s.l4Offset());
                else ipFields = s.ipOffset(); // IPCSS only: IPv6 has no header checksum
                tuFields = s.l4Offset() | (long) (s.l4Offset() + TxOffload.L4.TCP.checksumOffset) << 8;
                int payload = frameLength - s.headerLength();
                cmdLen = DEXT | TUCMD_TSE | TUCMD_TCP | (s.ipv4() ? TUCMD_IP : 0) | payload & 0xF_FFFF;
                seg = (long) s.headerLength() << 8 | (long) s.mss() << 16; // STA 0, HDRLEN, MSS
            }
        }
        Descriptors.put(ring, offset, ipFields | tuFields << 32, (cmdLen & 0xFFFF_FFFFL) | seg << 32);
    }

    private static long ipFields(int ipOffset, int l4Offset) {
        return ipOffset | (long) (ipOffset + IPV4_CHECKSUM) << 8 | (long) (l4Offset - 1) << 16;
    }

    @Override public void writeData(MemorySegment ring, long offset, long buffer, int length, TxOffload offload, int frameLength,
                                    boolean first, boolean last) {
        long low, high;
        switch (offload) {
            case TxOffload.None n -> {
                int cmd = CMD_IFCS | (last ? CMD_EOP | CMD_RS : 0);
                low = length & 0xFFFF | (long) cmd << 24;
                high = 0; // STA, CSS, special
            }
            case TxOffload.Checksum c -> {
                low = length | DTYP_DATA | DEXT | DCMD_IFCS | (last ? DCMD_EOP | DCMD_RS : 0);
                high = (long) (POPTS_TXSM | (c.ipHeaderChecksum() ? POPTS_IXSM : 0)) << 8;
            }
            case TxOffload.Segmentation s -> {
                low = length | DTYP_DATA | DEXT | DCMD_IFCS | DCMD_TSE | (last ? DCMD_EOP | DCMD_RS : 0);
                high = (long) (POPTS_TXSM | (s.ipv4() ? POPTS_IXSM : 0)) << 8;
            }
        }
        Descriptors.put(ring, offset, buffer, (low & 0xFFFF_FFFFL) | high << 32);
    }

    @Override public boolean done(MemorySegment ring, long offset) {
        return (Descriptors.upperAcquire(ring, offset) >>> 32 & STA_DD) != 0;
    }
}
