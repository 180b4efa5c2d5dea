package dev.vpcie.vrc.nic.e1000;

import static dev.vpcie.vrc.nic.e1000.E1000Regs.*;

import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.nic.ChipSpec;
import dev.vpcie.vrc.nic.HwStat;
import dev.vpcie.vrc.nic.IntelChip;
import dev.vpcie.vrc.nic.IntelNicDriver;
import dev.vpcie.vrc.nic.IrqMode;
import dev.vpcie.vrc.nic.LegacyRxFormat;
import dev.vpcie.vrc.nic.LegacyTxFormat;
import dev.vpcie.vrc.nic.MacControl;
import dev.vpcie.vrc.nic.Mdic;
import dev.vpcie.vrc.nic.Mmio;
import dev.vpcie.vrc.nic.NicException;
import dev.vpcie.vrc.nic.NicInterrupts;
import dev.vpcie.vrc.nic.NicOptions;
import dev.vpcie.vrc.nic.PhyAccess;
import dev.vpcie.vrc.nic.PhyLink;
import dev.vpcie.vrc.nic.Nvm;
import dev.vpcie.vrc.nic.RingLayout;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Intel 82540EM's (8086:100E) part of an {@link IntelNicDriver}, following the Linux e1000
 * driver's sequences: global reset through the I/O BAR window, EEPROM read by microwire
 * bit-banging with the 0xBABA checksum, MAC from EEPROM words 0-2, M88 PHY set-up and
 * autonegotiation through MDIC, legacy descriptors (context + data descriptors for checksum
 * offload and TSO), INTx with ITR moderation ({@link E1000Interrupts}), the transmitter enabled
 * once the link is up (TCTL written without EN: {@link MacControl}).
 */
public final class E1000Driver implements IntelChip {
    private static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);

    private final IntelNicDriver nic;
    private final PcieDevice device;
    private final Mmio mmio;
    private final NicOptions options;
    private final MacControl control;
    private final Mdic phy;
    private final E1000Interrupts interrupts;
    private MacAddress mac;
    private int ioBar = -1;
    private int fcPause; // ANAR pause bits from EEPROM word 0x0F

    /**
     * Legacy descriptors; RCTL.SECRC stays 0, as in the Linux driver, so lengths include the 4 CRC
     * bytes; E1000_MAX_DATA_PER_TXD: Linux never gives an 8254x more than 4 KiB in one descriptor.
     */
    private static final RingLayout LAYOUT = new RingLayout(new LegacyTxFormat(), new LegacyRxFormat(), 4, RX_BUFFER, 4096);
    static final ChipSpec SPEC = new ChipSpec("82540EM", LAYOUT, TDT, queue -> RDT);

    private E1000Driver(IntelNicDriver nic) {
        this.nic = nic;
        this.device = nic.device();
        this.mmio = nic.mmio();
        this.options = nic.options();
        this.control = nic.macControl();
        this.phy = new Mdic(mmio, PHY_ADDRESS, false);
        this.interrupts = new E1000Interrupts(nic);
    }

    /** Whether this driver handles the function (8086:100E). */
    public static boolean supports(PcieDevice device) {
        return device.vendorId() == VENDOR_INTEL && device.deviceId() == DEVICE_82540EM;
    }

    /** Probes and opens the NIC; returns once the link is up or {@link NicOptions#linkWait()} has passed. */
    public static IntelNicDriver open(PcieDevice device, NicOptions options) {
        if (!supports(device))
            throw new NicException(device + " is not an 82540EM (8086:100e)");
        if (options.irqMode() == IrqMode.MSI || options.irqMode() == IrqMode.MSIX)
            throw new NicException("the 82540EM signals INTx only; interrupt mode " + options.irqMode() + " is not available");
        if (options.rxQueues() != 1) throw new NicException("the 82540EM has one RX queue; asked for " + options.rxQueues());
        return IntelNicDriver.open(device, options, SPEC, 1, E1000Driver::new);
    }

    @Override public NicInterrupts interrupts() { return interrupts; }

    @Override public PhyAccess phy() { return phy; }

    // ---- probe ----

    @Override public MacAddress probe() {
        for (Bar b : device.bars()) if (!b.isMemory() && b.index() >= 1 && b.assigned()) { ioBar = b.index(); break; }
        if (ioBar < 0) log.warn("{}: no I/O BAR; resetting through BAR0 instead of the IOADDR/IODATA window", device.name());
        int status = mmio.read(STATUS);
        if ((status & STATUS_TBIMODE) != 0) throw new NicException(device.name() + ": STATUS.TBIMODE set; fiber (TBI) mode is not supported");
        resetMac();
        int[] eeprom = new MicrowireEeprom(mmio).read(EEPROM_WORDS_CHECKED);
        int sum = Nvm.checksum(eeprom);
        if (sum != Nvm.CHECKSUM_SUM)
            throw new NicException(String.format("%s: The EEPROM Checksum Is Not Valid (sum of words 0x00-0x3F is 0x%04x, expected 0x%04x)",
                    device.name(), sum, Nvm.CHECKSUM_SUM));
        mac = Nvm.macFromWords(eeprom[0], eeprom[1], eeprom[2]);
        if (!Nvm.validUnicast(mac)) throw new NicException(device.name() + ": Invalid MAC Address " + mac + " in EEPROM words 0-2");
        int pause = eeprom[EEPROM_INIT_CONTROL2] & EEPROM_PAUSE_MASK;
        fcPause = pause == 0 ? 0 : pause == EEPROM_ASM_DIR ? Mdic.ANAR_ASM_DIR : Mdic.ANAR_PAUSE | Mdic.ANAR_ASM_DIR;
        resetHardware();
        phy.clear(Mdic.BMCR, Mdic.BMCR_POWER_DOWN);
        return mac;
    }

    /** e1000_reset_hw: quiesce, global reset through the I/O window, clear pending causes. */
    private void resetMac() {
        mmio.write(IMC, 0xFFFF_FFFF);
        mmio.write(RCTL, 0);
        mmio.write(TCTL, TCTL_PSP);
        mmio.flush();
        sleepMillis(10);
        int ctrl = mmio.read(CTRL);
        if (ioBar >= 0) {
            device.mmioWrite(ioBar, IOADDR, 4, CTRL);
            device.mmioWrite(ioBar, IODATA, 4, (ctrl | CTRL_RST) & 0xFFFF_FFFFL);
        } else {
            mmio.write(CTRL, ctrl | CTRL_RST);
        }
        sleepMillis(5); // the 82540 needs no auto-read-done poll: the manual's delay
        mmio.clear(MANC, MANC_ARP_EN);
        mmio.write(IMC, 0xFFFF_FFFF);
        mmio.read(ICR);
    }

    /** e1000_reset: packet buffer split, MAC reset, then init_hw (filters, PHY and link). */
    @Override public void resetHardware() {
        mmio.write(PBA, PBA_48K);
        resetMac();
        mmio.write(WUC, 0);
        mmio.read(LEDCTL);
        mmio.write(VET, 0);
        for (int i = 0; i < VFTA_ENTRIES; i++) mmio.write(VFTA + 4 * i, 0);
        mmio.write(RA, Nvm.ral(mac));
        mmio.write(RA + 4, Nvm.rahLow(mac) | RAH_AV);
        for (int i = 1; i < RAR_ENTRIES; i++) {
            mmio.write(RA + 8 * i, 0);
            mmio.write(RA + 8 * i + 4, 0);
        }
        for (int i = 0; i < MTA_ENTRIES; i++) mmio.write(MTA + 4 * i, 0);
        setupLink();
        mmio.write(TXDCTL, mmio.read(TXDCTL) & ~TXDCTL_WTHRESH | TXDCTL_FULL_TX_DESC_WB);
        for (HwStat s : HwStat.values()) s.read(mmio); // clear the statistics
        mmio.write(VET, VLAN_TYPE);
    }

    /** e1000_setup_link for copper: PHY checks and set-up, autonegotiation, flow-control registers. */
    private void setupLink() {
        mmio.write(CTRL, mmio.read(CTRL) & ~(CTRL_FRCSPD | CTRL_FRCDPX) | CTRL_SLU);
        int id = phy.read(Mdic.PHYID1) << 16 | phy.read(Mdic.PHYID2);
        if ((id & PHY_REVISION_MASK) != M88E1011_I_PHY_ID)
            throw new NicException(String.format("%s: PHY ID 0x%08x is not a Marvell 88E1011 (0x%08x); the link cannot come up",
                    device.name(), id, M88E1011_I_PHY_ID));
        int revision = id & ~PHY_REVISION_MASK;
        phyReset();
        int pscr = phy.read(M88_PSCR) | PSCR_ASSERT_CRS_ON_TX;
        pscr = pscr & ~PSCR_AUTO_X_MODE | PSCR_AUTO_X_MODE; // automatic MDI/MDI-X
        pscr &= ~PSCR_POLARITY_REVERSAL;
        phy.write(M88_PSCR, pscr);
        if (revision < M88E1011_I_REV_4) {
            int epscr = phy.read(M88_EPSCR) | EPSCR_TX_CLK_25;
            epscr = epscr & ~(EPSCR_MASTER_DOWNSHIFT_MASK | EPSCR_SLAVE_DOWNSHIFT_MASK) | EPSCR_MASTER_DOWNSHIFT_1X | EPSCR_SLAVE_DOWNSHIFT_1X;
            phy.write(M88_EPSCR, epscr);
        }
        phyReset(); // commit the changes above
        PhyLink.autonegotiate(phy, fcPause);
        if ((fcPause & Mdic.ANAR_ASM_DIR) == 0) {
            PhyLink.flowControlRegisters(mmio, 0, 0);
        } else {
            // High water: 90% of the 48 KB buffer, or one frame below the top; 8-byte granularity.
            int pba = PBA_48K << 10;
            int high = Math.min(pba * 9 / 10, pba - options.maxFrameSize() - 4) & 0xFFF8;
            PhyLink.flowControlRegisters(mmio, high, high - 8);
        }
    }

    /** PHY software reset (BMCR.RESET), as e1000_phy_reset does for the M88. */
    private void phyReset() {
        phy.write(Mdic.BMCR, phy.read(Mdic.BMCR) | Mdic.BMCR_RESET);
        IntelNicDriver.delay(1_000);
    }

    // ---- configure ----

    @Override public void configure() {
        mmio.write(TDBAL, (int) nic.txRingAddress());
        mmio.write(TDBAH, (int) (nic.txRingAddress() >>> 32));
        mmio.write(TDLEN, nic.txRingBytes());
        mmio.write(TDH, 0);
        mmio.write(TDT, 0);
        mmio.write(TIPG, TIPG_COPPER);
        mmio.write(TIDV, 0);
        mmio.write(TADV, 0);
        control.writeTctl(TCTL_PSP | TCTL_CT | TCTL_COLD_FD | TCTL_RTLC); // EN once the link is up

        int rctl = RCTL_BAM | (options.jumbo() ? RCTL_LPE : 0);
        control.writeRctl(rctl);
        mmio.write(RDTR, 0);
        mmio.write(RADV, 0);
        mmio.write(ITR, options.interruptRate() == 0 ? 0 : (int) (1_000_000_000L / (options.interruptRate() * 256L)));
        mmio.write(RDLEN, nic.rxRingBytes(0));
        mmio.write(RDBAH, (int) (nic.rxRingAddress(0) >>> 32));
        mmio.write(RDBAL, (int) nic.rxRingAddress(0));
        mmio.write(RDT, 0);
        mmio.write(RDH, 0);
        // The NIC checks what it receives, so the host (the TAP bridge's GRO) can trust its verdict.
        mmio.write(RXCSUM, RXCSUM_IPOFL | RXCSUM_TUOFL);
        control.writeRctl(rctl | RCTL_EN);
        mmio.write(RDT, nic.rxTail(0));
    }

    /** e1000_reset + PHY power-down (after e1000_down's stop). */
    @Override public void shutdown() {
        mmio.write(PBA, PBA_48K);
        resetMac();
        phy.write(Mdic.BMCR, phy.read(Mdic.BMCR) | Mdic.BMCR_POWER_DOWN);
    }

    private static void sleepMillis(long ms) {
        IntelNicDriver.delay(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}
