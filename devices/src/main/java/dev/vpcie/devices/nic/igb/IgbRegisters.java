package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.NicRegisters;

/**
 * Register offsets and bit fields of the 82576, as Intel's datasheet and the Linux igb driver name
 * them. Their behaviour is in {@link IgbCore}'s table; drivers keep their own copy of these
 * numbers.
 *
 * <h2>Queue registers</h2>
 * Each of the 16 receive and 16 transmit queues has a block of registers: receive queue {@code n}
 * at {@code 0xC000 + 0x40 n}, transmit queue {@code n} at {@code 0xE000 + 0x40 n}. Queues 0..3 are
 * also reachable at the 8254x-compatible addresses {@code 0x2800 + 0x100 n} and
 * {@code 0x3800 + 0x100 n}, which the Linux driver uses; both reach the same register.
 */
public final class IgbRegisters extends NicRegisters {
    private IgbRegisters() {}

    /** Size of the I/O BAR (BAR2): IOADDR at 0, IODATA at 4, the rest reserved. */
    public static final int IO_BAR_SIZE = 0x20;
    /** Size of the MSI-X BAR (BAR3): the table at 0, the Pending Bit Array at {@link #MSIX_PBA_OFFSET}. */
    public static final int MSIX_BAR_SIZE = 0x4000;
    public static final int MSIX_TABLE_OFFSET = 0x0000;
    public static final int MSIX_PBA_OFFSET = 0x2000;
    /** MSI-X vectors of the physical function: one per queue pair up to 8, plus "other", plus one spare. */
    public static final int MSIX_VECTORS = 10;

    public static final int QUEUES = 16;
    /** Interrupt vectors EICR can name (bits 24:0), and EITR registers. */
    public static final int VECTORS = 25;
    /** Receive address pairs: 16 at RA, 8 more at RA2. */
    public static final int RECEIVE_ADDRESSES = 24;
    public static final int NVM_WORDS = 256;

    // ------------------------------------------------------------ general
    public static final int CTRL_DUP = 0x0004;
    public static final int SCTL = 0x0024;
    public static final int IAM = 0x00E0;
    public static final int TCTL_EXT = 0x0404;
    public static final int EEMNGCTL = 0x1010;
    public static final int GPIE = 0x1514;
    public static final int EICS = 0x1520;
    public static final int EIMS = 0x1524;
    public static final int EIMC = 0x1528;
    public static final int EIAC = 0x152C;
    public static final int EIAM = 0x1530;
    public static final int EICR = 0x1580;
    /** EITR(n), n = 0..24. */
    public static final int EITR = 0x1680;
    /** IVAR0[n], n = 0..7. */
    public static final int IVAR0 = 0x1700;
    public static final int IVAR_MISC = 0x1740;
    public static final int RXPBS = 0x2404;
    public static final int QDE = 0x2408;
    public static final int FCRTV = 0x2460;
    public static final int TXPBS = 0x3404;
    public static final int DTXSWC = 0x3500;
    public static final int DTXCTL = 0x3590;
    public static final int RLPML = 0x5004;
    public static final int RFCTL = 0x5008;
    /** PSRTYPE[n], n = 0..7 (packet split receive type per pool). */
    public static final int PSRTYPE = 0x5480;
    public static final int RA2 = 0x54E0;
    public static final int MRQC = 0x5818;
    public static final int VT_CTL = 0x581C;
    /** VMOLR[n], n = 0..7. */
    public static final int VMOLR = 0x5AD0;
    public static final int GCR = 0x5B00;
    public static final int SWSM = 0x5B50;
    public static final int FWSM = 0x5B54;
    public static final int SW_FW_SYNC = 0x5B5C;
    /** RETA[n], n = 0..31: 128 one-byte entries. */
    public static final int RETA = 0x5C00;
    /** RSSRK[n], n = 0..9: the 40-byte RSS key. */
    public static final int RSSRK = 0x5C80;
    /** ETQF[n], n = 0..7. */
    public static final int ETQF = 0x5CB0;
    /** VLVF[n], n = 0..31 (VLAN pool filters). */
    public static final int VLVF = 0x5D00;
    public static final int TSYNCRXCFG = 0x5F50;
    /** UTA[n], n = 0..127 (unicast hash, VMDq only). */
    public static final int UTA = 0xA000;
    public static final int SYSTIML = 0xB600;
    public static final int SYSTIMH = 0xB604;
    public static final int TIMINCA = 0xB608;
    public static final int TIMADJL = 0xB60C;
    public static final int TIMADJH = 0xB610;
    public static final int TSYNCTXCTL = 0xB614;
    public static final int TXSTMPL = 0xB618;
    public static final int TXSTMPH = 0xB61C;
    public static final int TSYNCRXCTL = 0xB620;
    public static final int RXSTMPL = 0xB624;
    public static final int RXSTMPH = 0xB628;
    public static final int RXSATRL = 0xB62C;
    public static final int RXSATRH = 0xB630;
    public static final int TSICR = 0xB66C;

    // ------------------------------------------------------------ queue blocks
    public static final int RX_QUEUE_BASE = 0xC000;
    public static final int TX_QUEUE_BASE = 0xE000;
    public static final int QUEUE_STRIDE = 0x40;
    public static final int RX_LEGACY_BASE = 0x2800;
    public static final int TX_LEGACY_BASE = 0x3800;
    public static final int LEGACY_STRIDE = 0x100;
    /** Queues reachable at the legacy addresses. */
    public static final int LEGACY_QUEUES = 4;

    /** Offsets inside a receive queue block. */
    public static final int RDBAL = 0x00, RDBAH = 0x04, RDLEN = 0x08, SRRCTL = 0x0C, RDH = 0x10, RXCTL = 0x14, RDT = 0x18,
            RXDCTL = 0x28, RQDPC = 0x30;
    /** Offsets inside a transmit queue block. */
    public static final int TDBAL = 0x00, TDBAH = 0x04, TDLEN = 0x08, TDH = 0x10, TXCTL = 0x14, TDT = 0x18, TXDCTL = 0x28,
            TDWBAL = 0x38, TDWBAH = 0x3C;

    /** The canonical offset of register {@code reg} of receive queue {@code q}. */
    public static int rx(int q, int reg) { return RX_QUEUE_BASE + QUEUE_STRIDE * q + reg; }

    /** The canonical offset of register {@code reg} of transmit queue {@code q}. */
    public static int tx(int q, int reg) { return TX_QUEUE_BASE + QUEUE_STRIDE * q + reg; }

    // ------------------------------------------------------------ CTRL
    /** Stops the device's bus mastering; STATUS.GIO_MASTER_ENABLE clears when it has. */
    public static final int CTRL_GIO_MASTER_DISABLE = 1 << 2;
    public static final int CTRL_ADVD3WUC = 1 << 20;
    /** Device reset (self-clearing); on this single-port part the same as RST. */
    public static final int CTRL_DEV_RST = 1 << 29;

    // ------------------------------------------------------------ STATUS
    /** PHY reset asserted; set by a PHY reset, cleared by writing 0. */
    public static final int STATUS_PHYRA = 1 << 10;
    public static final int STATUS_GIO_MASTER_ENABLE = 1 << 19;

    // ------------------------------------------------------------ EECD / EERD
    /** NVM auto-read done. */
    public static final int EECD_AUTO_RD = 1 << 9;
    public static final int EECD_SIZE_EX_SHIFT = 11;
    public static final int EECD_SIZE_EX_MASK = 0xF << EECD_SIZE_EX_SHIFT;
    /** Flash write disable. */
    public static final int EECD_FWE_DIS = 1 << 4;
    public static final int EERD_DONE = 1 << 1;
    public static final int EERD_ADDR_SHIFT = 2;
    public static final int EERD_ADDR_MASK = 0x3FFF;

    // ------------------------------------------------------------ CTRL_EXT
    public static final int CTRL_EXT_ASDCHK = 1 << 12;
    /** Link mode 23:22: 00 = internal copper PHY, the only mode modelled. */
    public static final int CTRL_EXT_LINK_MODE_MASK = 3 << 22;
    public static final int CTRL_EXT_DRV_LOAD = 1 << 28;

    // ------------------------------------------------------------ EEMNGCTL, MANC, GCR, SWSM, SW_FW_SYNC
    /** Manageability configuration cycle of port 0 done. */
    public static final int EEMNGCTL_CFG_DONE_PORT_0 = 1 << 18;
    public static final int GCR_CMPL_TMOUT_RESEND = 1 << 16;
    /** The PCIe capability is version 2 (the driver then sets the completion timeout in Device Control 2). */
    public static final int GCR_CAP_VER2 = 1 << 18;
    public static final int SWSM_SMBI = 1;
    public static final int SWSM_SWESMBI = 1 << 1;
    /** SW_FW_SYNC: software bits 15:0; firmware bits 31:16 (no firmware here: always 0). */
    public static final int SW_FW_SYNC_SOFTWARE = 0xFFFF;

    // ------------------------------------------------------------ interrupt causes (ICR/ICS/IMS/IMC/IAM)
    /** Receive descriptor write-back (RXT0 on the 8254x). */
    public static final int ICR_RXDW = 1 << 7;
    public static final int ICR_VMMB = 1 << 8;
    public static final int ICR_TS = 1 << 19;
    public static final int ICR_DOUTSYNC = 1 << 28;
    /** Device reset asserted (routed through IVAR_MISC byte 0 in MSI-X mode). */
    public static final int ICR_DRSTA = 1 << 30;
    /** Legacy and MSI mode: set while the device asserts its interrupt. */
    public static final int ICR_INT_ASSERTED = 1 << 31;
    /** Causes software may set and enable. */
    public static final int ICR_CAUSES = ~ICR_INT_ASSERTED;

    // ------------------------------------------------------------ GPIE, EICR, IVAR, EITR
    /** Non-selective ICR clear on read. */
    public static final int GPIE_NSICR = 1;
    public static final int GPIE_MSIX_MODE = 1 << 4;
    /** Extended interrupt auto-mask enable. */
    public static final int GPIE_EIAME = 1 << 30;
    public static final int GPIE_PBA = 1 << 31;
    /** EICR bits used in MSI-X mode: one per vector. */
    public static final int EICR_MSIX_MASK = (1 << VECTORS) - 1;
    /** EICR bits used in legacy / MSI mode. */
    public static final int EICR_LEGACY_MASK = 0x4000_FFFF;
    public static final int IVAR_VALID = 0x80;
    public static final int IVAR_VECTOR_MASK = 0x1F;
    /** EITR interval bits 14:2, in units of 0.25 µs (the interval field counts microseconds). */
    public static final int EITR_INTERVAL_MASK = 0x7FFC;
    /** Write-only: the counter is not reset by this write. */
    public static final int EITR_CNT_IGNR = 1 << 31;

    // ------------------------------------------------------------ queues
    public static final int RXDCTL_ENABLE = 1 << 25;
    public static final int TXDCTL_ENABLE = 1 << 25;
    /** RXDCTL after reset: write-back threshold 1 (and queue 0 enabled). */
    public static final int RXDCTL_RESET = 1 << 16;
    public static final int SRRCTL_BSIZEPKT_MASK = 0x7F;
    public static final int SRRCTL_BSIZEHDR_SHIFT = 8;
    public static final int SRRCTL_BSIZEHDR_MASK = 0xF << SRRCTL_BSIZEHDR_SHIFT;
    /** Receive descriptor minimum threshold, in 16-descriptor units. */
    public static final int SRRCTL_RDMTS_SHIFT = 20;
    public static final int SRRCTL_RDMTS_MASK = 0x1F << SRRCTL_RDMTS_SHIFT;
    public static final int SRRCTL_DESCTYPE_SHIFT = 25;
    public static final int SRRCTL_DESCTYPE_MASK = 7 << SRRCTL_DESCTYPE_SHIFT;
    public static final int SRRCTL_DROP_EN = 1 << 31;
    /** TDWBAL bit 0: write the head to TDWBAH:TDWBAL instead of DD into descriptors. */
    public static final int TDWBAL_ENABLE = 1;

    // ------------------------------------------------------------ RXCSUM, MRQC, RFCTL
    public static final int RXCSUM_IPOFLD = 1 << 8;
    public static final int RXCSUM_TUOFLD = 1 << 9;
    public static final int RXCSUM_CRCOFL = 1 << 11;
    /** Packet checksum disable: the RSS hash replaces IP ID and checksum in the descriptor. */
    public static final int RXCSUM_PCSD = 1 << 13;
    public static final int MRQC_ENABLE_MASK = 7;
    public static final int MRQC_ENABLE_NONE = 0;
    public static final int MRQC_ENABLE_RSS = 2;
    public static final int RFCTL_IPV6_EX_DIS = 1 << 16;

    // ------------------------------------------------------------ PTP
    public static final int TSYNC_VALID = 1;
    /** TIMINCA: increment period (bits 31:24, units of 16 ns) and increment value (23:0). */
    public static final int TIMINCA_PERIOD_SHIFT = 24;
    public static final int TIMINCA_VALUE_MASK = 0xFF_FFFF;
}
