package dev.vpcie.devices.nic.e1000;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.HostMemory;
import dev.vpcie.devices.nic.MacAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A test driver that talks to the model the way Linux 6.1's e1000 driver does (device spec A8),
 * with its own register numbers (not the model's). Ring memory lives in {@link HostMemory}.
 */
final class E1000Driver {
    // Registers, as the driver's e1000_hw.h names them.
    static final int CTRL = 0x0000, STATUS = 0x0008, EECD = 0x0010, EERD = 0x0014, CTRL_EXT = 0x0018, MDIC = 0x0020;
    static final int FCAL = 0x0028, FCAH = 0x002C, FCT = 0x0030, VET = 0x0038, ICR = 0x00C0, ITR = 0x00C4, ICS = 0x00C8;
    static final int IMS = 0x00D0, IMC = 0x00D8, RCTL = 0x0100, FCTTV = 0x0170, TCTL = 0x0400, TIPG = 0x0410;
    static final int LEDCTL = 0x0E00, PBA = 0x1000, FCRTL = 0x2160, FCRTH = 0x2168;
    static final int RDBAL = 0x2800, RDBAH = 0x2804, RDLEN = 0x2808, RDH = 0x2810, RDT = 0x2818, RDTR = 0x2820, RADV = 0x282C;
    static final int TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818, TIDV = 0x3820;
    static final int TXDCTL = 0x3828, TADV = 0x382C, RXCSUM = 0x5000, MTA = 0x5200, RA = 0x5400, VFTA = 0x5600;
    static final int WUC = 0x5800, MANC = 0x5820;

    static final int CTRL_SLU = 0x40, CTRL_FRCSPD = 0x800, CTRL_FRCDPX = 0x1000, CTRL_RST = 0x0400_0000, CTRL_VME = 0x4000_0000;
    static final int CTRL_PHY_RST = 0x8000_0000;
    static final int STATUS_LU = 0x2, STATUS_TBIMODE = 0x20, STATUS_PCIX_MODE = 0x2000;
    static final int EECD_SK = 1, EECD_CS = 2, EECD_DI = 4, EECD_DO = 8, EECD_REQ = 0x40, EECD_GNT = 0x80, EECD_PRES = 0x100, EECD_SIZE = 0x200;
    static final int MDIC_OP_WRITE = 0x0400_0000, MDIC_OP_READ = 0x0800_0000, MDIC_READY = 0x1000_0000, MDIC_INT_EN = 0x2000_0000, MDIC_ERROR = 0x4000_0000;
    static final int ICR_TXDW = 0x01, ICR_TXQE = 0x02, ICR_LSC = 0x04, ICR_RXSEQ = 0x08, ICR_RXDMT0 = 0x10, ICR_RXO = 0x40, ICR_RXT0 = 0x80, ICR_MDAC = 0x200;
    static final int IMS_ENABLE_MASK = ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC; // 0x9D
    static final int RCTL_EN = 0x2, RCTL_UPE = 0x8, RCTL_MPE = 0x10, RCTL_LPE = 0x20, RCTL_BAM = 0x8000, RCTL_VFE = 0x40000, RCTL_BSEX = 0x0200_0000;
    static final int RCTL_SECRC = 0x0400_0000, RCTL_SZ_4096 = 0x30000 | RCTL_BSEX, RCTL_SZ_16384 = 0x10000 | RCTL_BSEX, RCTL_LBM_MAC = 0x40;
    static final int TCTL_EN = 0x2, TCTL_PSP = 0x8, TCTL_CT = 0x0F << 4, TCTL_COLD = 0x40 << 12, TCTL_RTLC = 0x0100_0000;
    static final int RAH_AV = 0x8000_0000;
    static final int MANC_ARP_EN = 0x2000;
    static final int RXCSUM_IPOFL = 0x100, RXCSUM_TUOFL = 0x200;
    // Descriptor bits.
    static final int TXD_CMD_EOP = 0x0100_0000, TXD_CMD_IFCS = 0x0200_0000, TXD_CMD_IC = 0x0400_0000, TXD_CMD_RS = 0x0800_0000;
    static final int TXD_CMD_DEXT = 0x2000_0000, TXD_CMD_VLE = 0x4000_0000, TXD_CMD_TSE = 0x0400_0000, TXD_DTYP_D = 0x0010_0000;
    static final int TXD_CMD_TCP = 0x0100_0000, TXD_CMD_IP = 0x0200_0000;
    static final int TXD_POPTS_IXSM = 0x01, TXD_POPTS_TXSM = 0x02, TXD_STAT_DD = 0x01;
    static final int RXD_STAT_DD = 0x01, RXD_STAT_EOP = 0x02, RXD_STAT_IXSM = 0x04, RXD_STAT_VP = 0x08, RXD_STAT_TCPCS = 0x20, RXD_STAT_IPCS = 0x40;
    // PHY.
    static final int PHY_CTRL = 0, PHY_STATUS = 1, PHY_ID1 = 2, PHY_ID2 = 3, PHY_AUTONEG_ADV = 4, PHY_LP_ABILITY = 5, PHY_1000T_CTRL = 9;
    static final int M88E1000_PHY_SPEC_CTRL = 0x10, M88E1000_EXT_PHY_SPEC_CTRL = 0x14;
    static final int MII_CR_RESET = 0x8000, MII_CR_AUTO_NEG_EN = 0x1000, MII_CR_POWER_DOWN = 0x0800, MII_CR_RESTART_AUTO_NEG = 0x0200;
    static final int MII_SR_LINK_STATUS = 0x4, MII_SR_AUTONEG_COMPLETE = 0x20;
    static final int M88E1011_I_PHY_ID = 0x01410C20;

    // Host memory layout.
    static final long TX_RING = 0x10000, RX_RING = 0x20000;
    static final long TX_BUFFERS = 0x0100_0000, TX_BUFFER_SIZE = 0x10000;
    static final long RX_BUFFERS = 0x0020_0000, RX_BUFFER_STRIDE = 0x4000;

    final E1000Harness h;
    final E1000Function f;
    final HostMemory mem;
    final int txCount;
    final int rxCount;
    int rxBufferSize = 2048;
    int txNextToUse;
    int txNextToClean;
    int rxNextToClean;
    int rctlExtra;
    MacAddress mac;
    boolean carrier;
    int interruptsHandled;
    final List<byte[]> received = new ArrayList<>();
    final List<Integer> receivedStatus = new ArrayList<>();
    final List<Integer> receivedErrors = new ArrayList<>();
    final List<Integer> receivedSpecial = new ArrayList<>();

    E1000Driver(E1000Harness h, int txCount, int rxCount) {
        this.h = h;
        this.f = h.function;
        this.mem = h.memory;
        this.txCount = txCount;
        this.rxCount = rxCount;
    }

    E1000Driver(E1000Harness h) { this(h, 256, 256); }

    // ---------------------------------------------------------------- accesses

    int rd(int reg) { return (int) f.mmioRead(0, reg, 4); }

    void wr(int reg, int v) {
        f.mmioWrite(0, reg, 4, v & 0xFFFF_FFFFL);
        h.settle();
    }

    /** e1000_write_reg_io: IOADDR then IODATA through the I/O BAR. */
    void wrIo(int reg, int v) {
        f.ioWrite(1, 0, 4, reg);
        f.ioWrite(1, 4, 4, v & 0xFFFF_FFFFL);
        h.settle();
    }

    int rdIo(int reg) {
        f.ioWrite(1, 0, 4, reg);
        return (int) f.ioRead(1, 4, 4);
    }

    // ---------------------------------------------------------------- probe

    /** pci_enable_device + pci_set_master: I/O, memory and bus master. */
    void enableDevice() { f.config().write(0x04, 2, 0x7); }

    /** The probe sequence: reset, EEPROM checksum, MAC, e1000_reset with link setup. Returns the EEPROM checksum sum. */
    int probe() {
        enableDevice();
        int status = rd(STATUS);
        assertEquals(0, status & (STATUS_PCIX_MODE | STATUS_TBIMODE), "conventional PCI copper part");
        assertEquals(0, rd(EECD) & EECD_SIZE, "64-word EEPROM");
        resetHw();
        int sum = 0;
        int[] words = new int[64];
        for (int i = 0; i < 64; i++) {
            words[i] = readEeprom(i);
            sum = (sum + words[i]) & 0xFFFF;
        }
        byte[] m = new byte[6];
        for (int i = 0; i < 3; i++) {
            m[2 * i] = (byte) words[i];
            m[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        mac = MacAddress.of(m, 0);
        readEeprom(0x24); // wake-on-LAN word
        reset();
        return sum;
    }

    /** e1000_reset_hw for the 82540: quiesce, global reset through the I/O window, clear interrupts. */
    void resetHw() {
        wr(IMC, 0xFFFF_FFFF);
        wr(RCTL, 0);
        wr(TCTL, TCTL_PSP);
        h.advance(10_000_000);
        int ctrl = rd(CTRL);
        wrIo(CTRL, ctrl | CTRL_RST);
        h.advance(5_000_000);
        wr(MANC, rd(MANC) & ~MANC_ARP_EN);
        wr(IMC, 0xFFFF_FFFF);
        rd(ICR);
    }

    /** e1000_reset: PBA, reset_hw, init_hw (filters, link), flow control, statistics. */
    void reset() {
        wr(PBA, 48);
        resetHw();
        wr(WUC, 0);
        // init_hw
        rd(LEDCTL);
        readEeprom(4);
        wr(VET, 0);
        for (int i = 0; i < 128; i++) wr(VFTA + 4 * i, 0);
        wr(RA, mac.ral());
        wr(RA + 4, mac.rahAddressBits() | RAH_AV);
        for (int i = 1; i < 16; i++) {
            wr(RA + 8 * i, 0);
            wr(RA + 8 * i + 4, 0);
        }
        for (int i = 0; i < 128; i++) wr(MTA + 4 * i, 0);
        setupLink();
        wr(FCAL, 0x00C28001);
        wr(FCAH, 0x0100);
        wr(FCT, 0x8808);
        wr(FCTTV, 0x680);
        wr(FCRTL, 0x8000_0000 | 0x7000);
        wr(FCRTH, 0x8000);
        wr(TXDCTL, (rd(TXDCTL) & ~0x003F_0000) | 0x0101_0000);
        for (int off = 0x4000; off < 0x4100; off += 4) rd(off);
        wr(VET, 0x8100);
        readPhy(PHY_STATUS);
        readPhy(M88E1000_PHY_SPEC_CTRL);
        readPhy(0x11);
        readPhy(10);
    }

    /** e1000_setup_copper_link for an M88 PHY. */
    void setupLink() {
        readEeprom(0x0F);
        wr(CTRL, (rd(CTRL) | CTRL_SLU) & ~(CTRL_FRCSPD | CTRL_FRCDPX));
        int id = readPhy(PHY_ID1) << 16 | readPhy(PHY_ID2) & 0xFFF0;
        assertEquals(M88E1011_I_PHY_ID, id, "e1000_detect_gig_phy");
        writePhy(M88E1000_PHY_SPEC_CTRL, readPhy(M88E1000_PHY_SPEC_CTRL) | 0x0800 | 0x0060); // CRS on TX, auto MDI-X
        writePhy(M88E1000_EXT_PHY_SPEC_CTRL, readPhy(M88E1000_EXT_PHY_SPEC_CTRL) | 0x0070);
        writePhy(PHY_CTRL, readPhy(PHY_CTRL) | MII_CR_RESET);
        writePhy(PHY_AUTONEG_ADV, readPhy(PHY_AUTONEG_ADV));
        writePhy(PHY_1000T_CTRL, readPhy(PHY_1000T_CTRL));
        writePhy(PHY_CTRL, readPhy(PHY_CTRL) | MII_CR_AUTO_NEG_EN | MII_CR_RESTART_AUTO_NEG);
        for (int i = 0; i < 10; i++) {
            readPhy(PHY_STATUS);
            if ((readPhy(PHY_STATUS) & MII_SR_LINK_STATUS) != 0) {
                int bmsr = readPhy(PHY_STATUS);
                assertTrue((bmsr & MII_SR_AUTONEG_COMPLETE) != 0, "autonegotiation complete with link");
                readPhy(PHY_AUTONEG_ADV);
                readPhy(PHY_LP_ABILITY);
                rd(STATUS);
                return;
            }
        }
    }

    // ---------------------------------------------------------------- EEPROM (microwire, e1000_read_eeprom)

    int readEeprom(int offset) {
        int eecd = rd(EECD);
        eecd |= EECD_REQ;
        wr(EECD, eecd);
        int tries = 0;
        while ((rd(EECD) & EECD_GNT) == 0) {
            if (++tries > 1000) throw new AssertionError("Could not acquire EEPROM grant");
        }
        eecd = rd(EECD);
        eecd &= ~(EECD_DI | EECD_SK);
        wr(EECD, eecd);
        eecd |= EECD_CS;
        wr(EECD, eecd);
        shiftOut(0b110, 3);
        shiftOut(offset, 6);
        int data = shiftIn();
        // standby, then release
        eecd = rd(EECD);
        eecd &= ~(EECD_CS | EECD_SK);
        wr(EECD, eecd);
        eecd |= EECD_SK;
        wr(EECD, eecd);
        eecd |= EECD_CS;
        wr(EECD, eecd);
        eecd &= ~EECD_SK;
        wr(EECD, eecd);
        eecd = rd(EECD);
        eecd &= ~(EECD_CS | EECD_DI);
        wr(EECD, eecd);
        wr(EECD, eecd | EECD_SK);
        wr(EECD, eecd & ~EECD_SK);
        wr(EECD, rd(EECD) & ~EECD_REQ);
        return data;
    }

    private void shiftOut(int data, int count) {
        int eecd = rd(EECD) & ~EECD_DO;
        int mask = 1 << (count - 1);
        while (mask != 0) {
            eecd &= ~EECD_DI;
            if ((data & mask) != 0) eecd |= EECD_DI;
            wr(EECD, eecd);
            eecd |= EECD_SK;
            wr(EECD, eecd);
            eecd &= ~EECD_SK;
            wr(EECD, eecd);
            mask >>>= 1;
        }
        wr(EECD, eecd & ~EECD_DI);
    }

    private int shiftIn() {
        int eecd = rd(EECD) & ~(EECD_DO | EECD_DI);
        int data = 0;
        for (int i = 0; i < 16; i++) {
            data <<= 1;
            eecd |= EECD_SK;
            wr(EECD, eecd);
            eecd = rd(EECD) & ~EECD_DI;
            if ((eecd & EECD_DO) != 0) data |= 1;
            eecd &= ~EECD_SK;
            wr(EECD, eecd);
        }
        return data;
    }

    // ---------------------------------------------------------------- PHY through MDIC

    int readPhy(int reg) {
        wr(MDIC, reg << 16 | 1 << 21 | MDIC_OP_READ);
        int mdic = 0;
        for (int i = 0; i < 64; i++) {
            mdic = rd(MDIC);
            if ((mdic & MDIC_READY) != 0) break;
        }
        if ((mdic & MDIC_READY) == 0) throw new AssertionError("MDI read did not complete");
        if ((mdic & MDIC_ERROR) != 0) throw new AssertionError("MDI error reading PHY register " + reg);
        return mdic & 0xFFFF;
    }

    void writePhy(int reg, int value) {
        wr(MDIC, value & 0xFFFF | reg << 16 | 1 << 21 | MDIC_OP_WRITE);
        for (int i = 0; i < 641; i++) if ((rd(MDIC) & MDIC_READY) != 0) return;
        throw new AssertionError("MDI write did not complete");
    }

    // ---------------------------------------------------------------- open

    /** e1000_open: power up the PHY, configure rings, enable interrupts, kick the watchdog. */
    void open() {
        carrier = false; // netif_carrier_off: the watchdog turns it on
        writePhy(PHY_CTRL, readPhy(PHY_CTRL) & ~MII_CR_POWER_DOWN);
        // configure_tx
        wr(TDLEN, txCount * 16);
        wr(TDBAH, (int) (TX_RING >>> 32));
        wr(TDBAL, (int) TX_RING);
        wr(TDT, 0);
        wr(TDH, 0);
        txNextToUse = 0;
        txNextToClean = 0;
        wr(TIPG, 8 | 8 << 10 | 6 << 20);
        wr(TIDV, 8);
        wr(TADV, 32);
        wr(TCTL, TCTL_PSP | TCTL_RTLC | TCTL_CT | TCTL_COLD);
        // setup_rctl + configure_rx
        int rctl = rctl();
        wr(RCTL, rctl & ~RCTL_EN);
        wr(RDTR, 0);
        wr(RADV, 8);
        wr(ITR, 0);
        wr(RDLEN, rxCount * 16);
        wr(RDBAH, (int) (RX_RING >>> 32));
        wr(RDBAL, (int) RX_RING);
        wr(RDT, 0);
        wr(RDH, 0);
        wr(RXCSUM, 0);
        wr(RCTL, rctl);
        rxNextToClean = 0;
        // alloc_rx_buffers: every descriptor gets a buffer; RDT = count - 1 leaves one unowned, as the ring must
        for (int i = 0; i < rxCount; i++) armRx(i);
        wr(RDT, rxCount - 1);
        wr(IMS, IMS_ENABLE_MASK);
        wr(ICS, ICR_LSC);
        serviceInterrupts();
    }

    int rctl() {
        int size = switch (rxBufferSize) {
            case 2048 -> 0;
            case 4096 -> RCTL_SZ_4096;
            case 16384 -> RCTL_SZ_16384;
            default -> throw new IllegalArgumentException("buffer size " + rxBufferSize);
        };
        return RCTL_EN | RCTL_BAM | size | (rxBufferSize > 2048 ? RCTL_LPE : 0) | rctlExtra;
    }

    void armRx(int i) {
        long d = RX_RING + 16L * i;
        mem.put64(d, RX_BUFFERS + RX_BUFFER_STRIDE * i);
        mem.put64(d + 8, 0);
    }

    // ---------------------------------------------------------------- interrupts and the watchdog

    /** While the line is up: the ISR (read ICR, watchdog on LSC), NAPI (clean TX and RX), re-enable. */
    void serviceInterrupts() {
        for (int guard = 0; h.irq.level && guard < 1000; guard++) {
            int icr = rd(ICR);
            assertTrue(icr != 0, "level high with ICR 0: the driver would say IRQ_NONE");
            interruptsHandled++;
            if ((icr & (ICR_LSC | ICR_RXSEQ)) != 0) watchdog();
            wr(IMC, 0xFFFF_FFFF);
            cleanTx();
            cleanRx();
            wr(IMS, IMS_ENABLE_MASK);
        }
    }

    /** e1000_watchdog: BMSR twice; on link, TCTL.EN. */
    void watchdog() {
        readPhy(PHY_STATUS);
        boolean link = (readPhy(PHY_STATUS) & MII_SR_LINK_STATUS) != 0 && (rd(STATUS) & STATUS_LU) != 0;
        if (link && !carrier) {
            wr(TCTL, rd(TCTL) | TCTL_EN);
            carrier = true;
        } else if (!link) {
            carrier = false;
        }
    }

    // ---------------------------------------------------------------- transmit

    long txBuffer(int slot) { return TX_BUFFERS + TX_BUFFER_SIZE * slot; }

    /** A frame through legacy descriptors of at most 4096 bytes each (E1000_MAX_DATA_PER_TXD). */
    void transmit(byte[] frame) { transmitLegacy(frame, 0, false, 0); }

    /** Legacy descriptors; {@code cmdExtra} ORed into every descriptor's command (e.g. VLE); {@code special} the VLAN tag. */
    void transmitLegacy(byte[] frame, int special, boolean vlan, int cmdExtraLast) {
        int off = 0;
        int first = txNextToUse;
        do {
            int n = Math.min(4096, frame.length - off);
            int slot = txNextToUse;
            mem.put(txBuffer(slot), frame, off, n);
            off += n;
            boolean last = off == frame.length;
            int lower = n | TXD_CMD_IFCS | (vlan ? TXD_CMD_VLE : 0) | (last ? TXD_CMD_EOP | TXD_CMD_RS | cmdExtraLast : 0);
            descriptor(slot, txBuffer(slot), lower, special << 16);
            txNextToUse = (txNextToUse + 1) % txCount;
        } while (off < frame.length);
        wr(TDT, txNextToUse);
        assertTrue(first != txNextToUse);
    }

    void descriptor(int slot, long address, int lower, int upper) {
        long d = TX_RING + 16L * slot;
        mem.put64(d, address);
        mem.put32(d + 8, lower);
        mem.put32(d + 12, upper);
    }

    /** e1000_tx_csum: a context descriptor (TUCSS/TUCSO), then data descriptors with TXSM. */
    void transmitChecksummed(byte[] frame, int l4Offset, int csumOffset, boolean tcp) {
        int slot = txNextToUse;
        long d = TX_RING + 16L * slot;
        mem.put64(d, 0);
        mem.put8(d + 4, l4Offset);
        mem.put8(d + 5, csumOffset);
        mem.put16(d + 6, 0);
        mem.put32(d + 8, TXD_CMD_DEXT | (tcp ? TXD_CMD_TCP : 0));
        mem.put32(d + 12, 0);
        txNextToUse = (txNextToUse + 1) % txCount;
        dataDescriptors(frame, 0, TXD_POPTS_TXSM);
        wr(TDT, txNextToUse);
    }

    /** e1000_tso: the context (IPCSS..TUCSE, PAYLEN, HDRLEN, MSS), then TSE data descriptors. */
    void transmitTso(byte[] frame, boolean ipv6, int hdrLen, int mss) {
        int l3 = 14;
        int l4 = l3 + (ipv6 ? 40 : 20);
        int slot = txNextToUse;
        long d = TX_RING + 16L * slot;
        mem.put8(d, l3);
        mem.put8(d + 1, ipv6 ? 0 : l3 + 10);
        mem.put16(d + 2, ipv6 ? 0 : l4 - 1);
        mem.put8(d + 4, l4);
        mem.put8(d + 5, l4 + 16);
        mem.put16(d + 6, 0);
        mem.put32(d + 8, TXD_CMD_DEXT | TXD_CMD_TSE | TXD_CMD_TCP | (ipv6 ? 0 : TXD_CMD_IP) | (frame.length - hdrLen));
        mem.put8(d + 12, 0);
        mem.put8(d + 13, hdrLen);
        mem.put16(d + 14, mss);
        txNextToUse = (txNextToUse + 1) % txCount;
        dataDescriptors(frame, TXD_CMD_TSE, TXD_POPTS_TXSM | (ipv6 ? 0 : TXD_POPTS_IXSM));
        wr(TDT, txNextToUse);
    }

    private void dataDescriptors(byte[] frame, int cmd, int popts) {
        int off = 0;
        do {
            int n = Math.min(4096, frame.length - off);
            int slot = txNextToUse;
            mem.put(txBuffer(slot), frame, off, n);
            off += n;
            boolean last = off == frame.length;
            descriptor(slot, txBuffer(slot), n | TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_IFCS | cmd | (last ? TXD_CMD_EOP | TXD_CMD_RS : 0), popts << 8);
            txNextToUse = (txNextToUse + 1) % txCount;
        } while (off < frame.length);
    }

    /** e1000_clean_tx_irq: frees descriptors up to the last one with DD. Returns how many. */
    int cleanTx() {
        int cleaned = 0;
        int head = rd(TDH);
        while (txNextToClean != txNextToUse && txNextToClean != head) {
            txNextToClean = (txNextToClean + 1) % txCount;
            cleaned++;
        }
        return cleaned;
    }

    // ---------------------------------------------------------------- receive

    /**
     * e1000_clean_rx_irq / clean_jumbo_rx_irq: collects frames (descriptors up to EOP, the 4 FCS
     * bytes checked and removed unless SECRC), gives the buffers back, bumps RDT.
     */
    int cleanRx() {
        int frames = 0;
        byte[] acc = new byte[0];
        int start = rxNextToClean;
        int i = rxNextToClean;
        int cleanedTo = -1;
        while (true) {
            long d = RX_RING + 16L * i;
            int status = mem.u8(d + 12);
            if ((status & RXD_STAT_DD) == 0) break;
            int len = mem.u16(d + 8);
            long buf = mem.u64(d);
            byte[] data = mem.get(buf, len);
            byte[] next = Arrays.copyOf(acc, acc.length + len);
            System.arraycopy(data, 0, next, acc.length, len);
            acc = next;
            i = (i + 1) % rxCount;
            if ((status & RXD_STAT_EOP) != 0) {
                byte[] frame = acc;
                if ((rd(RCTL) & RCTL_SECRC) == 0) {
                    frame = Arrays.copyOf(acc, acc.length - 4);
                    int fcs = EthernetFrames.fcs(frame, 0, frame.length);
                    for (int k = 0; k < 4; k++) assertEquals((byte) (fcs >>> (8 * k)), acc[frame.length + k], "FCS byte " + k);
                }
                received.add(frame);
                receivedStatus.add(status);
                receivedErrors.add(mem.u8(d + 13));
                receivedSpecial.add(mem.u16(d + 14));
                frames++;
                acc = new byte[0];
                cleanedTo = i;
            }
        }
        if (cleanedTo < 0) return 0;
        // give the buffers back and move the tail
        for (int k = start; k != cleanedTo; k = (k + 1) % rxCount) armRx(k);
        rxNextToClean = cleanedTo;
        wr(RDT, (cleanedTo + rxCount - 1) % rxCount);
        return frames;
    }

    /** Everything the NIC received so far, after servicing interrupts. */
    List<byte[]> drainReceived() {
        serviceInterrupts();
        cleanRx();
        List<byte[]> out = new ArrayList<>(received);
        received.clear();
        receivedStatus.clear();
        receivedErrors.clear();
        receivedSpecial.clear();
        return out;
    }
}
