package dev.vpcie.devices.nic.igb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.HostMemory;
import dev.vpcie.devices.nic.MacAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A test driver that talks to the model the way Linux 6.1's igb driver does (device spec B7),
 * with its own register numbers (not the model's): probe (reset, semaphores, NVM checksum, MAC
 * from RAL0/RAH0, PHY), open (queues, RSS, MSI-X vectors through IVAR or MSI / INTx), the
 * watchdog, the interrupt handlers and NAPI-style cleaning. Ring memory lives in {@link HostMemory}.
 */
final class IgbDriver {
    enum Mode { MSIX, MSI, INTX }

    // Registers, as the driver's e1000_regs.h names them.
    static final int CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, EERD = 0x0014, CTRL_EXT = 0x0018, MDIC = 0x0020;
    static final int FCAL = 0x0028, FCAH = 0x002C, FCT = 0x0030, VET = 0x0038, ICR = 0x00C0, ICS = 0x00C8, IMS = 0x00D0;
    static final int IMC = 0x00D8, IAM = 0x00E0, RCTL = 0x0100, FCTTV = 0x0170, TCTL = 0x0400, TIPG = 0x0410, LEDCTL = 0x0E00;
    static final int EEMNGCTL = 0x1010, GPIE = 0x1514, EICS = 0x1520, EIMS = 0x1524, EIMC = 0x1528, EIAC = 0x152C, EIAM = 0x1530;
    static final int EICR = 0x1580, IVAR_MISC = 0x1740, FCRTL = 0x2160, FCRTH = 0x2168, RXPBS = 0x2404, RXCSUM = 0x5000, RLPML = 0x5004;
    static final int RFCTL = 0x5008, MTA = 0x5200, RA = 0x5400, RA2 = 0x54E0, VFTA = 0x5600, WUC = 0x5800, MRQC = 0x5818, MANC = 0x5820;
    static final int VMOLR0 = 0x5AD0, GCR = 0x5B00, SWSM = 0x5B50, FWSM = 0x5B54, SW_FW_SYNC = 0x5B5C, RETA = 0x5C00, RSSRK = 0x5C80;
    static final int UTA = 0xA000, SYSTIML = 0xB600, SYSTIMH = 0xB604, TIMINCA = 0xB608, TSYNCRXCTL = 0xB620, TSICR = 0xB66C;
    static final int MPC = 0x4010, GPRC = 0x4074, GPTC = 0x4080, GORCL = 0x4088, GOTCL = 0x4090, RNBC = 0x40A0, ROC = 0x40AC;
    static final int TPR = 0x40D0, TPT = 0x40D4, TSCTC = 0x40F8, IAC = 0x4100;

    static int eitr(int n) { return 0x1680 + 4 * n; }

    static int ivar(int n) { return 0x1700 + 4 * n; }

    static int rdbal(int n) { return n < 4 ? 0x2800 + n * 0x100 : 0xC000 + n * 0x40; }

    static int rdbah(int n) { return rdbal(n) + 0x04; }

    static int rdlen(int n) { return rdbal(n) + 0x08; }

    static int srrctl(int n) { return rdbal(n) + 0x0C; }

    static int rdh(int n) { return rdbal(n) + 0x10; }

    static int rdt(int n) { return rdbal(n) + 0x18; }

    static int rxdctl(int n) { return rdbal(n) + 0x28; }

    static int rqdpc(int n) { return rdbal(n) + 0x30; }

    static int tdbal(int n) { return n < 4 ? 0x3800 + n * 0x100 : 0xE000 + n * 0x40; }

    static int tdbah(int n) { return tdbal(n) + 0x04; }

    static int tdlen(int n) { return tdbal(n) + 0x08; }

    static int tdh(int n) { return tdbal(n) + 0x10; }

    static int tdt(int n) { return tdbal(n) + 0x18; }

    static int txdctl(int n) { return tdbal(n) + 0x28; }

    static final int CTRL_GIO_MASTER_DISABLE = 0x4, CTRL_SLU = 0x40, CTRL_FRCSPD = 0x800, CTRL_FRCDPX = 0x1000, CTRL_RST = 0x0400_0000;
    static final int CTRL_RFCE = 0x0800_0000, CTRL_TFCE = 0x1000_0000, CTRL_VME = 0x4000_0000, CTRL_PHY_RST = 0x8000_0000;
    static final int STATUS_FD = 0x1, STATUS_LU = 0x2, STATUS_SPEED_1000 = 0x80, STATUS_GIO_MASTER_ENABLE = 0x80000;
    static final int EECD_PRES = 0x100, EECD_AUTO_RD = 0x200, EECD_SIZE_EX_MASK = 0x7800, EECD_REQ = 0x40, EECD_GNT = 0x80;
    static final int EERD_START = 1, EERD_DONE = 2;
    static final int CTRL_EXT_LINK_MODE_MASK = 0x00C0_0000, CTRL_EXT_I2C_ENA = 0x0200_0000, CTRL_EXT_DRV_LOAD = 0x1000_0000;
    static final int MDIC_OP_WRITE = 0x0400_0000, MDIC_OP_READ = 0x0800_0000, MDIC_READY = 0x1000_0000, MDIC_ERROR = 0x4000_0000;
    static final int SWSM_SMBI = 1, SWSM_SWESMBI = 2;
    static final int SWFW_EEP_SM = 0x1, SWFW_PHY0_SM = 0x2;
    static final int EEMNGCTL_CFG_DONE_PORT_0 = 0x40000, MANC_BLK_PHY_RST_ON_IDE = 0x40000;
    static final int GCR_CMPL_TMOUT_MASK = 0xF000, GCR_CMPL_TMOUT_RESEND = 0x10000, GCR_CAP_VER2 = 0x40000;
    static final int ICR_TXDW = 0x1, ICR_LSC = 0x4, ICR_RXSEQ = 0x8, ICR_RXDMT0 = 0x10, ICR_RXO = 0x40, ICR_RXT0 = 0x80;
    static final int ICR_MDAC = 0x200, ICR_DOUTSYNC = 0x1000_0000, ICR_DRSTA = 0x4000_0000, ICR_INT_ASSERTED = 0x8000_0000;
    static final int IMS_ENABLE_MASK = ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC;
    static final int GPIE_NSICR = 0x1, GPIE_MSIX_MODE = 0x10, GPIE_EIAME = 0x4000_0000, GPIE_PBA = 0x8000_0000;
    static final int IVAR_VALID = 0x80;
    static final int RCTL_EN = 0x2, RCTL_SBP = 0x4, RCTL_UPE = 0x8, RCTL_MPE = 0x10, RCTL_LPE = 0x20, RCTL_LBM_MAC = 0x40;
    static final int RCTL_RDMTS_HALF = 0, RCTL_BAM = 0x8000, RCTL_VFE = 0x40000, RCTL_CFIEN = 0x80000, RCTL_SECRC = 0x0400_0000;
    static final int TCTL_EN = 0x2, TCTL_PSP = 0x8, TCTL_CT = 0xF << 4, TCTL_COLD = 0x3F << 12, TCTL_RTLC = 0x0100_0000;
    static final int TXDCTL_ENABLE = 0x0200_0000, RXDCTL_ENABLE = 0x0200_0000;
    static final int SRRCTL_DESCTYPE_ADV_ONEBUF = 0x0200_0000, SRRCTL_DESCTYPE_HDR_SPLIT = 0x0400_0000, SRRCTL_DROP_EN = 0x8000_0000;
    static final int RXCSUM_IPOFL = 0x100, RXCSUM_TUOFL = 0x200, RXCSUM_CRCOFL = 0x800, RXCSUM_PCSD = 0x2000;
    static final int MRQC_ENABLE_RSS_MQ = 0x2;
    static final int MRQC_RSS_FIELD_IPV4_TCP = 0x10000, MRQC_RSS_FIELD_IPV4 = 0x20000, MRQC_RSS_FIELD_IPV6_TCP_EX = 0x40000;
    static final int MRQC_RSS_FIELD_IPV6 = 0x100000, MRQC_RSS_FIELD_IPV6_TCP = 0x200000, MRQC_RSS_FIELD_IPV4_UDP = 0x400000;
    static final int MRQC_RSS_FIELD_IPV6_UDP = 0x800000;
    static final int RFCTL_IPV6_EX_DIS = 0x10000;
    static final int RAH_AV = 0x8000_0000, RAH_POOL_1 = 0x40000;
    static final int VMOLR_LPE = 0x10000, VMOLR_BAM = 0x0800_0000, VMOLR_AUPE = 0x0100_0000, VMOLR_STRVLAN = 0x4000_0000;
    // Advanced descriptors.
    static final int ADVTXD_DTYP_CTXT = 0x0020_0000, ADVTXD_DTYP_DATA = 0x0030_0000, ADVTXD_DCMD_EOP = 0x0100_0000;
    static final int ADVTXD_DCMD_IFCS = 0x0200_0000, ADVTXD_DCMD_RS = 0x0800_0000, ADVTXD_DCMD_DEXT = 0x2000_0000;
    static final int ADVTXD_DCMD_VLE = 0x4000_0000, ADVTXD_DCMD_TSE = 0x8000_0000;
    static final int ADVTXD_TUCMD_IPV4 = 0x400, ADVTXD_TUCMD_L4T_TCP = 0x800, ADVTXD_TUCMD_L4T_SCTP = 0x1000;
    static final int ADVTXD_POPTS_IXSM = 0x100, ADVTXD_POPTS_TXSM = 0x200, ADVTXD_PAYLEN_SHIFT = 14;
    static final int TXD_STAT_DD = 0x1;
    static final int RXD_STAT_DD = 0x1, RXD_STAT_EOP = 0x2, RXD_STAT_IXSM = 0x4, RXD_STAT_VP = 0x8, RXD_STAT_UDPCS = 0x10;
    static final int RXD_STAT_TCPCS = 0x20, RXD_STAT_IPCS = 0x40, RXDEXT_STATERR_TCPE = 0x2000_0000, RXDEXT_STATERR_IPE = 0x4000_0000;
    // PHY.
    static final int PHY_CONTROL = 0, PHY_STATUS = 1, PHY_ID1 = 2, PHY_ID2 = 3, PHY_AUTONEG_ADV = 4, PHY_LP_ABILITY = 5, PHY_1000T_CTRL = 9;
    static final int IGP01E1000_PHY_PORT_CONFIG = 0x10, IGP01E1000_PHY_PORT_CTRL = 0x12, IGP01E1000_PHY_LINK_HEALTH = 0x13;
    static final int IGP02E1000_PHY_POWER_MGMT = 0x19, IGP01E1000_PHY_PAGE_SELECT = 0x1F;
    static final int IGP02E1000_PM_D0_LPLU = 0x2, IGP01E1000_PSCFR_SMART_SPEED = 0x80;
    static final int MII_CR_AUTO_NEG_EN = 0x1000, MII_CR_POWER_DOWN = 0x0800, MII_CR_RESTART_AUTO_NEG = 0x0200;
    static final int MII_SR_LINK_STATUS = 0x4, MII_SR_AUTONEG_COMPLETE = 0x20;
    static final int IGP03E1000_E_PHY_ID = 0x02A80390, PHY_REVISION_MASK = 0xFFFFFFF0;
    static final int NVM_CHECKSUM_REG = 0x3F, NVM_SUM = 0xBABA, NVM_ID_LED = 0x4, NVM_VERSION = 0x5, NVM_INIT_CONTROL2 = 0x0F;
    static final int NVM_INIT_CONTROL3_PORT_A = 0x24, NVM_ALT_MAC_ADDR_PTR = 0x37;

    // Host memory layout.
    static final long TX_RINGS = 0x10000, RX_RINGS = 0x80000, RING_STRIDE = 0x4000;
    static final long TX_BUFFERS = 0x0020_0000, TX_BUFFER_SIZE = 0x4000;
    static final long RX_BUFFERS = 0x0120_0000, RX_BUFFER_STRIDE = 0x400;
    static final long RX_HEADER_BUFFERS = 0x0170_0000;
    static final int MAX_DATA_PER_TXD = 0x4000;
    /** The RSS key of the tests (the one Microsoft's RSS verification documents). */
    static final byte[] RSS_KEY = {
            0x6d, 0x5a, 0x56, (byte) 0xda, 0x25, 0x5b, 0x0e, (byte) 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
            (byte) 0xd0, (byte) 0xca, 0x2b, (byte) 0xcb, (byte) 0xae, 0x7b, 0x30, (byte) 0xb4, 0x77, (byte) 0xcb, 0x2d, (byte) 0xa3, (byte) 0x80,
            0x30, (byte) 0xf2, 0x0c, 0x6a, 0x42, (byte) 0xb7, 0x3b, (byte) 0xbe, (byte) 0xac, 0x01, (byte) 0xfa};

    /** A received frame with what its (EOP) descriptor said. */
    record Rx(int queue, byte[] frame, int status, int pktInfo, int dword1, int vlan, int hdrInfo, byte[] header) {}

    final IgbHarness h;
    final IgbFunction f;
    final HostMemory mem;
    final int ringSize;
    Mode mode = Mode.MSIX;
    int queues = 1;
    /** SRRCTL's packet buffer size (KiB) and descriptor type for every queue. */
    int rxBufferKiB = 2;
    int srrctlType = SRRCTL_DESCTYPE_ADV_ONEBUF;
    int srrctlExtra;
    int rctlExtra;
    int rxcsumExtra;
    /** RXCSUM.PCSD: the RSS hash rather than IP ID and packet checksum in the descriptor (Linux sets it). */
    boolean pcsd = true;
    int itr;
    boolean jumbo;
    MacAddress mac;
    boolean carrier;
    int watchdogRuns;
    int interruptsHandled;
    int irqNone;
    int vectorsHandled;
    final int[] txNextToUse = new int[16];
    final int[] txNextToClean = new int[16];
    final int[] rxNextToClean = new int[16];
    final List<Rx> received = new ArrayList<>();
    private int raisedSeen;
    int eimsEnableMask;
    int eimsOther;

    IgbDriver(IgbHarness h, int ringSize) {
        this.h = h;
        this.f = h.function;
        this.mem = h.memory;
        this.ringSize = ringSize;
    }

    IgbDriver(IgbHarness h) { this(h, 128); }

    // ---------------------------------------------------------------- accesses

    int rd(int reg) { return (int) f.mmioRead(0, reg, 4); }

    void wr(int reg, int v) {
        f.mmioWrite(0, reg, 4, v & 0xFFFF_FFFFL);
        h.settle();
    }

    void sleepMs(int ms) { h.advance(ms * 1_000_000L); }

    // ---------------------------------------------------------------- semaphores (igb_get_hw_semaphore, igb_acquire_swfw_sync_82575)

    void getHwSemaphore() {
        int i = 0;
        while ((rd(SWSM) & SWSM_SMBI) != 0) {
            if (++i > 200) throw new AssertionError("Driver can't access device - SMBI bit is set.");
        }
        for (i = 0; i < 200; i++) {
            int swsm = rd(SWSM);
            wr(SWSM, swsm | SWSM_SWESMBI);
            if ((rd(SWSM) & SWSM_SWESMBI) != 0) return;
        }
        throw new AssertionError("Driver can't access the NVM");
    }

    void putHwSemaphore() { wr(SWSM, rd(SWSM) & ~(SWSM_SMBI | SWSM_SWESMBI)); }

    void acquireSwFw(int mask) {
        for (int i = 0; i < 200; i++) {
            getHwSemaphore();
            int sync = rd(SW_FW_SYNC);
            if ((sync & (mask | mask << 16)) == 0) {
                wr(SW_FW_SYNC, sync | mask);
                putHwSemaphore();
                return;
            }
            putHwSemaphore();
            sleepMs(5);
        }
        throw new AssertionError("SW_FW_SYNC timeout");
    }

    void releaseSwFw(int mask) {
        getHwSemaphore();
        wr(SW_FW_SYNC, rd(SW_FW_SYNC) & ~mask);
        putHwSemaphore();
    }

    // ---------------------------------------------------------------- NVM (igb_read_nvm_eerd) and PHY (igb_read_phy_reg_igp)

    int readNvm(int word) {
        wr(EERD, word << 2 | EERD_START);
        for (int i = 0; i < 100; i++) {
            int v = rd(EERD);
            if ((v & EERD_DONE) != 0) return v >>> 16;
        }
        throw new AssertionError("EERD never done");
    }

    int readPhy(int reg) {
        acquireSwFw(SWFW_PHY0_SM);
        try {
            if (reg > 0x0F) mdicWrite(IGP01E1000_PHY_PAGE_SELECT, reg);
            return mdicRead(reg & 0x1F);
        } finally {
            releaseSwFw(SWFW_PHY0_SM);
        }
    }

    void writePhy(int reg, int value) {
        acquireSwFw(SWFW_PHY0_SM);
        try {
            if (reg > 0x0F) mdicWrite(IGP01E1000_PHY_PAGE_SELECT, reg);
            mdicWrite(reg & 0x1F, value);
        } finally {
            releaseSwFw(SWFW_PHY0_SM);
        }
    }

    private int mdicRead(int reg) {
        wr(MDIC, reg << 16 | 1 << 21 | MDIC_OP_READ);
        int mdic = pollMdic();
        if ((mdic & MDIC_ERROR) != 0) throw new AssertionError("MDI Error reading PHY register " + reg);
        assertEquals(reg, mdic >>> 16 & 0x1F, "MDI read offset");
        return mdic & 0xFFFF;
    }

    private void mdicWrite(int reg, int value) {
        wr(MDIC, value & 0xFFFF | reg << 16 | 1 << 21 | MDIC_OP_WRITE);
        if ((pollMdic() & MDIC_ERROR) != 0) throw new AssertionError("MDI Error writing PHY register " + reg);
    }

    private int pollMdic() {
        for (int i = 0; i < 1920; i++) {
            int mdic = rd(MDIC);
            if ((mdic & MDIC_READY) != 0) return mdic;
        }
        throw new AssertionError("MDI Read did not complete");
    }

    // ---------------------------------------------------------------- probe

    /** pci_enable_device_mem + pci_set_master. */
    void enableDevice() { f.config().write(0x04, 2, 0x6); }

    /** igb_probe: invariants, reset, NVM checksum, MAC, igb_reset, DRV_LOAD. Returns the NVM checksum sum. */
    int probe() {
        enableDevice();
        // get_invariants
        assertEquals(0, rd(CTRL_EXT) & CTRL_EXT_LINK_MODE_MASK, "internal copper PHY");
        int size = ((rd(EECD) & EECD_SIZE_EX_MASK) >>> 11) + 6;
        assertEquals(256, 1 << size, "NVM word size");
        assertEquals(0, rd(FWSM) & 0xE, "no manageability firmware");
        wr(CTRL_EXT, rd(CTRL_EXT) & ~CTRL_EXT_I2C_ENA);
        assertEquals(0, rd(STATUS) & 0xC, "function 0");
        int id = readPhy(PHY_ID1) << 16 | readPhy(PHY_ID2);
        assertEquals(IGP03E1000_E_PHY_ID, id & PHY_REVISION_MASK, "an accepted PHY ID");
        irqDisable();
        assertEquals(0, rd(MANC) & MANC_BLK_PHY_RST_ON_IDE, "PHY reset is not blocked");
        resetHw();
        int sum = 0;
        for (int i = 0; i <= NVM_CHECKSUM_REG; i++) sum = (sum + readNvm(i)) & 0xFFFF;
        if (sum != NVM_SUM) return sum; // "The NVM Checksum Is Not Valid": probe fails
        mac = MacAddress.fromReceiveAddress(rd(RA), rd(RA + 4));
        assertTrue(mac.isValidUnicast(), "Invalid MAC Address");
        wr(RA, mac.ral());
        wr(RA + 4, mac.rahAddressBits() | RAH_AV | RAH_POOL_1);
        readNvm(NVM_VERSION);
        readNvm(NVM_INIT_CONTROL3_PORT_A);
        reset();
        wr(CTRL_EXT, rd(CTRL_EXT) | CTRL_EXT_DRV_LOAD);
        return sum;
    }

    /** igb_reset_hw_82575. */
    void resetHw() {
        wr(CTRL, rd(CTRL) | CTRL_GIO_MASTER_DISABLE);
        int polls = 0;
        while ((rd(STATUS) & STATUS_GIO_MASTER_ENABLE) != 0) {
            if (++polls > 800) throw new AssertionError("PCI-E Master disable polling has failed");
        }
        int gcr = rd(GCR);
        if ((gcr & GCR_CMPL_TMOUT_MASK) == 0 && (gcr & GCR_CAP_VER2) != 0) {
            int devctl2 = f.config().read(0xA0 + 0x28, 2);
            f.config().write(0xA0 + 0x28, 2, devctl2 | 0x5);
        }
        wr(GCR, gcr & ~GCR_CMPL_TMOUT_RESEND);
        wr(IMC, 0xFFFF_FFFF);
        wr(RCTL, 0);
        wr(TCTL, TCTL_PSP);
        sleepMs(10);
        wr(CTRL, rd(CTRL) | CTRL_RST);
        int i = 0;
        while ((rd(EECD) & EECD_AUTO_RD) == 0) {
            if (++i > 10) throw new AssertionError("Auto Read Done did not complete");
        }
        assertTrue((rd(EECD) & EECD_PRES) != 0, "NVM present");
        wr(IMC, 0xFFFF_FFFF);
        rd(ICR);
        int alt = readNvm(NVM_ALT_MAC_ADDR_PTR);
        assertTrue(alt == 0xFFFF || alt == 0, "no alternate MAC");
    }

    /** igb_reset: packet buffer, reset_hw, init_hw (filters, link), flow control, statistics, VET, PTP. */
    void reset() {
        int pba = rd(RXPBS) & 0x7F;
        resetHw();
        wr(WUC, 0);
        // init_hw
        readNvm(NVM_ID_LED);
        rd(LEDCTL);
        for (int i = 0; i < 128; i++) wr(VFTA + 4 * i, 0);
        wr(RA, mac.ral());
        wr(RA + 4, mac.rahAddressBits() | RAH_AV | RAH_POOL_1);
        for (int i = 1; i < 16; i++) {
            wr(RA + 8 * i, 0);
            wr(RA + 8 * i + 4, 0);
        }
        for (int i = 0; i < 8; i++) {
            wr(RA2 + 8 * i, 0);
            wr(RA2 + 8 * i + 4, 0);
        }
        for (int i = 0; i < 128; i++) wr(MTA + 4 * i, 0);
        for (int i = 0; i < 128; i++) wr(UTA + 4 * i, 0);
        setupLink();
        wr(FCAL, 0x00C28001);
        wr(FCAH, 0x0100);
        wr(FCT, 0x8808);
        wr(FCTTV, 0x680);
        int hwm = pba * 1024 - 2 * 9728;
        wr(FCRTL, 0x8000_0000 | (hwm - 16) & 0xFFF0);
        wr(FCRTH, hwm & 0xFFF0);
        for (int off = 0x4000; off < 0x4140; off += 4) rd(off);
        wr(VET, 0x8100);
        wr(TIMINCA, 1 << 24 | 16 << 19);
        rd(SYSTIML);
        rd(SYSTIMH);
        readPhy(PHY_STATUS);
        readPhy(IGP01E1000_PHY_PORT_CONFIG);
    }

    /** igb_setup_link / igb_setup_copper_link_82575 for an IGP PHY. */
    void setupLink() {
        int fc = readNvm(NVM_INIT_CONTROL2) & 0x3000;
        wr(CTRL, (rd(CTRL) | CTRL_SLU) & ~(CTRL_FRCSPD | CTRL_FRCDPX));
        phyHwReset();
        sleepMs(100);
        writePhy(IGP02E1000_PHY_POWER_MGMT, readPhy(IGP02E1000_PHY_POWER_MGMT) & ~IGP02E1000_PM_D0_LPLU);
        writePhy(IGP01E1000_PHY_PORT_CONFIG, readPhy(IGP01E1000_PHY_PORT_CONFIG) & ~IGP01E1000_PSCFR_SMART_SPEED);
        writePhy(IGP01E1000_PHY_PORT_CTRL, readPhy(IGP01E1000_PHY_PORT_CTRL) | 0x3000);
        writePhy(PHY_1000T_CTRL, readPhy(PHY_1000T_CTRL) | 0x0300);
        writePhy(PHY_AUTONEG_ADV, 0x0DE1 | (fc == 0x3000 ? 0x0C00 : 0));
        writePhy(PHY_CONTROL, readPhy(PHY_CONTROL) | MII_CR_AUTO_NEG_EN | MII_CR_RESTART_AUTO_NEG);
        for (int i = 0; i < 10; i++) {
            readPhy(PHY_STATUS);
            if ((readPhy(PHY_STATUS) & MII_SR_LINK_STATUS) != 0) {
                assertTrue((readPhy(PHY_STATUS) & MII_SR_AUTONEG_COMPLETE) != 0, "autonegotiation complete with link");
                int local = readPhy(PHY_AUTONEG_ADV);
                int partner = readPhy(PHY_LP_ABILITY);
                rd(STATUS);
                if ((local & 0x400) != 0 && (partner & 0x400) != 0) wr(CTRL, rd(CTRL) | CTRL_RFCE | CTRL_TFCE);
                return;
            }
        }
    }

    /** igb_phy_hw_reset: under the PHY semaphore, then wait for the configuration cycle. */
    void phyHwReset() {
        acquireSwFw(SWFW_PHY0_SM);
        int ctrl = rd(CTRL);
        wr(CTRL, ctrl | CTRL_PHY_RST);
        h.advance(100_000);
        wr(CTRL, ctrl);
        releaseSwFw(SWFW_PHY0_SM);
        int i = 0;
        while ((rd(EEMNGCTL) & EEMNGCTL_CFG_DONE_PORT_0) == 0) {
            if (++i > 100) throw new AssertionError("MNG configuration cycle has not completed");
        }
    }

    /** igb_irq_disable. */
    void irqDisable() {
        if (mode == Mode.MSIX) {
            wr(EIAM, rd(EIAM) & ~eimsEnableMask);
            wr(EIMC, eimsEnableMask);
            wr(EIAC, rd(EIAC) & ~eimsEnableMask);
        }
        wr(IAM, 0);
        wr(IMC, 0xFFFF_FFFF);
    }

    /** igb_irq_enable. */
    void irqEnable() {
        if (mode == Mode.MSIX) {
            wr(EIAC, rd(EIAC) | eimsEnableMask);
            wr(EIAM, rd(EIAM) | eimsEnableMask);
            wr(EIMS, eimsEnableMask);
            wr(IMS, ICR_LSC | ICR_DOUTSYNC | ICR_DRSTA);
        } else {
            wr(IMS, IMS_ENABLE_MASK | ICR_DRSTA);
            wr(IAM, IMS_ENABLE_MASK | ICR_DRSTA);
        }
    }

    // ---------------------------------------------------------------- open

    /** __igb_open with {@code queues} queue pairs in {@code mode}. */
    void open(Mode mode, int queues) {
        this.mode = mode;
        this.queues = queues;
        carrier = false;
        enableInterruptCapability(mode);
        // igb_power_up_link
        phyHwReset();
        writePhy(PHY_CONTROL, readPhy(PHY_CONTROL) & ~MII_CR_POWER_DOWN);
        setupLink();
        configure();
        requestIrq();
        rd(TSICR);
        rd(ICR);
        irqEnable();
        watchdog();
        service();
    }

    void open() { open(Mode.MSIX, 1); }

    private void enableInterruptCapability(Mode mode) {
        switch (mode) {
            case MSIX -> {
                for (int v = 0; v < 10; v++) {
                    f.mmioWrite(3, 16L * v, 8, 0xFEE0_0000L + 16 * v);
                    f.mmioWrite(3, 16L * v + 8, 4, 0x4000 + v);
                    f.mmioWrite(3, 16L * v + 12, 4, 0);
                }
                f.config().write(0x72, 2, 0x8000);
            }
            case MSI -> {
                f.config().write(0x54, 4, 0xFEE0_0000);
                f.config().write(0x5C, 2, 0x4021);
                f.config().write(0x52, 2, 0x1);
            }
            case INTX -> { }
        }
    }

    /** igb_configure. */
    void configure() {
        wr(CTRL_EXT, rd(CTRL_EXT) | CTRL_EXT_DRV_LOAD);
        // set_rx_mode
        int rctl = rd(RCTL) & ~(RCTL_UPE | RCTL_MPE);
        wr(RCTL, rctl | RCTL_VFE);
        wr(VMOLR0, rd(VMOLR0) | VMOLR_BAM | VMOLR_AUPE | VMOLR_STRVLAN | (jumbo ? VMOLR_LPE | 9018 + 4 : 0));
        wr(RLPML, jumbo ? 0x3F00 : 1536);
        // VLAN mode, vid 0
        wr(CTRL, rd(CTRL) | CTRL_VME);
        wr(RCTL, rd(RCTL) & ~RCTL_CFIEN);
        wr(VFTA, rd(VFTA) | 1);
        // setup_tctl
        wr(txdctl(0), 0);
        wr(TCTL, TCTL_PSP | TCTL_RTLC | TCTL_CT | TCTL_COLD | TCTL_EN);
        // setup_mrqc
        for (int i = 0; i < 10; i++) wr(RSSRK + 4 * i, le32(RSS_KEY, 4 * i));
        for (int i = 0; i < 32; i++) {
            int reta = 0;
            for (int b = 0; b < 4; b++) reta |= ((4 * i + b) % queues) << (8 * b);
            wr(RETA + 4 * i, reta);
        }
        wr(RXCSUM, rd(RXCSUM) | (pcsd ? RXCSUM_PCSD : 0) | RXCSUM_CRCOFL | rxcsumExtra);
        wr(MRQC, MRQC_ENABLE_RSS_MQ | MRQC_RSS_FIELD_IPV4 | MRQC_RSS_FIELD_IPV4_TCP | MRQC_RSS_FIELD_IPV6 | MRQC_RSS_FIELD_IPV6_TCP
                | MRQC_RSS_FIELD_IPV6_TCP_EX | MRQC_RSS_FIELD_IPV4_UDP | MRQC_RSS_FIELD_IPV6_UDP);
        // setup_rctl
        wr(RCTL, (rd(RCTL) & ~0x3000) | RCTL_EN | RCTL_BAM | RCTL_RDMTS_HALF | RCTL_SECRC | RCTL_LPE | rctlExtra);
        wr(rxdctl(0), 0);
        // configure_tx
        for (int q = 0; q < queues; q++) {
            wr(txdctl(q), 0);
            sleepMs(10);
            long ring = TX_RINGS + RING_STRIDE * q;
            wr(tdlen(q), ringSize * 16);
            wr(tdbal(q), (int) ring);
            wr(tdbah(q), (int) (ring >>> 32));
            wr(tdh(q), 0);
            wr(tdt(q), 0);
            txNextToUse[q] = 0;
            txNextToClean[q] = 0;
            wr(txdctl(q), 8 | 1 << 8 | 16 << 16 | TXDCTL_ENABLE);
        }
        wr(RA, mac.ral());
        wr(RA + 4, mac.rahAddressBits() | RAH_AV | RAH_POOL_1);
        // configure_rx
        for (int q = 0; q < queues; q++) {
            wr(rxdctl(q), 0);
            long ring = RX_RINGS + RING_STRIDE * q;
            wr(rdbal(q), (int) ring);
            wr(rdbah(q), (int) (ring >>> 32));
            wr(rdlen(q), ringSize * 16);
            wr(rdh(q), 0);
            wr(rdt(q), 0);
            rxNextToClean[q] = 0;
            wr(srrctl(q), 4 << 8 | rxBufferKiB | srrctlType | srrctlExtra);
            wr(rxdctl(q), 8 | 8 << 8 | 4 << 16 | RXDCTL_ENABLE);
        }
        wr(RFCTL, rd(RFCTL) | RFCTL_IPV6_EX_DIS);
        for (int q = 0; q < queues; q++) {
            for (int i = 0; i < ringSize; i++) armRx(q, i);
            wr(rdt(q), ringSize - 1);
        }
    }

    /** igb_request_irq: MSI-X vectors through IVAR, or queue 0 on vector 0. */
    void requestIrq() {
        eimsEnableMask = 0;
        if (mode == Mode.MSIX) {
            wr(GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_EIAME | GPIE_NSICR);
            eimsOther = 1;
            wr(IVAR_MISC, (IVAR_VALID | 0) << 8);
            eimsEnableMask |= eimsOther;
            for (int q = 0; q < queues; q++) {
                int vector = q + 1;
                assignVector(q, vector);
                wr(eitr(vector), itr);
                eimsEnableMask |= 1 << vector;
            }
        } else {
            assignVector(0, 0);
            wr(eitr(0), itr);
        }
    }

    /** igb_assign_vector for the 82576: IVAR0[q & 7], bytes 0/2 receive, 1/3 transmit. */
    private void assignVector(int q, int vector) {
        int index = q & 7;
        int shift = (q & 8) << 1;
        int ivar = rd(ivar(index));
        ivar &= ~(0xFF << shift);
        ivar |= (vector | IVAR_VALID) << shift;
        ivar &= ~(0xFF << (shift + 8));
        ivar |= (vector | IVAR_VALID) << (shift + 8);
        wr(ivar(index), ivar);
    }

    void armRx(int q, int i) {
        long d = RX_RINGS + RING_STRIDE * q + 16L * i;
        mem.put64(d, rxBuffer(q, i));
        mem.put64(d + 8, srrctlType == SRRCTL_DESCTYPE_HDR_SPLIT ? RX_HEADER_BUFFERS + 0x100L * (q * ringSize + i) : 0);
    }

    long rxBuffer(int q, int i) { return RX_BUFFERS + RX_BUFFER_STRIDE * ((long) q * ringSize + i) * rxBufferKiB; }

    // ---------------------------------------------------------------- interrupts, NAPI and the watchdog

    /**
     * Runs the interrupt handlers for what the device signalled: each raised vector (MSI-X: 0 is
     * "other", q + 1 is queue pair q; MSI: vector 0), or the INTx line while it is high.
     */
    void service() {
        for (int guard = 0; guard < 10_000; guard++) {
            if (mode == Mode.INTX) {
                if (!h.irq.level) return;
                intx();
                continue;
            }
            if (raisedSeen >= h.irq.raised.size()) return;
            int vector = h.irq.raised.get(raisedSeen++);
            vectorsHandled++;
            if (mode == Mode.MSI) msi();
            else if (vector == 0) msixOther();
            else msixRing(vector - 1);
        }
        throw new AssertionError("interrupts never stopped");
    }

    /** Vectors the device raised that the driver has not handled yet. */
    int unhandledVectors() { return h.irq.raised.size() - raisedSeen; }

    /** Forgets raised vectors (a masked or disabled interrupt the kernel would not deliver). */
    void dropRaised() { raisedSeen = h.irq.raised.size(); }

    private void intx() {
        int icr = rd(ICR);
        if ((icr & ICR_INT_ASSERTED) == 0) {
            irqNone++;
            throw new AssertionError("INTx line high but ICR.INT_ASSERTED clear: igb_intr says IRQ_NONE");
        }
        interruptsHandled++;
        if ((icr & (ICR_RXSEQ | ICR_LSC)) != 0) watchdog();
        napi(0, true);
    }

    private void msi() {
        int icr = rd(ICR);
        interruptsHandled++;
        if ((icr & (ICR_RXSEQ | ICR_LSC)) != 0) watchdog();
        napi(0, true);
    }

    private void msixOther() {
        int icr = rd(ICR);
        interruptsHandled++;
        if ((icr & ICR_LSC) != 0) watchdog();
        wr(EIMS, eimsOther);
    }

    private void msixRing(int q) {
        interruptsHandled++;
        napi(q, false);
    }

    /** The NAPI poll of a queue vector (in MSI / INTx mode: every queue), then re-enable. */
    private void napi(int q, boolean all) {
        if (all) {
            for (int i = 0; i < queues; i++) {
                cleanTx(i);
                cleanRx(i);
            }
            irqEnable();
        } else {
            cleanTx(q);
            cleanRx(q);
            wr(EIMS, 1 << (q + 1));
        }
    }

    /** igb_watchdog_task: link check (BMSR twice, downshift), carrier, statistics, a forced poll. */
    void watchdog() {
        watchdogRuns++;
        readPhy(PHY_STATUS);
        boolean link = (readPhy(PHY_STATUS) & MII_SR_LINK_STATUS) != 0;
        readPhy(IGP01E1000_PHY_LINK_HEALTH);
        int status = rd(STATUS);
        if (link && (status & STATUS_LU) != 0) {
            assertEquals(STATUS_SPEED_1000 | STATUS_FD, status & (0xC0 | STATUS_FD), "1000 Mbps Full Duplex");
            carrier = true;
        } else {
            carrier = false;
        }
        for (int q = 0; q < queues; q++) rd(rqdpc(q));
        rd(TSYNCRXCTL);
        if (mode == Mode.MSIX) {
            int eics = 0;
            for (int q = 0; q < queues; q++) eics |= 1 << (q + 1);
            wr(EICS, eics);
        } else {
            wr(ICS, ICR_RXDMT0);
        }
    }

    // ---------------------------------------------------------------- transmit

    long txBuffer(int q, int slot) { return TX_BUFFERS + TX_BUFFER_SIZE * ((long) q * ringSize + slot); }

    private void txDescriptor(int q, int slot, long address, int cmdTypeLen, int olinfo) {
        long d = TX_RINGS + RING_STRIDE * q + 16L * slot;
        mem.put64(d, address);
        mem.put32(d + 8, cmdTypeLen);
        mem.put32(d + 12, olinfo);
    }

    /** igb_tx_ctxtdesc. */
    void contextDescriptor(int q, int vlanMacIpLens, int typeTucmd, int mssL4lenIdx) {
        int slot = txNextToUse[q];
        long d = TX_RINGS + RING_STRIDE * q + 16L * slot;
        mem.put32(d, vlanMacIpLens);
        mem.put32(d + 4, 0);
        mem.put32(d + 8, ADVTXD_DTYP_CTXT | ADVTXD_DCMD_DEXT | typeTucmd);
        mem.put32(d + 12, mssL4lenIdx);
        txNextToUse[q] = (slot + 1) % ringSize;
    }

    /** igb_tx_map: data descriptors of at most MAX_DATA_PER_TXD; EOP and RS on the last. */
    void dataDescriptors(int q, byte[] frame, int cmd, int olinfo) {
        int off = 0;
        do {
            int n = Math.min(MAX_DATA_PER_TXD, frame.length - off);
            int slot = txNextToUse[q];
            mem.put(txBuffer(q, slot), frame, off, n);
            off += n;
            boolean last = off == frame.length;
            txDescriptor(q, slot, txBuffer(q, slot), n | ADVTXD_DTYP_DATA | ADVTXD_DCMD_DEXT | ADVTXD_DCMD_IFCS | cmd
                    | (last ? ADVTXD_DCMD_EOP | ADVTXD_DCMD_RS : 0), olinfo);
            txNextToUse[q] = (slot + 1) % ringSize;
        } while (off < frame.length);
    }

    /** A frame without offloads on queue {@code q} (the ping case: one data descriptor). */
    void transmit(int q, byte[] frame) {
        dataDescriptors(q, frame, 0, frame.length << ADVTXD_PAYLEN_SHIFT);
        wr(tdt(q), txNextToUse[q]);
    }

    void transmit(byte[] frame) { transmit(0, frame); }

    /** igb_tx_csum: a context (MACLEN, IPLEN, L4T), then data with TXSM (and IXSM when asked). */
    void transmitChecksummed(int q, byte[] frame, int macLen, int ipLen, int l4Type, boolean ixsm) {
        contextDescriptor(q, ipLen | macLen << 9, l4Type | (ixsm ? ADVTXD_TUCMD_IPV4 : 0), 0);
        dataDescriptors(q, frame, 0, frame.length << ADVTXD_PAYLEN_SHIFT | ADVTXD_POPTS_TXSM | (ixsm ? ADVTXD_POPTS_IXSM : 0));
        wr(tdt(q), txNextToUse[q]);
    }

    /** A frame with a VLAN tag inserted by the device (a context holding only the tag, VLE). */
    void transmitTagged(int q, byte[] frame, int tci) {
        contextDescriptor(q, tci << 16 | 14 << 9, 0, 0);
        dataDescriptors(q, frame, ADVTXD_DCMD_VLE, frame.length << ADVTXD_PAYLEN_SHIFT);
        wr(tdt(q), txNextToUse[q]);
    }

    /** igb_tso: IPv4 or IPv6, TCP or UDP; PAYLEN excludes the headers, IXSM for IPv4. */
    void transmitTso(int q, byte[] frame, boolean ipv6, boolean tcp, int mss) {
        int ipLen = ipv6 ? 40 : 20;
        int l4Len = tcp ? 20 : 8;
        int hdrLen = 14 + ipLen + l4Len;
        contextDescriptor(q, ipLen | 14 << 9, (tcp ? ADVTXD_TUCMD_L4T_TCP : 0) | (ipv6 ? 0 : ADVTXD_TUCMD_IPV4), l4Len << 8 | mss << 16);
        int olinfo = (frame.length - hdrLen) << ADVTXD_PAYLEN_SHIFT | ADVTXD_POPTS_TXSM | (ipv6 ? 0 : ADVTXD_POPTS_IXSM);
        dataDescriptors(q, frame, ADVTXD_DCMD_TSE, olinfo);
        wr(tdt(q), txNextToUse[q]);
    }

    /** igb_clean_tx_irq: frees descriptors up to each packet's EOP descriptor whose DD is set. */
    int cleanTx(int q) {
        int cleaned = 0;
        while (txNextToClean[q] != txNextToUse[q]) {
            // find the packet's EOP descriptor: the first from next_to_clean with EOP in cmd_type_len
            int i = txNextToClean[q];
            int eop = -1;
            for (int k = i; k != txNextToUse[q]; k = (k + 1) % ringSize) {
                long d = TX_RINGS + RING_STRIDE * q + 16L * k;
                int cmd = mem.u32(d + 8);
                if ((cmd & ADVTXD_DCMD_DEXT) != 0 && (cmd & 0x00F0_0000) == ADVTXD_DTYP_DATA && (cmd & ADVTXD_DCMD_EOP) != 0) {
                    eop = k;
                    break;
                }
            }
            if (eop < 0) break;
            if ((mem.u32(TX_RINGS + RING_STRIDE * q + 16L * eop + 12) & TXD_STAT_DD) == 0) break;
            cleaned += Math.floorMod(eop + 1 - i, ringSize);
            txNextToClean[q] = (eop + 1) % ringSize;
        }
        return cleaned;
    }

    // ---------------------------------------------------------------- receive

    /**
     * igb_clean_rx_irq (6.1): a descriptor is done when its length is not 0; frames end at EOP.
     * Buffers go back (length cleared) and RDT moves to the last one given back.
     */
    int cleanRx(int q) {
        int frames = 0;
        byte[] acc = new byte[0];
        byte[] header = null;
        int hdrInfo = 0;
        int start = rxNextToClean[q];
        int i = start;
        int cleanedTo = -1;
        long ring = RX_RINGS + RING_STRIDE * q;
        for (int n = 0; n < ringSize; n++) {
            long d = ring + 16L * i;
            int length = mem.u16(d + 12);
            int staterr = mem.u32(d + 8);
            if (length == 0 && (staterr & RXD_STAT_DD) == 0) break;
            assertTrue((staterr & RXD_STAT_DD) != 0, "DD with the length");
            if (acc.length == 0 && header == null) {
                hdrInfo = mem.u16(d + 2);
                int hlen = (hdrInfo & 0x7FE0) >>> 5;
                if (hlen > 0) header = mem.get(RX_HEADER_BUFFERS + 0x100L * (q * ringSize + i), hlen);
            }
            byte[] data = mem.get(rxBuffer(q, i), length);
            byte[] next = Arrays.copyOf(acc, acc.length + length);
            System.arraycopy(data, 0, next, acc.length, length);
            acc = next;
            i = (i + 1) % ringSize;
            if ((staterr & RXD_STAT_EOP) != 0) {
                byte[] frame = acc;
                if (header != null) {
                    frame = new byte[header.length + acc.length];
                    System.arraycopy(header, 0, frame, 0, header.length);
                    System.arraycopy(acc, 0, frame, header.length, acc.length);
                }
                received.add(new Rx(q, frame, staterr, mem.u16(d), mem.u32(d + 4), mem.u16(d + 14), hdrInfo, header));
                frames++;
                acc = new byte[0];
                header = null;
                cleanedTo = i;
            }
        }
        if (cleanedTo < 0) return 0;
        for (int k = start; k != cleanedTo; k = (k + 1) % ringSize) armRx(q, k);
        rxNextToClean[q] = cleanedTo;
        wr(rdt(q), (cleanedTo + ringSize - 1) % ringSize);
        return frames;
    }

    /** Everything received so far, after servicing interrupts. */
    List<Rx> drain() {
        service();
        for (int q = 0; q < queues; q++) cleanRx(q);
        List<Rx> out = new ArrayList<>(received);
        received.clear();
        return out;
    }

    /** The frames of {@link #drain}. */
    List<byte[]> drainFrames() { return drain().stream().map(Rx::frame).toList(); }

    static int le32(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24; }
}
