package dev.vpcie.vrc.nic;

/**
 * Link state and flow control as the 8254x and the 82576 both do them, with the same registers
 * and bits: autonegotiation is advertised and restarted the same way, the pause frames' registers
 * are the same, the PHY's BMSR (over MDIC) says whether the link is up, STATUS its speed and
 * duplex, and after link-up CTRL's pause bits follow autonegotiation (symmetric pause when both
 * ends advertise it). On the driver's control thread: every step is a register round trip.
 */
public final class PhyLink {
    private static final int CTRL = 0x0000, STATUS = 0x0008;
    private static final int STATUS_FD = 0x1, STATUS_SPEED_MASK = 0xC0, STATUS_SPEED_100 = 0x40;
    private static final int CTRL_RFCE = 0x0800_0000, CTRL_TFCE = 0x1000_0000;
    private static final int FCAL = 0x0028, FCAH = 0x002C, FCT = 0x0030, FCTTV = 0x0170, FCRTL = 0x2160, FCRTH = 0x2168;
    /** The 802.3x PAUSE frame: destination 01:80:C2:00:00:01, EtherType 0x8808, the longest pause. */
    private static final int FLOW_CONTROL_ADDRESS_LOW = 0x00C2_8001, FLOW_CONTROL_ADDRESS_HIGH = 0x0100, FLOW_CONTROL_TYPE = 0x8808,
            FC_PAUSE_TIME = 0xFFFF, FCRTL_XONE = 0x8000_0000;
    /** How often bring-up looks for the link after restarting autonegotiation, 10 µs apart (it goes on without it). */
    private static final int LINK_POLLS = 10;
    private static final long LINK_POLL_NS = 10_000;

    private PhyLink() {}

    /** Reads the link. */
    public static LinkState read(Mmio mmio, PhyAccess phy) {
        phy.read(Mdic.BMSR); // latched-low link bit: the second read tells the present state
        if ((phy.read(Mdic.BMSR) & Mdic.BMSR_LINK) == 0) return LinkState.DOWN;
        int status = mmio.read(STATUS);
        int speed = switch (status & STATUS_SPEED_MASK) {
            case 0 -> 10;
            case STATUS_SPEED_100 -> 100;
            default -> 1000;
        };
        return new LinkState(true, speed, (status & STATUS_FD) != 0);
    }

    /** Flow control from the autonegotiation result, once the link is up (e1000_watchdog, igb_config_fc_after_link_up). */
    public static void flowControlAfterLinkUp(Mmio mmio, PhyAccess phy, LinkState state) {
        int lp = phy.read(Mdic.ANLPAR), ours = phy.read(Mdic.ANAR);
        boolean symmetric = state.fullDuplex() && (ours & lp & Mdic.ANAR_PAUSE) != 0;
        int ctrl = mmio.read(CTRL) & ~(CTRL_RFCE | CTRL_TFCE);
        mmio.write(CTRL, symmetric ? ctrl | CTRL_RFCE | CTRL_TFCE : ctrl);
    }

    /**
     * e1000_copper_link_autoneg / igb_copper_link_autoneg: advertise 10/100 half and full duplex,
     * 1000 full duplex and {@code pauseBits} (ANAR's PAUSE/ASM_DIR from the NVM), restart
     * autonegotiation, then look for the link a few times without waiting for it.
     */
    public static void autonegotiate(PhyAccess phy, int pauseBits) {
        int speeds = Mdic.ANAR_10_HD | Mdic.ANAR_10_FD | Mdic.ANAR_100_HD | Mdic.ANAR_100_FD;
        int anar = phy.read(Mdic.ANAR) & ~(speeds | Mdic.ANAR_PAUSE | Mdic.ANAR_ASM_DIR);
        phy.write(Mdic.ANAR, anar | speeds | pauseBits);
        phy.write(Mdic.GBCR, phy.read(Mdic.GBCR) | Mdic.GBCR_1000_FD);
        phy.write(Mdic.BMCR, phy.read(Mdic.BMCR) | Mdic.BMCR_AN_ENABLE | Mdic.BMCR_AN_RESTART);
        for (int i = 0; i < LINK_POLLS; i++) {
            phy.read(Mdic.BMSR);
            if ((phy.read(Mdic.BMSR) & Mdic.BMSR_LINK) != 0) break;
            IntelNicDriver.delay(LINK_POLL_NS);
        }
    }

    /**
     * The PAUSE frame's address, type and time, and the receive FIFO's water marks in bytes
     * (e1000_setup_link / igb_setup_link): {@code highWater} 0 sends no pause frames.
     */
    public static void flowControlRegisters(Mmio mmio, int highWater, int lowWater) {
        mmio.write(FCT, FLOW_CONTROL_TYPE);
        mmio.write(FCAH, FLOW_CONTROL_ADDRESS_HIGH);
        mmio.write(FCAL, FLOW_CONTROL_ADDRESS_LOW);
        mmio.write(FCTTV, FC_PAUSE_TIME);
        mmio.write(FCRTL, highWater == 0 ? 0 : lowWater | FCRTL_XONE);
        mmio.write(FCRTH, highWater);
    }
}
