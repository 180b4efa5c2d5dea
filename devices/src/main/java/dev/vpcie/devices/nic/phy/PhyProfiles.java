package dev.vpcie.devices.nic.phy;

import dev.vpcie.devices.nic.phy.PhyRegister.Constant;
import dev.vpcie.devices.nic.phy.PhyRegister.Control;
import dev.vpcie.devices.nic.phy.PhyRegister.LinkDependent;
import dev.vpcie.devices.nic.phy.PhyRegister.Negotiated;
import dev.vpcie.devices.nic.phy.PhyRegister.PageSelect;
import dev.vpcie.devices.nic.phy.PhyRegister.Status;
import dev.vpcie.devices.nic.phy.PhyRegister.Stored;
import java.util.List;

/**
 * The PHY parts the modelled NICs carry, as register tables. Values are those the Linux e1000 and
 * igb drivers check (IDs) and QEMU presents (reset values); see the device spec, sections A3 and B3.
 */
public final class PhyProfiles {
    private PhyProfiles() {}

    /** BMCR reset: 1000 Mb/s, full duplex, autonegotiation enabled. */
    static final int BMCR_1000_FD_AN = 0x1140;
    /**
     * BMSR abilities: extended capabilities, AN ability, preamble suppression, extended status,
     * 10/100 half and full duplex (link and AN-complete are added by the core).
     */
    static final int BMSR_ABILITIES = 0x7949;
    /** ANAR: 802.3 selector, 10/100 half/full, pause and asymmetric pause. */
    static final int ANAR_DEFAULT = 0x0DE1;
    /** ANLPAR acknowledge bit, set once autonegotiation completes. */
    static final int ANLPAR_ACK = 0x4000;
    /** 1000BASE-T status after AN: partner 1000 half/full, local and remote receiver OK. */
    static final int GBSR_NEGOTIATED = 0x3C00;
    /** Extended status: 1000BASE-T half and full duplex. */
    static final int EXTSTAT_1000T = 0x3000;

    /** The PHY ID the e1000 driver requires of an 82540's PHY: Marvell 88E1011 (M88E1011_I_PHY_ID). */
    public static final int M88E1011_PHY_ID = 0x01410C20;
    /** Intel IGP03E1000 (IGP03E1000_E_PHY_ID), accepted by igb for the 82576; revision 1 as QEMU. */
    public static final int IGP03E1000_PHY_ID = 0x02A80391;

    /** Marvell 88E1011 (on the 82540EM), unpaged. */
    public static PhyProfile m88e1011() {
        // 10/100 half and full, and symmetric pause: with our ANAR (pause + asymmetric pause) the
        // driver resolves full flow control and prints "Flow Control: RX/TX", as with a real switch.
        int partner = 0x05E0;
        return new PhyProfile("Marvell 88E1011", false, List.of(
                new Control(0, "BMCR", BMCR_1000_FD_AN),
                new Status(1, "BMSR", BMSR_ABILITIES),
                new Constant(2, "PHYID1", M88E1011_PHY_ID >>> 16),
                new Constant(3, "PHYID2", M88E1011_PHY_ID & 0xFFFF),
                new Stored(4, "ANAR", ANAR_DEFAULT, 0xFFFF),
                new Negotiated(5, "ANLPAR", partner, partner | ANLPAR_ACK),
                new Constant(6, "ANER", 0),
                new Stored(7, "ANNP", 0x2001, 0xFFFF),
                new Stored(9, "1000T_CTRL", 0x0E00, 0xFFFF),
                new Negotiated(10, "1000T_STATUS", 0, GBSR_NEGOTIATED),
                new Constant(15, "EXTSTAT", EXTSTAT_1000T),
                new Stored(0x10, "M88_PSCR", 0x0360, 0xFFFF),
                // Specific status: 1000 Mb/s, full duplex, speed and duplex resolved, link (real time).
                new LinkDependent(0x11, "M88_PSSR", 0xAC00, 0x0000),
                new Stored(0x12, "M88_IER", 0, 0xFFFF),
                new Constant(0x13, "M88_ISR", 0),
                new Stored(0x14, "M88_EPSCR", 0x0D60, 0xFFFF),
                new Constant(0x15, "M88_RX_ERR_CNTR", 0),
                new Stored(0x16, "M88_LED_CTRL", 0, 0xFFFF),
                new Stored(0x1D, "M88_GEN_CONTROL", 0, 0xFFFF),
                new Stored(0x1E, "M88_GEN_DATA", 0, 0xFFFF)));
    }

    /** Intel IGP03E1000 (the 82576's PHY as QEMU presents it), with registers 16..30 paged through 31. */
    public static PhyProfile igp03e1000() {
        int partner = 0x07E0; // 10/100 half and full, 100BASE-T4, pause
        return new PhyProfile("Intel IGP03E1000", true, List.of(
                new Control(0, "BMCR", BMCR_1000_FD_AN),
                new Status(1, "BMSR", BMSR_ABILITIES),
                new Constant(2, "PHYID1", IGP03E1000_PHY_ID >>> 16),
                new Constant(3, "PHYID2", IGP03E1000_PHY_ID & 0xFFFF),
                new Stored(4, "ANAR", ANAR_DEFAULT, 0xFFFF),
                new Negotiated(5, "ANLPAR", partner, partner | ANLPAR_ACK),
                new Constant(6, "ANER", 0x0005),
                new Stored(7, "ANNP", 0x2001, 0xFFFF),
                new Stored(9, "1000T_CTRL", 0x0F00, 0xFFFF),
                new Negotiated(10, "1000T_STATUS", 0, GBSR_NEGOTIATED),
                new Constant(15, "EXTSTAT", EXTSTAT_1000T),
                new Stored(0x10, "IGP_PORT_CONFIG", 0x0120, 0xFFFF),
                // Port status: 1000 Mb/s (15:14 = 11b), link up (10), full duplex (9).
                new LinkDependent(0x11, "IGP_PORT_STATUS", 0xC600, 0x0000),
                new Stored(0x12, "IGP_PORT_CTRL", 0, 0xFFFF),
                new Constant(0x13, "IGP_LINK_HEALTH", 0),
                new Stored(0x14, "IGP_GMII_FIFO", 0, 0xFFFF),
                new Stored(0x19, "IGP_POWER_MGMT", 0x008D, 0xFFFF),
                new Stored(0x1B, "IGP_MISC_CTRL", 0, 0xFFFF),
                new PageSelect(0x1F, "IGP_PAGE_SELECT")));
    }
}
