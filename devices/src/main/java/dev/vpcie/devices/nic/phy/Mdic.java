package dev.vpcie.devices.nic.phy;

/**
 * The MDI Control register (MDIC, 0x0020) of the 8254x and 82576: the MAC's port to its PHY's
 * registers. A write starts an MDIO transaction; this model completes it at once.
 *
 * <pre>
 *  31   30    29     28    27:26  25:21   20:16   15:0
 * +----+-----+------+-----+------+-------+-------+--------+
 * |DEST|ERROR|INT_EN|READY|  OP  |PHYADD |REGADD |  DATA  |
 * +----+-----+------+-----+------+-------+-------+--------+
 *   OP: 01b write, 10b read.  DEST (82576 only): 1 = external MDIO, reads 0 here.
 * </pre>
 * A read returns the written value with DATA replaced by the register; a write stores DATA. Both
 * set READY. An access to another PHY address, or an OP that is neither read nor write, sets
 * ERROR | READY and touches nothing. If INT_EN was set the MAC raises ICR.MDAC.
 */
public final class Mdic {
    private Mdic() {}

    public static final int DATA_MASK = 0xFFFF;
    public static final int REG_SHIFT = 16;
    public static final int REG_MASK = 0x1F << REG_SHIFT;
    public static final int PHY_SHIFT = 21;
    public static final int PHY_MASK = 0x1F << PHY_SHIFT;
    public static final int OP_WRITE = 0x04000000;
    public static final int OP_READ = 0x08000000;
    public static final int OP_MASK = 0x0C000000;
    public static final int READY = 0x10000000;
    public static final int INT_EN = 0x20000000;
    public static final int ERROR = 0x40000000;
    public static final int DEST = 0x80000000;
    /** The internal PHY's MDIO address on both chips. */
    public static final int PHY_ADDRESS = 1;

    /**
     * Carries out the transaction that writing {@code value} to MDIC starts and returns the value
     * MDIC then reads.
     */
    public static int execute(int value, Phy phy) {
        int v = value & ~(READY | ERROR | DEST);
        int phyAddress = (v & PHY_MASK) >>> PHY_SHIFT;
        int reg = (v & REG_MASK) >>> REG_SHIFT;
        if (phyAddress != PHY_ADDRESS) return v | ERROR | READY;
        return switch (v & OP_MASK) {
            case OP_READ -> (v & ~DATA_MASK) | phy.read(reg) | READY;
            case OP_WRITE -> {
                phy.write(reg, v & DATA_MASK);
                yield v | READY;
            }
            default -> v | ERROR | READY;
        };
    }

    /** The MDIC value a driver writes to read {@code reg}. */
    public static int readCommand(int reg) { return OP_READ | PHY_ADDRESS << PHY_SHIFT | reg << REG_SHIFT; }

    /** The MDIC value a driver writes to write {@code data} to {@code reg}. */
    public static int writeCommand(int reg, int data) { return OP_WRITE | PHY_ADDRESS << PHY_SHIFT | reg << REG_SHIFT | (data & DATA_MASK); }
}
