package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

import dev.vpcie.devices.nic.LegacyTxDescriptor;
import dev.vpcie.devices.nic.TxBufferDescriptor;
import dev.vpcie.devices.spi.DmaPort;

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
     * Legacy descriptor (DEXT = 0), the format both chips share ({@link LegacyTxDescriptor}); on
     * the 82540EM CMD.RPS (0x10) also asks for the status.
     */
    record Legacy(LegacyTxDescriptor fields) implements TxDescriptor {
        @Override public long bufferAddress() { return fields.address(); }

        @Override public int bufferLength() { return fields.length(); }

        @Override public int upperDword() { return fields.upperDword(); }

        @Override
        public boolean reportStatus() { return (fields.cmd() & (TXD_CMD_RS | TXD_CMD_RPS)) != 0; }
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
        long addr = DmaPort.le64(b, off);
        int lower = DmaPort.le32(b, off + 8);
        int upper = DmaPort.le32(b, off + 12);
        if ((lower & TXD_DEXT) == 0) return new Legacy(LegacyTxDescriptor.of(addr, lower, upper));
        int dtyp = lower & TXD_DTYP_MASK;
        return switch (dtyp) {
            case TXD_DTYP_CONTEXT -> new Context(b[off] & 0xFF, b[off + 1] & 0xFF, le16(b, off + 2), b[off + 4] & 0xFF,
                    b[off + 5] & 0xFF, le16(b, off + 6), lower & 0xFFFFF, lower >>> 24 & 0xFF, upper >>> 8 & 0xFF, upper >>> 16 & 0xFFFF, upper);
            case TXD_DTYP_DATA -> new Data(addr, lower & 0xFFFFF, lower >>> 24 & 0xFF, upper >>> 8 & 0xFF, upper >>> 16 & 0xFFFF, upper);
            default -> new Unknown(dtyp >>> 20, upper, (lower >>> 24 & TXD_CMD_RS) != 0);
        };
    }

    static int le16(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8; }

}
