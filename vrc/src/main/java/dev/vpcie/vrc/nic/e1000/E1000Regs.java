package dev.vpcie.vrc.nic.e1000;

/**
 * 82540EM register offsets and bits, as the 8254x Family Developer's Manual and the Linux e1000
 * driver name them. The driver's own copy: the device model keeps separate constants, so a test
 * of one against the other means something.
 */
final class E1000Regs {
    private E1000Regs() {}

    static final int VENDOR_INTEL = 0x8086, DEVICE_82540EM = 0x100E;

    static final int CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, CTRL_EXT = 0x0018, FCAL = 0x0028, FCAH = 0x002C,
            FCT = 0x0030, VET = 0x0038, ICR = 0x00C0, ITR = 0x00C4, ICS = 0x00C8, IMS = 0x00D0, IMC = 0x00D8,
            RCTL = 0x0100, FCTTV = 0x0170, TCTL = 0x0400, TIPG = 0x0410, LEDCTL = 0x0E00, PBA = 0x1000,
            FCRTL = 0x2160, FCRTH = 0x2168,
            RDBAL = 0x2800, RDBAH = 0x2804, RDLEN = 0x2808, RDH = 0x2810, RDT = 0x2818, RDTR = 0x2820, RADV = 0x282C,
            TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818, TIDV = 0x3820, TXDCTL = 0x3828,
            TADV = 0x382C, RXCSUM = 0x5000, MTA = 0x5200, RA = 0x5400, VFTA = 0x5600, WUC = 0x5800, MANC = 0x5820;
    static final int MTA_ENTRIES = 128, VFTA_ENTRIES = 128, RAR_ENTRIES = 16;

    /** The I/O BAR window: IOADDR selects a register, IODATA accesses it. */
    static final int IOADDR = 0x00, IODATA = 0x04;

    // CTRL
    static final int CTRL_SLU = 0x40, CTRL_FRCSPD = 0x800, CTRL_FRCDPX = 0x1000, CTRL_RST = 0x0400_0000,
            CTRL_RFCE = 0x0800_0000, CTRL_TFCE = 0x1000_0000;
    // STATUS
    static final int STATUS_FD = 0x1, STATUS_LU = 0x2, STATUS_TBIMODE = 0x20, STATUS_SPEED_MASK = 0xC0,
            STATUS_SPEED_100 = 0x40;
    // EECD: the microwire bit-bang port
    static final int EECD_SK = 0x1, EECD_CS = 0x2, EECD_DI = 0x4, EECD_DO = 0x8, EECD_REQ = 0x40, EECD_GNT = 0x80,
            EECD_PRES = 0x100, EECD_SIZE = 0x200;
    // Interrupt causes
    static final int ICR_TXDW = 0x01, ICR_TXQE = 0x02, ICR_LSC = 0x04, ICR_RXSEQ = 0x08, ICR_RXDMT0 = 0x10, ICR_RXO = 0x40,
            ICR_RXT0 = 0x80;
    /** What e1000_irq_enable unmasks: RXT0 | TXDW | RXDMT0 | RXSEQ | LSC. */
    static final int IMS_ENABLE = ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC;
    // RCTL
    static final int RCTL_EN = 0x2, RCTL_UPE = 0x8, RCTL_MPE = 0x10, RCTL_LPE = 0x20, RCTL_BAM = 0x8000,
            RCTL_SECRC = 0x0400_0000;
    /** RXCSUM: IPv4 header and TCP/UDP checksum offload (e1000_configure_rx sets TUOFL when rx_csum is on, its default). */
    static final int RXCSUM_IPOFL = 0x100, RXCSUM_TUOFL = 0x200;
    /** RCTL.BSIZE 00 with BSEX 0: 2048-byte buffers. */
    static final int RX_BUFFER = 2048;
    // TCTL
    static final int TCTL_EN = 0x2, TCTL_PSP = 0x8, TCTL_CT = 0x0F << 4, TCTL_COLD_FD = 0x3F << 12, TCTL_RTLC = 0x0100_0000;
    /** IPGT 8, IPGR1 8, IPGR2 6: the 8254x copper defaults. */
    static final int TIPG_COPPER = 8 | 8 << 10 | 6 << 20;
    /** GRAN | WTHRESH 1, which e1000_reset ORs into TXDCTL. */
    static final int TXDCTL_FULL_TX_DESC_WB = 0x0101_0000, TXDCTL_WTHRESH = 0x003F_0000;
    static final int RAH_AV = 0x8000_0000;
    static final int MANC_ARP_EN = 0x2000;
    /** Packet buffer: 48 KB for receive. */
    static final int PBA_48K = 48;
    static final int VLAN_TYPE = 0x8100;

    // EEPROM words
    static final int EEPROM_WORDS_CHECKED = 0x40, EEPROM_INIT_CONTROL2 = 0x0F, EEPROM_CHECKSUM_SUM = 0xBABA;
    static final int EEPROM_PAUSE_MASK = 0x3000, EEPROM_ASM_DIR = 0x2000;

    // Marvell 88E1011 PHY
    static final int PHY_ADDRESS = 1;
    static final int M88E1011_I_PHY_ID = 0x0141_0C20, PHY_REVISION_MASK = 0xFFFF_FFF0;
    static final int M88_PSCR = 0x10, M88_PSSR = 0x11, M88_EPSCR = 0x14;
    static final int PSCR_POLARITY_REVERSAL = 0x0002, PSCR_AUTO_X_MODE = 0x0060, PSCR_ASSERT_CRS_ON_TX = 0x0800;
    static final int EPSCR_TX_CLK_25 = 0x0070, EPSCR_MASTER_DOWNSHIFT_MASK = 0x0C00, EPSCR_SLAVE_DOWNSHIFT_MASK = 0x0300,
            EPSCR_MASTER_DOWNSHIFT_1X = 0x0400, EPSCR_SLAVE_DOWNSHIFT_1X = 0x0100;
    /** The EPSCR downshift settings apply below this PHY revision. */
    static final int M88E1011_I_REV_4 = 4;
}
