package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.regs.RegisterTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Register behaviour the driver depends on, one register at a time. */
class IgbRegistersTest {
    private IgbHarness h;
    private IgbDriver d;

    @BeforeEach
    void up() {
        h = new IgbHarness();
        d = new IgbDriver(h);
        d.enableDevice();
    }

    @Test
    void legacyQueueAddressesReachTheQueueBlocks() {
        for (int q = 0; q < 4; q++) {
            d.wr(0x2800 + 0x100 * q, 0x1000 * (q + 1));
            assertEquals(0x1000 * (q + 1), d.rd(0xC000 + 0x40 * q), "RDBAL" + q + " through its legacy address");
            d.wr(0xE008 + 0x40 * q, 0x800);
            assertEquals(0x800, d.rd(0x3808 + 0x100 * q), "TDLEN" + q + " through its canonical address");
        }
        d.wr(0xC000 + 0x40 * 5, 0x5000);
        assertEquals(0x5000, d.rd(rdbal(5)));
        long unknown = h.function.registerCounters().get(RegisterTable.UNKNOWN_READS);
        assertEquals(0, d.rd(0x2800 + 0x100 * 4), "no legacy address for queue 4");
        assertEquals(unknown + 1, h.function.registerCounters().get(RegisterTable.UNKNOWN_READS), "counted");
        assertEquals(0x5000, d.rd(0xC140));
        d.wr(rdbal(1), 0x1234_5678);
        assertEquals(0x1234_5670, d.rd(rdbal(1)), "RDBAL bits 3:0 read 0");
        d.wr(rdlen(6), 0xFFFF_FFFF);
        assertEquals(0x000F_FFF0, d.rd(rdlen(6)), "RDLEN bits 19:4");
        h.function.mmioWrite(0, rdbal(2), 8, 0x0000_0001_2345_6780L);
        assertEquals(0x1, d.rd(rdbah(2)), "an 8-byte write reaches RDBAL and RDBAH");
    }

    @Test
    void queueZeroIsEnabledAfterResetAndTheOthersAreNot() {
        assertEquals(RXDCTL_ENABLE, d.rd(rxdctl(0)) & RXDCTL_ENABLE);
        assertEquals(TXDCTL_ENABLE, d.rd(txdctl(0)) & TXDCTL_ENABLE);
        for (int q = 1; q < 16; q++) {
            assertEquals(0, d.rd(rxdctl(q)) & RXDCTL_ENABLE);
            assertEquals(0, d.rd(txdctl(q)) & TXDCTL_ENABLE);
        }
        d.wr(rxdctl(0), 0);
        assertEquals(0, d.rd(rxdctl(0)), "reads back as written");
        d.wr(CTRL, CTRL_RST);
        assertEquals(RXDCTL_ENABLE, d.rd(rxdctl(0)) & RXDCTL_ENABLE, "enabled again by the reset");
    }

    @Test
    void ral0AndRah0HoldTheMacAfterEveryReset() {
        assertEquals(IgbHarness.MAC, MacAddress.fromReceiveAddress(d.rd(RA), d.rd(RA + 4)));
        assertEquals(RAH_AV, d.rd(RA + 4) & RAH_AV);
        d.wr(RA, 0);
        d.wr(RA + 4, 0);
        d.wr(CTRL, d.rd(CTRL) | CTRL_RST);
        assertEquals(IgbHarness.MAC, MacAddress.fromReceiveAddress(d.rd(RA), d.rd(RA + 4)));
        assertEquals(RAH_AV, d.rd(RA + 4) & RAH_AV);
        d.wr(RA2 + 8 * 3 + 4, 0xFFFF_FFFF);
        assertEquals(0x83FF_FFFF, d.rd(RA2 + 8 * 3 + 4), "RAH: AV, pool select, address select, address");
    }

    @Test
    void swsmIsAHardwareSemaphoreAndSwFwSyncHasNoFirmware() {
        assertEquals(0, d.rd(SWSM) & SWSM_SMBI, "free: the first read sees SMBI clear ...");
        assertEquals(SWSM_SMBI, d.rd(SWSM) & SWSM_SMBI, "... and took it");
        d.wr(SWSM, SWSM_SMBI | SWSM_SWESMBI);
        assertEquals(SWSM_SWESMBI, d.rd(SWSM) & SWSM_SWESMBI, "SWESMBI latches");
        d.wr(SWSM, 0);
        assertEquals(0, d.rd(SWSM) & (SWSM_SMBI | SWSM_SWESMBI), "released by writing 0 (this read took SMBI again)");
        d.wr(SWSM, 0);
        d.wr(SW_FW_SYNC, 0xFFFF_FFFF);
        assertEquals(0xFFFF, d.rd(SW_FW_SYNC), "software bits only");
        assertThrows(AssertionError.class, () -> d.acquireSwFw(SWFW_EEP_SM), "a resource software holds is not granted twice");
        d.wr(SW_FW_SYNC, 0);
        d.acquireSwFw(SWFW_PHY0_SM);
        assertEquals(SWFW_PHY0_SM, d.rd(SW_FW_SYNC));
        d.releaseSwFw(SWFW_PHY0_SM);
        assertEquals(0, d.rd(SW_FW_SYNC));
        assertEquals(0, d.rd(FWSM));
    }

    @Test
    void eecdShowsAPresentAutoReadNvmOf256WordsAndGrantsRequests() {
        int eecd = d.rd(EECD);
        assertEquals(EECD_PRES | EECD_AUTO_RD, eecd & (EECD_PRES | EECD_AUTO_RD));
        assertEquals(2 << 11, eecd & EECD_SIZE_EX_MASK);
        d.wr(EECD, 0);
        assertEquals(eecd & (EECD_PRES | EECD_AUTO_RD | EECD_SIZE_EX_MASK), d.rd(EECD) & (EECD_PRES | EECD_AUTO_RD | EECD_SIZE_EX_MASK), "read-only bits");
        assertEquals(0, d.rd(EECD) & EECD_GNT);
        d.wr(EECD, EECD_REQ);
        assertEquals(EECD_GNT, d.rd(EECD) & EECD_GNT, "GNT follows REQ");
    }

    @Test
    void statusShowsLinkSpeedAndTheBusMasterState() {
        int status = d.rd(STATUS);
        assertEquals(STATUS_FD | STATUS_LU | STATUS_SPEED_1000, status & (STATUS_FD | STATUS_LU | 0xC0));
        assertEquals(STATUS_GIO_MASTER_ENABLE, status & STATUS_GIO_MASTER_ENABLE);
        assertEquals(0x400, status & 0x400, "PHYRA after reset");
        d.wr(STATUS, 0);
        assertEquals(0, d.rd(STATUS) & 0x400, "PHYRA cleared by writing 0");
        d.wr(CTRL, d.rd(CTRL) | CTRL_GIO_MASTER_DISABLE);
        assertEquals(0, d.rd(STATUS) & STATUS_GIO_MASTER_ENABLE, "master disabled");
        d.wr(CTRL, d.rd(CTRL) | CTRL_PHY_RST);
        assertEquals(0x400, d.rd(STATUS) & 0x400, "a PHY reset sets PHYRA");
    }

    @Test
    void ctrlExtEemngctlMancAndGcrReadWhatTheDriverExpects() {
        d.wr(CTRL_EXT, 0xFFFF_FFFF);
        assertEquals(0, d.rd(CTRL_EXT) & CTRL_EXT_LINK_MODE_MASK, "copper");
        assertEquals(0, d.rd(CTRL_EXT) & (1 << 13 | 1 << 12), "EE_RST and ASDCHK self-clear");
        assertEquals(CTRL_EXT_DRV_LOAD, d.rd(CTRL_EXT) & CTRL_EXT_DRV_LOAD);
        d.wr(EEMNGCTL, 0);
        assertEquals(EEMNGCTL_CFG_DONE_PORT_0, d.rd(EEMNGCTL) & EEMNGCTL_CFG_DONE_PORT_0);
        assertEquals(0, d.rd(MANC) & MANC_BLK_PHY_RST_ON_IDE);
        assertEquals(GCR_CAP_VER2, d.rd(GCR) & GCR_CAP_VER2);
        d.wr(GCR, 0);
        assertEquals(GCR_CAP_VER2, d.rd(GCR), "CAP_VER2 is read-only");
        assertEquals(0x40, d.rd(RXPBS));
        assertEquals(0x81008100, d.rd(VET));
        assertEquals(RXCSUM_IPOFL | RXCSUM_TUOFL, d.rd(RXCSUM));
    }

    @Test
    void thePhyIsAnIgp3WithPageSelectBehindMdic() {
        assertEquals(0x02A8, d.readPhy(PHY_ID1));
        assertEquals(0x0391, d.readPhy(PHY_ID2));
        assertEquals(0x0120, d.readPhy(IGP01E1000_PHY_PORT_CONFIG), "paged register 0x10 through register 0x1F");
        assertEquals(0xC000, d.readPhy(0x11) & 0xC000, "port status: 1000 Mb/s");
        d.writePhy(IGP02E1000_PHY_POWER_MGMT, 0x0081);
        assertEquals(0x0081, d.readPhy(IGP02E1000_PHY_POWER_MGMT));
        d.wr(MDIC, 2 << 21 | 2 << 16 | MDIC_OP_READ);
        assertEquals(MDIC_READY | MDIC_ERROR, d.rd(MDIC) & (MDIC_READY | MDIC_ERROR), "no PHY at address 2");
        d.wr(IMS, ICR_MDAC);
        d.dropRaised();
        d.wr(MDIC, 1 << 21 | 2 << 16 | MDIC_OP_READ | 0x2000_0000);
        assertEquals(ICR_MDAC, d.rd(ICR) & ICR_MDAC, "INT_EN raises MDAC");
    }

    @Test
    void theIoBarReachesTheRegisters() {
        h.function.config().write(0x04, 2, 0x7);
        h.function.ioWrite(2, 0, 4, STATUS);
        assertEquals(d.rd(STATUS), (int) h.function.ioRead(2, 4, 4));
        h.function.ioWrite(2, 0, 4, rdbal(0));
        h.function.ioWrite(2, 4, 4, 0xABC0);
        assertEquals(0xABC0, d.rd(rdbal(0)));
        assertEquals(0, h.function.ioRead(2, 0x10, 4), "reserved");
        assertThrows(IllegalArgumentException.class, () -> h.function.ioRead(0, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> h.function.mmioRead(1, 0, 4));
    }

    @Test
    void bar3HoldsTheMsixTableAndPba() {
        h.function.mmioWrite(3, 16 * 9, 8, 0xFEE0_1000L);
        h.function.mmioWrite(3, 16 * 9 + 8, 4, 0x4049);
        assertEquals(0x4049, h.function.mmioRead(3, 16 * 9 + 8, 4));
        assertEquals(1, h.function.mmioRead(3, 16 * 3 + 12, 4), "vectors start masked");
        assertEquals(0, h.function.mmioRead(3, 0x2000, 8), "nothing pending");
        h.function.mmioWrite(3, 0x2000, 8, -1);
        assertEquals(0, h.function.mmioRead(3, 0x2000, 8), "the PBA is read-only");
        assertEquals(0, h.function.mmioRead(3, 0x1000, 4), "between table and PBA");
        assertEquals(2, h.counters.get("msix-bar-other-accesses"));
    }

    @Test
    void systimAdvancesWithTimincaAndTimestampsAreNeverValid() {
        d.wr(TIMINCA, 1 << 24 | 16 << 19);
        long before = d.rd(SYSTIML) & 0xFFFF_FFFFL | (long) d.rd(SYSTIMH) << 32;
        h.advance(16_000);
        long after = d.rd(SYSTIML) & 0xFFFF_FFFFL | (long) d.rd(SYSTIMH) << 32;
        assertEquals(1000L * (16 << 19), after - before, "1000 periods of 16 ns, 16 << 19 each (SYSTIML latches SYSTIMH)");
        d.wr(TSYNCRXCTL, 0xFFFF_FFFF);
        assertEquals(0, d.rd(TSYNCRXCTL) & 1, "no receive timestamp pending");
        assertEquals(0, d.rd(TSICR));
    }

    @Test
    void eicrMasksAndIvarAreStored() {
        d.wr(ivar(3), 0x8483_8281);
        assertEquals(0x8483_8281, d.rd(ivar(3)));
        d.wr(IVAR_MISC, 0x8000);
        assertEquals(0x8000, d.rd(IVAR_MISC));
        d.wr(EIAC, 0xFFFF_FFFF);
        assertEquals(0x01FF_FFFF, d.rd(EIAC), "one bit per vector");
        d.wr(GPIE, GPIE_MSIX_MODE);
        d.wr(EIMS, 0xFFFF_FFFF);
        assertEquals(0x01FF_FFFF, d.rd(EIMS));
        d.wr(EIMC, 0x0100_0000);
        assertEquals(0x00FF_FFFF, d.rd(EIMS));
        assertTrue(h.irq.raised.isEmpty(), "nothing was pending");
    }
}
