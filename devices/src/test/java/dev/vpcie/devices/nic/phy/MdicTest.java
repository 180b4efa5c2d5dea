package dev.vpcie.devices.nic.phy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MdicTest {
    private final Phy phy = new Phy(PhyProfiles.m88e1011());

    @Test
    void readReturnsTheRegisterWithReady() {
        phy.setCable(true);
        int r = Mdic.execute(Mdic.readCommand(Phy.PHYID1), phy);
        assertEquals(Mdic.READY, r & (Mdic.READY | Mdic.ERROR));
        assertEquals(0x0141, r & Mdic.DATA_MASK);
        assertEquals(Phy.PHYID1, (r & Mdic.REG_MASK) >>> Mdic.REG_SHIFT);
    }

    @Test
    void writeStoresDataWithReady() {
        int r = Mdic.execute(Mdic.writeCommand(Phy.ANAR, 0x01E1), phy);
        assertEquals(Mdic.READY, r & (Mdic.READY | Mdic.ERROR));
        assertEquals(0x01E1, phy.read(Phy.ANAR));
    }

    @Test
    void otherPhyAddressesAndBadOpsError() {
        int cmd = Mdic.readCommand(Phy.PHYID1) & ~Mdic.PHY_MASK | 2 << Mdic.PHY_SHIFT;
        assertEquals(Mdic.READY | Mdic.ERROR, Mdic.execute(cmd, phy) & (Mdic.READY | Mdic.ERROR));
        int noOp = Mdic.readCommand(Phy.PHYID1) & ~Mdic.OP_MASK;
        assertEquals(Mdic.READY | Mdic.ERROR, Mdic.execute(noOp, phy) & (Mdic.READY | Mdic.ERROR));
    }

    @Test
    void staleReadyAndErrorBitsInTheWriteAreIgnored() {
        int r = Mdic.execute(Mdic.readCommand(Phy.BMCR) | Mdic.ERROR | Mdic.READY | Mdic.DEST, phy);
        assertEquals(Mdic.READY, r & (Mdic.READY | Mdic.ERROR | Mdic.DEST));
        assertEquals(Mdic.INT_EN, Mdic.execute(Mdic.readCommand(Phy.BMCR) | Mdic.INT_EN, phy) & Mdic.INT_EN);
    }
}
