package dev.vpcie.devices.nic;

/**
 * The Receive Control register (RCTL, 0x0100), laid out the same on the 8254x and the 82576.
 *
 * <pre>
 *  26    25   23   22   20  19    18   17:16  15   13:12 9:8   7:6  5   4   3   2   1
 * SECRC BSEX PMCF DPF  CFI CFIEN VFE  BSIZE  BAM   MO  RDMTS LBM LPE MPE UPE SBP EN
 * </pre>
 */
public final class ReceiveControl {
    private ReceiveControl() {}

    public static final int EN = 1 << 1;
    /** Store bad packets. */
    public static final int SBP = 1 << 2;
    /** Unicast promiscuous. */
    public static final int UPE = 1 << 3;
    /** Multicast promiscuous. */
    public static final int MPE = 1 << 4;
    /** Long packet enable: frames up to 16 KiB instead of 1522 bytes. */
    public static final int LPE = 1 << 5;
    public static final int LBM_SHIFT = 6;
    public static final int LBM_MASK = 3 << LBM_SHIFT;
    /** Loopback mode 01b: MAC loopback. */
    public static final int LBM_MAC = 1 << LBM_SHIFT;
    public static final int RDMTS_SHIFT = 8;
    public static final int RDMTS_MASK = 3 << RDMTS_SHIFT;
    /** Multicast offset: which 12 destination-address bits index the MTA. */
    public static final int MO_SHIFT = 12;
    public static final int MO_MASK = 3 << MO_SHIFT;
    /** Broadcast accept mode. */
    public static final int BAM = 1 << 15;
    public static final int BSIZE_SHIFT = 16;
    public static final int BSIZE_MASK = 3 << BSIZE_SHIFT;
    /** VLAN filter enable. */
    public static final int VFE = 1 << 18;
    /** Canonical form indicator enable. */
    public static final int CFIEN = 1 << 19;
    /** Canonical form indicator value accepted when CFIEN is set. */
    public static final int CFI = 1 << 20;
    public static final int DPF = 1 << 22;
    public static final int PMCF = 1 << 23;
    /** Buffer size extension: BSIZE counts in 16x larger units. */
    public static final int BSEX = 1 << 25;
    /** Strip the Ethernet CRC from received frames. */
    public static final int SECRC = 1 << 26;

    /** The receive buffer size RCTL.BSIZE and BSEX select (2048 when the combination is reserved). */
    public static int bufferSize(int rctl) {
        int bsize = (rctl & BSIZE_MASK) >>> BSIZE_SHIFT;
        if ((rctl & BSEX) != 0) {
            return switch (bsize) {
                case 1 -> 16384;
                case 2 -> 8192;
                case 3 -> 4096;
                default -> 2048; // 00b with BSEX is reserved
            };
        }
        return switch (bsize) {
            case 1 -> 1024;
            case 2 -> 512;
            case 3 -> 256;
            default -> 2048;
        };
    }

    /** The shift applied to the destination address bits for the MTA hash, by MO (0..3). */
    public static int multicastShift(int rctl) {
        return switch ((rctl & MO_MASK) >>> MO_SHIFT) {
            case 0 -> 4;
            case 1 -> 3;
            case 2 -> 2;
            default -> 0;
        };
    }

    /** Free-descriptor threshold shift for RXDMT0: 1/2, 1/4 or 1/8 of the ring (RDMTS 00, 01, 10). */
    public static int minThresholdShift(int rctl) {
        return ((rctl & RDMTS_MASK) >>> RDMTS_SHIFT) + 1;
    }
}
