package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.LegacyTxDescriptor;
import dev.vpcie.devices.nic.TxBufferDescriptor;
import dev.vpcie.devices.spi.DmaPort;

/**
 * The 82576's transmit descriptor formats, decoded from their 16 bytes. Dword 2 bit 29 (DEXT)
 * selects the advanced formats, whose type is DTYP (dword 2 bits 23:20): 0010 context, 0011 data.
 * Bit 27 of dword 2 is RS in every format: report status (write DD back).
 */
sealed interface TxDescriptor extends TxBufferDescriptor {
    int DEXT = 1 << 29;
    int DTYP_MASK = 0xF << 20;
    int DTYP_CONTEXT = 0x2 << 20;
    int DTYP_DATA = 0x3 << 20;
    /** DCMD bits of dword 2 (cmd_type_len). */
    int DCMD_EOP = 1 << 24;
    int DCMD_IFCS = 1 << 25;
    int DCMD_RS = 1 << 27;
    int DCMD_VLE = 1 << 30;
    int DCMD_TSE = 1 << 31;
    /** olinfo_status POPTS. */
    int POPTS_IXSM = 1 << 8;
    int POPTS_TXSM = 1 << 9;
    int STAT_DD = 1;

    /** Whether software asked for DD to be written back. */
    boolean reportStatus();

    /** Dword 3 as software wrote it; the write-back ORs DD into it. */
    int upperDword();

    /** Legacy descriptor (DEXT = 0), the 8254x format ({@link LegacyTxDescriptor}). */
    record Legacy(LegacyTxDescriptor fields) implements TxDescriptor {
        @Override public long bufferAddress() { return fields.address(); }

        @Override public int bufferLength() { return fields.length(); }

        @Override public int upperDword() { return fields.upperDword(); }

        @Override
        public boolean reportStatus() { return (fields.cmd() & LegacyTxDescriptor.CMD_RS) != 0; }
    }

    /**
     * Advanced context descriptor: offload parameters kept in slot {@link #slot} of the queue;
     * sends nothing.
     * <pre>
     * dword 0  vlan_macip_lens:  VLAN 31:16 | MACLEN 15:9 | IPLEN 8:0
     * dword 1  seqnum_seed
     * dword 2  type_tucmd_mlhl:  DEXT 29 | DTYP 23:20 = 0010 | L4T 12:11 (00 UDP, 01 TCP, 10 SCTP) | IPV4 10
     * dword 3  mss_l4len_idx:    MSS 31:16 | L4LEN 15:8 | IDX 6:4 (slot 0 or 1)
     * </pre>
     */
    record Context(int vlanMacIpLens, int seqnumSeed, int typeTucmdMlhl, int mssL4lenIdx) implements TxDescriptor {
        static final int L4T_UDP = 0;
        static final int L4T_TCP = 1;
        static final int L4T_SCTP = 2;

        int ipLength() { return vlanMacIpLens & 0x1FF; }

        int macLength() { return vlanMacIpLens >>> 9 & 0x7F; }

        int vlan() { return vlanMacIpLens >>> 16; }

        boolean ipv4() { return (typeTucmdMlhl & 1 << 10) != 0; }

        int l4Type() { return typeTucmdMlhl >>> 11 & 3; }

        int l4Length() { return mssL4lenIdx >>> 8 & 0xFF; }

        int mss() { return mssL4lenIdx >>> 16; }

        /** The context slot: the 82576 keeps two per queue (IDX bit 4). */
        int slot() { return mssL4lenIdx >>> 4 & 1; }

        @Override
        public boolean reportStatus() { return (typeTucmdMlhl & DCMD_RS) != 0; }

        @Override
        public int upperDword() { return mssL4lenIdx; }
    }

    /**
     * Advanced data descriptor: a buffer of the packet. The first descriptor's DCMD and
     * olinfo_status apply to the whole packet.
     * <pre>
     * dword 0-1  buffer address
     * dword 2    cmd_type_len:   TSE 31 | VLE 30 | DEXT 29 | RS 27 | IFCS 25 | EOP 24 | DTYP 23:20 = 0011 | DTALEN 15:0
     * dword 3    olinfo_status:  PAYLEN 31:14 | POPTS 13:8 (TXSM 9, IXSM 8) | IDX 6:4 | STA 3:0
     * </pre>
     */
    record Data(long address, int cmdTypeLen, int olinfoStatus) implements TxDescriptor {
        @Override public long bufferAddress() { return address; }

        @Override public int bufferLength() { return length(); }

        int length() { return cmdTypeLen & 0xFFFF; }

        boolean eop() { return (cmdTypeLen & DCMD_EOP) != 0; }

        @Override
        public boolean reportStatus() { return (cmdTypeLen & DCMD_RS) != 0; }

        @Override
        public int upperDword() { return olinfoStatus; }
    }

    /** An advanced descriptor of a type this chip does not know; skipped and counted. */
    record Unknown(int dtyp, boolean reportStatus, int upperDword) implements TxDescriptor {}

    /** Decodes the descriptor at {@code b[off..off+16)}. */
    static TxDescriptor decode(byte[] b, int off) {
        long address = DmaPort.le64(b, off);
        int dword2 = DmaPort.le32(b, off + 8);
        int dword3 = DmaPort.le32(b, off + 12);
        if ((dword2 & DEXT) == 0) return new Legacy(LegacyTxDescriptor.of(address, dword2, dword3));
        return switch (dword2 & DTYP_MASK) {
            case DTYP_CONTEXT -> new Context(DmaPort.le32(b, off), DmaPort.le32(b, off + 4), dword2, dword3);
            case DTYP_DATA -> new Data(address, dword2, dword3);
            default -> new Unknown((dword2 & DTYP_MASK) >>> 20, (dword2 & DCMD_RS) != 0, dword3);
        };
    }

}
