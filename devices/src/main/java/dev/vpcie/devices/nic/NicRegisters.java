package dev.vpcie.devices.nic;

/**
 * The registers and bits the 82576 keeps where the 8254x family put them, with the same meaning:
 * one place for what the two models truly share. {@code E1000Registers} and {@code IgbRegisters}
 * extend it with what is their own, so {@code import static ...E1000Registers.*} still names
 * every register of the chip. Drivers keep their own copy of these numbers.
 */
public abstract class NicRegisters {
    /** Only the two chips' register classes extend this one; nothing instantiates them. */
    protected NicRegisters() {}

    /** Size of the memory register BAR (BAR0) on both chips: 128 KiB. */
    public static final int BAR0_SIZE = 0x20000;

    // ------------------------------------------------------------ general
    public static final int CTRL = 0x0000;
    public static final int STATUS = 0x0008;
    public static final int EECD = 0x0010;
    public static final int EERD = 0x0014;
    public static final int CTRL_EXT = 0x0018;
    public static final int FLA = 0x001C;
    public static final int MDIC = 0x0020;
    public static final int FCAL = 0x0028;
    public static final int FCAH = 0x002C;
    public static final int FCT = 0x0030;
    public static final int VET = 0x0038;
    public static final int ICR = 0x00C0;
    public static final int ICS = 0x00C8;
    public static final int IMS = 0x00D0;
    public static final int IMC = 0x00D8;
    public static final int RCTL = 0x0100;
    public static final int FCTTV = 0x0170;
    public static final int TCTL = 0x0400;
    public static final int TIPG = 0x0410;
    public static final int LEDCTL = 0x0E00;
    public static final int FCRTL = 0x2160;
    public static final int FCRTH = 0x2168;
    public static final int RXCSUM = 0x5000;
    public static final int MTA = 0x5200;
    public static final int RA = 0x5400;
    public static final int VFTA = 0x5600;
    public static final int WUC = 0x5800;
    public static final int WUFC = 0x5808;
    public static final int WUS = 0x5810;
    public static final int MANC = 0x5820;

    // ------------------------------------------------------------ CTRL
    public static final int CTRL_FD = 1;
    public static final int CTRL_LRST = 1 << 3;
    public static final int CTRL_SLU = 1 << 6;
    public static final int CTRL_SPD_1000 = 2 << 8;
    public static final int CTRL_FRCSPD = 1 << 11;
    public static final int CTRL_FRCDPX = 1 << 12;
    /** Device (MAC) reset; self-clearing. */
    public static final int CTRL_RST = 1 << 26;
    /** Receive flow control: PAUSE frames from the link partner are obeyed. */
    public static final int CTRL_RFCE = 1 << 27;
    /** Transmit flow control: the MAC sends XOFF when its receive packet buffer fills, XON when it drains. */
    public static final int CTRL_TFCE = 1 << 28;
    /** VLAN mode enable: strip tags on receive, insert on transmit (VLE). */
    public static final int CTRL_VME = 1 << 30;
    /** PHY reset, held while set. */
    public static final int CTRL_PHY_RST = 1 << 31;

    // ------------------------------------------------------------ STATUS
    public static final int STATUS_FD = 1;
    public static final int STATUS_LU = 1 << 1;
    public static final int STATUS_SPEED_1000 = 2 << 6;

    // ------------------------------------------------------------ EECD / EERD / CTRL_EXT
    public static final int EECD_REQ = 1 << 6;
    public static final int EECD_GNT = 1 << 7;
    public static final int EECD_PRES = 1 << 8;
    public static final int EERD_START = 1;
    public static final int EERD_DATA_SHIFT = 16;
    public static final int CTRL_EXT_EE_RST = 1 << 13;

    // ------------------------------------------------------------ interrupt causes both chips name alike
    public static final int ICR_TXDW = 1;
    public static final int ICR_LSC = 1 << 2;
    public static final int ICR_RXSEQ = 1 << 3;
    public static final int ICR_RXDMT0 = 1 << 4;
    public static final int ICR_RXO = 1 << 6;
    public static final int ICR_MDAC = 1 << 9;

    // ------------------------------------------------------------ TCTL, RXCSUM
    public static final int TCTL_EN = 1 << 1;
    public static final int TCTL_PSP = 1 << 3;
    public static final int RXCSUM_PCSS_MASK = 0xFF;
}
