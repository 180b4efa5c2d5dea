package dev.vpcie.vrc.nic;

import java.util.function.IntUnaryOperator;

/**
 * Link state and flow control as the 8254x and the 82576 both do them, with the same registers
 * and bits: the PHY's BMSR (over MDIC) says whether the link is up, STATUS its speed and duplex,
 * and after link-up CTRL's pause bits follow autonegotiation (symmetric pause when both ends
 * advertise it). On the driver's control thread: every step is a register round trip.
 */
public final class PhyLink {
    private static final int CTRL = 0x0000, STATUS = 0x0008;
    private static final int STATUS_FD = 0x1, STATUS_SPEED_MASK = 0xC0, STATUS_SPEED_100 = 0x40;
    private static final int CTRL_RFCE = 0x0800_0000, CTRL_TFCE = 0x1000_0000;

    private PhyLink() {}

    /** Reads the link: {@code phyRead} reads a PHY register (through the chip's MDIC access, with its locking). */
    public static LinkState read(Mmio mmio, IntUnaryOperator phyRead) {
        phyRead.applyAsInt(Mdic.BMSR); // latched-low link bit: the second read tells the present state
        if ((phyRead.applyAsInt(Mdic.BMSR) & Mdic.BMSR_LINK) == 0) return LinkState.DOWN;
        int status = mmio.read(STATUS);
        int speed = switch (status & STATUS_SPEED_MASK) {
            case 0 -> 10;
            case STATUS_SPEED_100 -> 100;
            default -> 1000;
        };
        return new LinkState(true, speed, (status & STATUS_FD) != 0);
    }

    /** Flow control from the autonegotiation result, once the link is up (e1000_watchdog, igb_config_fc_after_link_up). */
    public static void flowControlAfterLinkUp(Mmio mmio, IntUnaryOperator phyRead, LinkState state) {
        int lp = phyRead.applyAsInt(Mdic.ANLPAR), ours = phyRead.applyAsInt(Mdic.ANAR);
        boolean symmetric = state.fullDuplex() && (ours & lp & Mdic.ANAR_PAUSE) != 0;
        int ctrl = mmio.read(CTRL) & ~(CTRL_RFCE | CTRL_TFCE);
        mmio.write(CTRL, symmetric ? ctrl | CTRL_RFCE | CTRL_TFCE : ctrl);
    }
}
