package dev.vpcie.devices.nic;

import dev.vpcie.devices.nic.offload.ChecksumField;
import dev.vpcie.devices.nic.offload.Segmentation;
import dev.vpcie.devices.nic.offload.TxOffload;

/**
 * The 8254x legacy transmit descriptor (dword 2 bit 29, DEXT, clear), which the 82576 keeps
 * unchanged: a buffer, its length, and an optional Internet checksum from CSS to the end of the
 * packet stored at CSO (CMD.IC).
 * <pre>
 *  63            48 47   40 39   32 31   24 23   16 15             0
 * +----------------------------------------------------------------+
 * |                     buffer address                             |
 * +----------------+-------+-------+-------+-------+----------------+
 * |    special     |  CSS  |  STA  |  CMD  |  CSO  |     length     |
 * +----------------+-------+-------+-------+-------+----------------+
 * </pre>
 * Special holds the VLAN tag that CMD.VLE inserts.
 *
 * @param upperDword dword 3 as software wrote it; the write-back ORs DD into it
 */
public record LegacyTxDescriptor(long address, int length, int cso, int cmd, int css, int special, int upperDword) {
    public static final int CMD_EOP = 0x01;
    public static final int CMD_IFCS = 0x02;
    public static final int CMD_IC = 0x04;
    public static final int CMD_RS = 0x08;
    public static final int CMD_VLE = 0x40;

    /** The descriptor made of its buffer address (dwords 0-1), dword 2 and dword 3. */
    public static LegacyTxDescriptor of(long address, int dword2, int dword3) {
        return new LegacyTxDescriptor(address, dword2 & 0xFFFF, dword2 >>> 16 & 0xFF, dword2 >>> 24 & 0xFF, dword3 >>> 8 & 0xFF,
                dword3 >>> 16 & 0xFFFF, dword3);
    }

    public boolean eop() { return (cmd & CMD_EOP) != 0; }

    public boolean insertChecksum() { return (cmd & CMD_IC) != 0; }

    public boolean vlanInsert() { return (cmd & CMD_VLE) != 0; }

    /** The offload of a packet whose EOP descriptor this is: CSO/CSS are valid there, where IC is. */
    public TxOffload offload() {
        return insertChecksum()
                ? new TxOffload(false, ChecksumField.NONE, true, new ChecksumField(css, cso, 0), Segmentation.NONE)
                : TxOffload.NONE;
    }
}
