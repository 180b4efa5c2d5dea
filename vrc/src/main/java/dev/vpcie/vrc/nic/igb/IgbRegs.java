package dev.vpcie.vrc.nic.igb;

/**
 * 82576 register offsets and bits, as the 82576 datasheet and the Linux igb driver name them.
 * The driver's own copy, independent of the device model's.
 */
final class IgbRegs {
    private IgbRegs() {}

    static final int VENDOR_INTEL = 0x8086, DEVICE_82576 = 0x10C9;

    static final int CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, EERD = 0x0014, CTRL_EXT = 0x0018, FCAL = 0x0028,
            FCAH = 0x002C, FCT = 0x0030, VET = 0x0038, ICR = 0x00C0, ICS = 0x00C8, IMS = 0x00D0, IMC = 0x00D8, IAM = 0x00E0,
            RCTL = 0x0100, FCTTV = 0x0170, TCTL = 0x0400, LEDCTL = 0x0E00, EEMNGCTL = 0x1010, GPIE = 0x1514, EICS = 0x1520,
            EIMS = 0x1524, EIMC = 0x1528, EIAC = 0x152C, EIAM = 0x1530, EICR = 0x1580, IVAR_MISC = 0x1740,
            FCRTL = 0x2160, FCRTH = 0x2168, RXPBS = 0x2404, RXCSUM = 0x5000, RLPML = 0x5004, RFCTL = 0x5008, MTA = 0x5200,
            VFTA = 0x5600, WUC = 0x5800, MRQC = 0x5818, MANC = 0x5820, GCR = 0x5B00, SWSM = 0x5B50, SW_FW_SYNC = 0x5B5C,
            RETA = 0x5C00, RSSRK = 0x5C80, UTA = 0xA000;
    static final int MTA_ENTRIES = 128, VFTA_ENTRIES = 128, UTA_ENTRIES = 128, RAR_ENTRIES = 24, RETA_REGISTERS = 32,
            RSSRK_REGISTERS = 10;

    static int eitr(int vector) { return 0x1680 + 4 * vector; }

    static int ivar0(int index) { return 0x1700 + 4 * index; }

    /** RAL(n): 0x5400 + 8n for n < 16, 0x54E0 + 8(n-16) above; RAH(n) is 4 bytes further. */
    static int ral(int n) { return n < 16 ? 0x5400 + 8 * n : 0x54E0 + 8 * (n - 16); }

    /** RX queue n's register block: the legacy alias 0x2800 + 0x100n for n < 4 (as Linux uses), else 0xC000 + 0x40n. */
    static int rxQueue(int n) { return n < 4 ? 0x2800 + 0x100 * n : 0xC000 + 0x40 * n; }

    /** TX queue n's register block: 0x3800 + 0x100n for n < 4, else 0xE000 + 0x40n. */
    static int txQueue(int n) { return n < 4 ? 0x3800 + 0x100 * n : 0xE000 + 0x40 * n; }

    // Offsets inside a queue block.
    static final int Q_BAL = 0x00, Q_BAH = 0x04, Q_LEN = 0x08, RX_SRRCTL = 0x0C, Q_HEAD = 0x10, Q_TAIL = 0x18, Q_DCTL = 0x28;

    // CTRL
    static final int CTRL_GIO_MASTER_DISABLE = 0x4, CTRL_SLU = 0x40, CTRL_FRCSPD = 0x800, CTRL_FRCDPX = 0x1000,
            CTRL_RST = 0x0400_0000, CTRL_RFCE = 0x0800_0000, CTRL_TFCE = 0x1000_0000, CTRL_PHY_RST = 0x8000_0000;
    // STATUS
    static final int STATUS_FD = 0x1, STATUS_LU = 0x2, STATUS_SPEED_MASK = 0xC0, STATUS_SPEED_100 = 0x40,
            STATUS_GIO_MASTER_ENABLE = 0x8_0000;
    // EECD
    static final int EECD_PRES = 0x100, EECD_AUTO_RD = 0x200, EECD_SIZE_EX_MASK = 0x7800, EECD_SIZE_EX_SHIFT = 11;
    // EERD
    static final int EERD_START = 0x1, EERD_DONE = 0x2, EERD_ADDR_SHIFT = 2, EERD_DATA_SHIFT = 16;
    // CTRL_EXT
    static final int CTRL_EXT_LINK_MODE_MASK = 0x00C0_0000, CTRL_EXT_I2C_ENA = 0x0200_0000, CTRL_EXT_DRV_LOAD = 0x1000_0000;
    static final int EEMNGCTL_CFG_DONE_PORT_0 = 0x4_0000;
    static final int MANC_BLK_PHY_RST_ON_IDE = 0x4_0000;
    // GCR
    static final int GCR_CMPL_TMOUT_MASK = 0xF000, GCR_CMPL_TMOUT_10MS = 0x1000, GCR_CMPL_TMOUT_RESEND = 0x1_0000,
            GCR_CAP_VER2 = 0x4_0000;
    /** PCIe Device Control 2 completion timeout value for the 16-55 ms range. */
    static final int DEVCTL2_CMPL_TIMEOUT_16MS = 0x5;
    // SWSM and SW_FW_SYNC
    static final int SWSM_SMBI = 0x1, SWSM_SWESMBI = 0x2;
    static final int SWFW_EEP_SM = 0x1, SWFW_PHY0_SM = 0x2;
    // Interrupt causes
    static final int ICR_TXDW = 0x1, ICR_LSC = 0x4, ICR_RXSEQ = 0x8, ICR_RXDMT0 = 0x10, ICR_RXO = 0x40, ICR_RXT0 = 0x80,
            ICR_DOUTSYNC = 0x1000_0000, ICR_DRSTA = 0x4000_0000, ICR_INT_ASSERTED = 0x8000_0000;
    /** IMS_ENABLE_MASK | DRSTA: what igb unmasks in MSI and INTx mode. */
    static final int IMS_ENABLE_LEGACY = ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC | ICR_DRSTA;
    /** The "other" causes igb unmasks in MSI-X mode. */
    static final int IMS_ENABLE_MSIX = ICR_LSC | ICR_DOUTSYNC | ICR_DRSTA;
    // GPIE
    static final int GPIE_NSICR = 0x1, GPIE_MSIX_MODE = 0x10, GPIE_EIAME = 0x4000_0000, GPIE_PBA = 0x8000_0000;
    static final int IVAR_VALID = 0x80;
    static final int EITR_INTERVAL_MASK = 0x7FFC;
    // RCTL
    static final int RCTL_EN = 0x2, RCTL_UPE = 0x8, RCTL_MPE = 0x10, RCTL_LPE = 0x20, RCTL_BAM = 0x8000,
            RCTL_SECRC = 0x0400_0000;
    // SRRCTL: 2 KB packet buffer, 256-byte header buffer, advanced one-buffer descriptors
    static final int RX_BUFFER = 2048;
    static final int SRRCTL_BSIZEPKT_2K = RX_BUFFER >> 10, SRRCTL_BSIZEHDR_256 = 4 << 8, SRRCTL_DESCTYPE_ADV_ONEBUF = 0x0200_0000;
    // Queue control
    static final int DCTL_ENABLE = 0x0200_0000;
    static final int RX_PTHRESH = 8, RX_HTHRESH = 8, TX_PTHRESH = 8, TX_HTHRESH = 1;
    // TCTL
    static final int TCTL_EN = 0x2, TCTL_PSP = 0x8, TCTL_CT = 0x0F << 4, TCTL_COLD = 0x3F << 12, TCTL_RTLC = 0x0100_0000;
    // RSS
    static final int MRQC_ENABLE_RSS_MQ = 0x2, MRQC_RSS_FIELD_IPV4_TCP = 0x1_0000, MRQC_RSS_FIELD_IPV4 = 0x2_0000,
            MRQC_RSS_FIELD_IPV6_TCP_EX = 0x4_0000, MRQC_RSS_FIELD_IPV6 = 0x10_0000, MRQC_RSS_FIELD_IPV6_TCP = 0x20_0000;
    static final int RXCSUM_CRCOFL = 0x800, RXCSUM_PCSD = 0x2000;
    static final int RFCTL_IPV6_EX_DIS = 0x1_0000;
    static final int RAH_AV = 0x8000_0000, RAH_POOL_0 = 1 << 18;
    static final int RXPBS_SIZE_MASK = 0x7F;
    static final int VLAN_TYPE = 0x8100;

    // NVM words
    static final int NVM_INIT_CONTROL2 = 0x0F, NVM_ALT_MAC_ADDR_PTR = 0x37;
    static final int NVM_PAUSE_MASK = 0x3000, NVM_ASM_DIR = 0x2000;

    // IGP3 PHY
    static final int PHY_ADDRESS = 1;
    static final int IGP03E1000_E_PHY_ID = 0x02A8_0390, PHY_REVISION_MASK = 0xFFFF_FFF0;
    /** Registers above this need the page select write first. */
    static final int MAX_PHY_MULTI_PAGE_REG = 0x0F;
    static final int IGP_PAGE_SELECT = 0x1F, IGP_PORT_CTRL = 0x12, IGP_POWER_MGMT = 0x19;
    static final int IGP_PSCR_AUTO_MDIX = 0x1000, IGP_PSCR_FORCE_MDI_MDIX = 0x2000;
    static final int IGP_PM_D0_LPLU = 0x0002, IGP_PM_D3_LPLU = 0x0004;
    static final int GBCR_MS_ENABLE = 0x1000;
}
