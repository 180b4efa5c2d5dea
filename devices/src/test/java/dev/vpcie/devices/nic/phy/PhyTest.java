package dev.vpcie.devices.nic.phy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhyTest {
    private final List<Boolean> changes = new ArrayList<>();

    private Phy phy(PhyProfile profile, boolean cable) {
        Phy p = new Phy(profile);
        p.setLinkListener(changes::add);
        p.setCable(cable);
        return p;
    }

    @Test
    void m88IdentifiesAsTheDriverRequires() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        // e1000_detect_gig_phy: (ID1 << 16 | ID2 & 0xFFF0) == M88E1011_I_PHY_ID
        assertEquals(0x01410C20, (p.read(Phy.PHYID1) << 16) | (p.read(Phy.PHYID2) & 0xFFF0));
        assertEquals(0x1140, p.read(Phy.BMCR));
        assertEquals(0x0360, p.read(0x10));
        assertEquals(0x0D60, p.read(0x14));
    }

    @Test
    void igp3IdentifiesAsIgbAccepts() {
        Phy p = phy(PhyProfiles.igp03e1000(), true);
        assertEquals(0x02A80391, (p.read(Phy.PHYID1) << 16) | p.read(Phy.PHYID2));
        assertEquals(PhyProfiles.IGP03E1000_PHY_ID, p.profile().phyId());
    }

    @Test
    void linkUpCompletesAutonegotiation() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        assertTrue(p.linkUp());
        assertEquals(List.of(true), changes);
        int bmsr = p.read(Phy.BMSR);
        assertEquals(0x796D, bmsr);
        assertEquals(0x45E0, p.read(Phy.ANLPAR));
        assertEquals(0x3C00, p.read(Phy.GBSR));
        assertEquals(0xAC00, p.read(0x11));
    }

    @Test
    void linkStatusIsLatchedLowUntilRead() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        p.read(Phy.BMSR);
        p.setCable(false);
        p.setCable(true);
        assertEquals(List.of(true, false, true), changes);
        assertEquals(0, p.read(Phy.BMSR) & Phy.BMSR_LINK_STATUS, "first read after a drop shows the drop");
        assertEquals(Phy.BMSR_LINK_STATUS, p.read(Phy.BMSR) & Phy.BMSR_LINK_STATUS, "second read shows the link");
    }

    @Test
    void noCableNoLinkNoAutoneg() {
        Phy p = phy(PhyProfiles.m88e1011(), false);
        assertFalse(p.linkUp());
        assertEquals(0x7949, p.read(Phy.BMSR));
        assertEquals(0x05E0, p.read(Phy.ANLPAR));
        assertEquals(0, p.read(0x11));
        assertTrue(changes.isEmpty());
    }

    @Test
    void powerDownTakesTheLinkDownAndPowerUpBringsItBack() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        p.write(Phy.BMCR, p.read(Phy.BMCR) | Phy.BMCR_POWER_DOWN);
        assertFalse(p.linkUp());
        assertTrue(p.poweredDown());
        p.write(Phy.BMCR, p.read(Phy.BMCR) & ~Phy.BMCR_POWER_DOWN);
        assertTrue(p.linkUp());
        assertTrue(p.autonegComplete());
        assertEquals(List.of(true, false, true), changes);
    }

    @Test
    void resetAndRestartSelfClearAndKeepConfiguration() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        p.write(0x10, 0x0868);
        p.write(Phy.BMCR, 0x1140 | Phy.BMCR_RESET);
        assertEquals(0x1140, p.read(Phy.BMCR));
        assertEquals(0x0868, p.read(0x10), "software reset keeps the configuration it makes take effect");
        p.write(Phy.BMCR, 0x1140 | Phy.BMCR_RESTART_AN);
        assertEquals(0x1140, p.read(Phy.BMCR));
        assertTrue(p.autonegComplete());
        p.write(Phy.BMCR, 0x3F);
        assertEquals(0, p.read(Phy.BMCR), "bits 5:0 are reserved");
        assertFalse(p.autonegComplete(), "AN disabled: nothing negotiated");
        assertTrue(p.linkUp(), "forced speed still has link");
    }

    @Test
    void hardwareResetRestoresDefaults() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        p.write(Phy.ANAR, 0x01E1);
        p.write(Phy.BMCR, 0x1140 | Phy.BMCR_POWER_DOWN);
        p.reset();
        assertEquals(0x0DE1, p.read(Phy.ANAR));
        assertTrue(p.linkUp());
        assertTrue(p.autonegComplete());
    }

    @Test
    void readOnlyAndUnknownRegistersAreCountedNotFatal() {
        Phy p = phy(PhyProfiles.m88e1011(), true);
        p.write(Phy.PHYID1, 0x1234);
        assertEquals(0x0141, p.read(Phy.PHYID1));
        assertEquals(0, p.read(0x1C));
        p.write(0x1C, 5);
        assertEquals(1, p.unknownReads());
        assertEquals(2, p.unknownWrites());
        assertThrows(IllegalArgumentException.class, () -> p.read(32));
    }

    @Test
    void igpPagesRegistersAboveFifteen() {
        Phy p = phy(PhyProfiles.igp03e1000(), true);
        // igb: for offset > 15 write page select = offset, then access offset & 0x1F.
        p.write(PhyProfile.PAGE_SELECT, 0x19);
        assertEquals(0x008D, p.read(0x19));
        p.write(0x19, 0x0089);
        assertEquals(0x0089, p.read(0x19));
        p.write(PhyProfile.PAGE_SELECT, 0xB4); // page 5, register 0x14: not modelled, reads 0
        assertEquals(0, p.read(0x14));
        assertEquals(0x1140, p.read(Phy.BMCR), "registers 0..15 are the same on every page");
        assertEquals(0xB4, p.read(PhyProfile.PAGE_SELECT));
        p.write(PhyProfile.PAGE_SELECT, 0x11);
        assertEquals(0xC600, p.read(0x11));
    }

    @Test
    void badProfilesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PhyProfile("x", false, List.of(new PhyRegister.Constant(0, "a", 0))));
        assertThrows(IllegalArgumentException.class, () -> new PhyProfile("x", true, List.of(
                new PhyRegister.Control(0, "BMCR", 0), new PhyRegister.Status(1, "BMSR", 0))));
        assertThrows(IllegalArgumentException.class, () -> new PhyProfile("x", false, List.of(
                new PhyRegister.Control(0, "BMCR", 0), new PhyRegister.Status(1, "BMSR", 0), new PhyRegister.Constant(1, "dup", 0))));
    }
}
