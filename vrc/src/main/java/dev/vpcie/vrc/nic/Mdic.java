package dev.vpcie.vrc.nic;

import java.util.concurrent.locks.LockSupport;

/**
 * PHY register access through the MDI Control register (MDIC, 0x0020), laid out the same on the
 * 8254x and the 82576: DATA 15:0, REGADD 20:16, PHYADD 25:21, OP 27:26, READY 28, INT_EN 29,
 * ERROR 30. Each access is a posted write of the command and register reads polling READY.
 * Standard MII register numbers (IEEE 802.3 clause 22) are here too; vendor registers live with
 * each driver.
 */
public final class Mdic implements PhyAccess {
    public static final int MDIC = 0x0020;
    static final int REGADD_SHIFT = 16, PHYADD_SHIFT = 21;
    static final int OP_WRITE = 0x0400_0000, OP_READ = 0x0800_0000, READY = 0x1000_0000, ERROR = 0x4000_0000;
    /** The Linux drivers poll READY 64 times (reads) or 641 times (writes) with 50 / 5 µs delays. */
    private static final int READ_POLLS = 64, WRITE_POLLS = 641;
    private static final long POLL_DELAY_NS = 5_000;

    // MII registers and bits.
    public static final int BMCR = 0, BMSR = 1, PHYID1 = 2, PHYID2 = 3, ANAR = 4, ANLPAR = 5, GBCR = 9, GBSR = 10;
    public static final int BMCR_RESET = 0x8000, BMCR_SPEED_1000 = 0x0040, BMCR_AN_ENABLE = 0x1000, BMCR_POWER_DOWN = 0x0800,
            BMCR_AN_RESTART = 0x0200, BMCR_FULL_DUPLEX = 0x0100;
    public static final int BMSR_LINK = 0x0004, BMSR_AN_COMPLETE = 0x0020;
    public static final int ANAR_10_HD = 0x0020, ANAR_10_FD = 0x0040, ANAR_100_HD = 0x0080, ANAR_100_FD = 0x0100,
            ANAR_PAUSE = 0x0400, ANAR_ASM_DIR = 0x0800;
    public static final int GBCR_1000_FD = 0x0200;

    private final Mmio mmio;
    private final int phyAddress;
    private final boolean checkWriteError;

    /**
     * @param checkWriteError the igb driver fails a write that reports ERROR; the e1000 driver only
     *                        waits for READY on writes
     */
    public Mdic(Mmio mmio, int phyAddress, boolean checkWriteError) {
        this.mmio = mmio;
        this.phyAddress = phyAddress;
        this.checkWriteError = checkWriteError;
    }

    @Override public int read(int register) {
        mmio.write(MDIC, command(register) | OP_READ);
        int mdic = await(register, READ_POLLS, "read");
        if ((mdic & ERROR) != 0) throw new NicException(phyError("read", register));
        return mdic & 0xFFFF;
    }

    @Override public void write(int register, int value) {
        mmio.write(MDIC, command(register) | OP_WRITE | value & 0xFFFF);
        int mdic = await(register, WRITE_POLLS, "write");
        if (checkWriteError && (mdic & ERROR) != 0) throw new NicException(phyError("write", register));
    }

    public void set(int register, int bits) { write(register, read(register) | bits); }

    public void clear(int register, int bits) { write(register, read(register) & ~bits); }

    private int command(int register) {
        if (register < 0 || register > 31) throw new IllegalArgumentException("MII register must be 0..31: " + register);
        return register << REGADD_SHIFT | phyAddress << PHYADD_SHIFT;
    }

    private int await(int register, int polls, String op) {
        for (int i = 0; i < polls; i++) {
            int mdic = mmio.read(MDIC);
            if ((mdic & READY) != 0) return mdic;
            LockSupport.parkNanos(POLL_DELAY_NS);
        }
        throw new NicException(mmio.device().name() + ": MDI " + op + " of PHY register " + register + " did not complete (MDIC.READY never set)");
    }

    private String phyError(String op, int register) {
        return mmio.device().name() + ": MDI " + op + " of PHY " + phyAddress + " register " + register + " failed (MDIC.ERROR)";
    }
}
