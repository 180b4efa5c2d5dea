package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

import dev.vpcie.devices.nic.TxBufferDescriptor;

/**
 * The three transmit descriptor formats of the 8254x, decoded from their 16 bytes. The format is
 * chosen by DEXT (dword 2 bit 29) and, when set, DTYP (dword 2 bits 23:20).
 */
sealed interface TxDescriptor extends TxBufferDescriptor {

    /** Bits of dword 3 (bytes 12-15) as written back, with DD set. */
    int upperDword();

    /** Whether software asked for the status to be written back (RS, or RPS on legacy). */
    boolean reportStatus();

    /**
     * Legacy descriptor (DEXT = 0): buffer, length, and an optional checksum from CSS to the end
     * of the packet stored at CSO (CMD.IC).
     * <pre>
     *  63            48 47   40 39   32 31   24 23   16 15             0
     * +----------------------------------------------------------------+
     * |                     buffer address                             |
     * +----------------+-------+-------+-------+-------+----------------+
     * |    special     |  CSS  |  STA  |  CMD  |  CSO  |     length     |
     * +----------------+-------+-------+-------+-------+----------------+
     * </pre>
     */
    record Legacy(long address, int length, int cso, int cmd, int css, int special, int upperDword) implements TxDescriptor {
        @Override public long bufferAddress() { return address; }

        @Override public int bufferLength() { return length; }

        public boolean eop() { return (cmd & TXD_CMD_EOP) != 0; }

        public boolean insertChecksum() { return (cmd & TXD_CMD_IC) != 0; }

        public boolean vlan() { return (cmd & TXD_CMD_VLE) != 0; }

        @Override
        public boolean reportStatus() { return (cmd & (TXD_CMD_RS | TXD_CMD_RPS)) != 0; }
    }

    /**
     * TCP/IP context descriptor (DEXT = 1, DTYP = 0000): offload parameters, sends nothing.
     * <pre>
     * | TUCSE (16) | TUCSO (8) | TUCSS (8) | IPCSE (16) | IPCSO (8) | IPCSS (8) |
     * | MSS (16) | HDRLEN (8) | STA (8) | TUCMD (8) | DTYP (4) | PAYLEN (20) |
     * </pre>
     */
    record Context(int ipcss, int ipcso, int ipcse, int tucss, int tucso, int tucse, int payloadLength, int tucmd,
                   int headerLength, int mss, int upperDword) implements TxDescriptor {
        public boolean tse() { return (tucmd & TXD_CMD_TSE) != 0; }

        public boolean ipv4() { return (tucmd & TXD_CMD_IP) != 0; }

        public boolean tcp() { return (tucmd & TXD_CMD_TCP) != 0; }

        @Override
        public boolean reportStatus() { return (tucmd & TXD_CMD_RS) != 0; }
    }

    /**
     * TCP/IP data descriptor (DEXT = 1, DTYP = 0001): a buffer of the packet, with the offload
     * options (POPTS) that the first data descriptor of a packet sets for all of it.
     * <pre>
     * |                     buffer address                             |
     * | special (16) | POPTS (8) | STA (8) | DCMD (8) | DTYP (4) | DTALEN (20) |
     * </pre>
     */
    record Data(long address, int length, int dcmd, int popts, int special, int upperDword) implements TxDescriptor {
        @Override public long bufferAddress() { return address; }

        @Override public int bufferLength() { return length; }

        public boolean eop() { return (dcmd & TXD_CMD_EOP) != 0; }

        public boolean tse() { return (dcmd & TXD_CMD_TSE) != 0; }

        public boolean vlan() { return (dcmd & TXD_CMD_VLE) != 0; }

        @Override
        public boolean reportStatus() { return (dcmd & TXD_CMD_RS) != 0; }
    }

    /** An extended descriptor with a DTYP this chip does not know; it is skipped (and counted). */
    record Unknown(int dtyp, int upperDword, boolean reportStatus) implements TxDescriptor {}

    /** Decodes the descriptor at {@code b[off..off+16)}. */
    static TxDescriptor decode(byte[] b, int off) {
        long addr = le64(b, off);
        int lower = le32(b, off + 8);
        int upper = le32(b, off + 12);
        if ((lower & TXD_DEXT) == 0) {
            return new Legacy(addr, lower & 0xFFFF, lower >>> 16 & 0xFF, lower >>> 24 & 0xFF, upper >>> 8 & 0xFF,
                    upper >>> 16 & 0xFFFF, upper);
        }
        int dtyp = lower & TXD_DTYP_MASK;
        return switch (dtyp) {
            case TXD_DTYP_CONTEXT -> new Context(b[off] & 0xFF, b[off + 1] & 0xFF, le16(b, off + 2), b[off + 4] & 0xFF,
                    b[off + 5] & 0xFF, le16(b, off + 6), lower & 0xFFFFF, lower >>> 24 & 0xFF, upper >>> 8 & 0xFF, upper >>> 16 & 0xFFFF, upper);
            case TXD_DTYP_DATA -> new Data(addr, lower & 0xFFFFF, lower >>> 24 & 0xFF, upper >>> 8 & 0xFF, upper >>> 16 & 0xFFFF, upper);
            default -> new Unknown(dtyp >>> 20, upper, (lower >>> 24 & TXD_CMD_RS) != 0);
        };
    }

    static int le16(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8; }

    static int le32(byte[] b, int at) { return le16(b, at) | le16(b, at + 2) << 16; }

    static long le64(byte[] b, int at) { return (le32(b, at) & 0xFFFF_FFFFL) | (long) le32(b, at + 4) << 32; }
}
