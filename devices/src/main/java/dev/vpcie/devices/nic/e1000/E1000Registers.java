package dev.vpcie.devices.nic.e1000;

import dev.vpcie.devices.nic.NicRegisters;

/**
 * Register offsets and bit fields of the 82540EM, as the 8254x Software Developer's Manual names
 * them. The behaviour of each register is in {@link E1000Core}'s table; drivers keep their own
 * copy of these numbers.
 */
public final class E1000Registers extends NicRegisters {
    private E1000Registers() {}

    /** Size of the I/O BAR (BAR1): IOADDR at 0, IODATA at 4, the rest reserved. */
    public static final int IO_BAR_SIZE = 0x40;
    public static final int IOADDR = 0x00;
    public static final int IODATA = 0x04;

    // ------------------------------------------------------------ general
    public static final int ITR = 0x00C4;
    public static final int TXCW = 0x0178;
    public static final int RXCW = 0x0180;
    public static final int AIT = 0x0458;
    public static final int PBA = 0x1000;
    public static final int RDFH = 0x2410;
    public static final int RDFT = 0x2418;
    public static final int RDFHS = 0x2420;
    public static final int RDFTS = 0x2428;
    public static final int RDFPC = 0x2430;
    public static final int RDBAL = 0x2800;
    public static final int RDBAH = 0x2804;
    public static final int RDLEN = 0x2808;
    public static final int RDH = 0x2810;
    public static final int RDT = 0x2818;
    public static final int RDTR = 0x2820;
    public static final int RXDCTL = 0x2828;
    public static final int RADV = 0x282C;
    public static final int RSRPD = 0x2C00;
    public static final int TXDMAC = 0x3000;
    public static final int TDFH = 0x3410;
    public static final int TDFT = 0x3418;
    public static final int TDFHS = 0x3420;
    public static final int TDFTS = 0x3428;
    public static final int TDFPC = 0x3430;
    public static final int TDBAL = 0x3800;
    public static final int TDBAH = 0x3804;
    public static final int TDLEN = 0x3808;
    public static final int TDH = 0x3810;
    public static final int TDT = 0x3818;
    public static final int TIDV = 0x3820;
    public static final int TXDCTL = 0x3828;
    public static final int TADV = 0x382C;
    public static final int IPAV = 0x5838;
    public static final int IP4AT = 0x5840;
    public static final int IP6AT = 0x5880;
    public static final int WUPL = 0x5900;
    public static final int WUPM = 0x5A00;
    public static final int FFLT = 0x5F00;
    public static final int FFMT = 0x9000;
    public static final int FFVT = 0x9800;

    /** Receive address pairs (RAL/RAH) on the 82540EM. */
    public static final int RECEIVE_ADDRESSES = 16;

    // ------------------------------------------------------------ CTRL
    public static final int CTRL_ASDE = 1 << 5;
    public static final int CTRL_SWDPIN0 = 1 << 18;
    public static final int CTRL_SWDPIN2 = 1 << 20;

    // ------------------------------------------------------------ STATUS
    public static final int STATUS_TXOFF = 1 << 4;
    public static final int STATUS_TBIMODE = 1 << 5;
    public static final int STATUS_ASDV_1000 = 2 << 8;
    public static final int STATUS_MTXCKOK = 1 << 10;
    public static final int STATUS_PCI66 = 1 << 11;
    public static final int STATUS_BUS64 = 1 << 12;
    public static final int STATUS_PCIX_MODE = 1 << 13;

    // ------------------------------------------------------------ EECD / EERD
    public static final int EECD_SK = 1;
    public static final int EECD_CS = 1 << 1;
    public static final int EECD_DI = 1 << 2;
    public static final int EECD_DO = 1 << 3;
    public static final int EECD_FWE_MASK = 3 << 4;
    /** 0: 64-word part, 6 address bits; 1: 256 words, 8 address bits. */
    public static final int EECD_SIZE = 1 << 9;
    public static final int EERD_DONE = 1 << 4;
    public static final int EERD_ADDR_SHIFT = 8;

    // ------------------------------------------------------------ interrupt causes (ICR/ICS/IMS/IMC)
    public static final int ICR_TXQE = 0x02;
    public static final int ICR_RXT0 = 0x80;
    public static final int ICR_RXCFG = 0x400;
    public static final int ICR_GPI_SDP6 = 0x2000;
    public static final int ICR_GPI_SDP7 = 0x4000;
    public static final int ICR_TXD_LOW = 0x8000;
    public static final int ICR_SRPD = 0x10000;
    /** Every cause the 82540EM implements. */
    public static final int ICR_ALL = 0x1E6DF;

    // ------------------------------------------------------------ RXCSUM
    public static final int RXCSUM_IPOFL = 1 << 8;
    public static final int RXCSUM_TUOFL = 1 << 9;

    // ------------------------------------------------------------ receive descriptor (legacy)
    public static final int RXD_STAT_DD = 0x01;
    public static final int RXD_STAT_EOP = 0x02;
    public static final int RXD_STAT_IXSM = 0x04;
    public static final int RXD_STAT_VP = 0x08;
    public static final int RXD_STAT_TCPCS = 0x20;
    public static final int RXD_STAT_IPCS = 0x40;
    public static final int RXD_ERR_TCPE = 0x20;
    public static final int RXD_ERR_IPE = 0x40;

    // ------------------------------------------------------------ transmit descriptors
    /** Dword 2 of every transmit descriptor: extended format (context or data). */
    public static final int TXD_DEXT = 1 << 29;
    /** Dword 2 bits 23:20: descriptor type of extended descriptors. */
    public static final int TXD_DTYP_MASK = 0xF << 20;
    public static final int TXD_DTYP_CONTEXT = 0;
    public static final int TXD_DTYP_DATA = 1 << 20;
    /** DCMD (dword 2 bits 31:24) of data/context descriptors, and CMD (byte 11) of legacy ones shifted by 24. */
    public static final int TXD_CMD_EOP = 0x01;
    public static final int TXD_CMD_IFCS = 0x02;
    /** Legacy: insert checksum (IC); context TUCMD: TCP. */
    public static final int TXD_CMD_IC = 0x04;
    public static final int TXD_CMD_TCP = 0x01;
    public static final int TXD_CMD_IP = 0x02;
    public static final int TXD_CMD_TSE = 0x04;
    public static final int TXD_CMD_RS = 0x08;
    public static final int TXD_CMD_RPS = 0x10;
    public static final int TXD_CMD_VLE = 0x40;
    public static final int TXD_CMD_IDE = 0x80;
    public static final int TXD_STAT_DD = 0x01;
    public static final int TXD_STAT_EC = 0x02;
    public static final int TXD_STAT_LC = 0x04;
    public static final int TXD_STAT_TU = 0x08;
    public static final int TXD_POPTS_IXSM = 0x01;
    public static final int TXD_POPTS_TXSM = 0x02;

    // ------------------------------------------------------------ MANC
    public static final int MANC_SMBUS_EN = 1;
    public static final int MANC_ARP_EN = 1 << 13;
}
