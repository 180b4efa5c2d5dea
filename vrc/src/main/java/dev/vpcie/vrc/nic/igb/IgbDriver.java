package dev.vpcie.vrc.nic.igb;

import static dev.vpcie.vrc.nic.igb.IgbRegs.*;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.nic.AdvancedRxFormat;
import dev.vpcie.vrc.nic.AdvancedTxFormat;
import dev.vpcie.vrc.nic.ChipSpec;
import dev.vpcie.vrc.nic.HwStat;
import dev.vpcie.vrc.nic.IntelChip;
import dev.vpcie.vrc.nic.IntelNicDriver;
import dev.vpcie.vrc.nic.IrqMode;
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
import dev.vpcie.protocol.transport.MacAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Intel 82576's (8086:10C9) part of an {@link IntelNicDriver}, following the Linux igb
 * driver's sequences: PCIe master disable and global reset, NVM checksum through EERD, MAC from
 * RAL0/RAH0 (or the NVM's alternate address), SWSM/SW_FW_SYNC semaphores around every PHY
 * access, IGP3 PHY set-up with page select, advanced descriptors on TX queue 0 and RX queues
 * 0..n-1 spread by RSS (Toeplitz key, RETA), and its interrupts ({@link IgbInterrupts}: MSI-X,
 * falling back to MSI or INTx).
 */
public final class IgbDriver implements IntelChip {
    private static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);
    /** The Toeplitz key from Microsoft's RSS verification suite, so hashes can be checked by hand. */
    static final byte[] RSS_KEY = {
        0x6d, 0x5a, 0x56, (byte) 0xda, 0x25, 0x5b, 0x0e, (byte) 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, (byte) 0xa3, (byte) 0x8f, (byte) 0xb0,
        (byte) 0xd0, (byte) 0xca, 0x2b, (byte) 0xcb, (byte) 0xae, 0x7b, 0x30, (byte) 0xb4, 0x77, (byte) 0xcb, 0x2d, (byte) 0xa3, (byte) 0x80,
        0x30, (byte) 0xf2, 0x0c, 0x6a, 0x42, (byte) 0xb7, 0x3b, (byte) 0xbe, (byte) 0xac, 0x01, (byte) 0xfa};
    private static final int GIO_MASTER_POLLS = 800, AUTO_RD_POLLS = 10, CFG_DONE_POLLS = 100;

    private final IntelNicDriver nic;
    private final PcieDevice device;
    private final Mmio mmio;
    private final NicOptions options;
    private final MacControl control;
    private final IgbSemaphores semaphores;
    private final IgpPhy phy;
    private final IgbInterrupts interrupts;
    private IgbNvm nvm;
    private MacAddress mac;
    private int fcPause;

    /**
     * Advanced descriptors; RCTL.SECRC is set, as igb does, so lengths exclude the CRC; 16 KiB per
     * TX descriptor, within igb's 32 KiB limit (IGB_MAX_DATA_PER_TXD): a 64 KiB TSO frame takes
     * four buffers, so the NIC fetches it in four DMA reads.
     */
    private static final RingLayout LAYOUT = new RingLayout(new AdvancedTxFormat(), new AdvancedRxFormat(), 0, RX_BUFFER, 16384);
    static final ChipSpec SPEC = new ChipSpec("82576", LAYOUT, txQueue(0) + Q_TAIL, queue -> rxQueue(queue) + Q_TAIL);

    private IgbDriver(IntelNicDriver nic) {
        this.nic = nic;
        this.device = nic.device();
        this.mmio = nic.mmio();
        this.options = nic.options();
        this.control = nic.macControl();
        this.semaphores = new IgbSemaphores(mmio);
        this.phy = new IgpPhy(new Mdic(mmio, PHY_ADDRESS, true), semaphores);
        this.interrupts = new IgbInterrupts(nic);
    }

    /** Whether this driver handles the function (8086:10C9). */
    public static boolean supports(PcieDevice device) {
        return device.vendorId() == VENDOR_INTEL && device.deviceId() == DEVICE_82576;
    }

    /** Probes and opens the NIC; returns once the link is up or {@link NicOptions#linkWait()} has passed. */
    public static IntelNicDriver open(PcieDevice device, NicOptions options) {
        if (!supports(device)) throw new NicException(device + " is not an 82576 (8086:10c9)");
        return IntelNicDriver.open(device, options, SPEC, options.rxQueues(), IgbDriver::new);
    }

    @Override public NicInterrupts interrupts() { return interrupts; }

    @Override public PhyAccess phy() { return phy; }

    private int rxQueues() { return nic.rxQueues(); }

    // ---- probe ----

    @Override public MacAddress probe() {
        int ctrlExt = mmio.read(CTRL_EXT);
        if ((ctrlExt & CTRL_EXT_LINK_MODE_MASK) != 0)
            throw new NicException(String.format("%s: CTRL_EXT.LINK_MODE is %d; only the internal copper PHY is supported",
                    device.name(), (ctrlExt & CTRL_EXT_LINK_MODE_MASK) >>> 22));
        nvm = new IgbNvm(mmio, mmio.read(EECD));
        mmio.write(CTRL_EXT, ctrlExt & ~CTRL_EXT_I2C_ENA);
        mmio.read(STATUS);
        int id = phy.read(Mdic.PHYID1) << 16 | phy.read(Mdic.PHYID2);
        if ((id & PHY_REVISION_MASK) != IGP03E1000_E_PHY_ID)
            throw new NicException(String.format("%s: PHY ID 0x%08x is not an IGP03E1000_E (0x%08x), the PHY this driver sets up",
                    device.name(), id, IGP03E1000_E_PHY_ID));
        if ((mmio.read(MANC) & MANC_BLK_PHY_RST_ON_IDE) != 0)
            throw new NicException(device.name() + ": PHY reset is blocked due to SOL/IDER session (MANC.BLK_PHY_RST_ON_IDE)");
        resetMac();
        int sum = Nvm.checksum(nvm.read(0, Nvm.CHECKSUM_WORDS));
        if (sum != Nvm.CHECKSUM_SUM)
            throw new NicException(String.format("%s: The NVM Checksum Is Not Valid (sum of words 0x00-0x3F is 0x%04x, expected 0x%04x)",
                    device.name(), sum, Nvm.CHECKSUM_SUM));
        mac = Nvm.macFromRar(mmio.read(ral(0)), mmio.read(ral(0) + 4));
        MacAddress alternate = alternateMac();
        if (alternate != null) mac = alternate;
        if (!Nvm.validUnicast(mac)) throw new NicException(device.name() + ": Invalid MAC Address " + mac + " in RAL0/RAH0");
        int pause = nvm.read(NVM_INIT_CONTROL2) & NVM_PAUSE_MASK;
        fcPause = pause == 0 ? 0 : pause == NVM_ASM_DIR ? Mdic.ANAR_ASM_DIR : Mdic.ANAR_PAUSE | Mdic.ANAR_ASM_DIR;
        resetHardware();
        phy.write(Mdic.BMCR, phy.read(Mdic.BMCR) & ~Mdic.BMCR_POWER_DOWN);
        return mac;
    }

    /** NVM word 0x37 points at an alternate MAC address; 0 or 0xFFFF means none. A multicast one is ignored. */
    private MacAddress alternateMac() {
        int pointer = nvm.read(NVM_ALT_MAC_ADDR_PTR);
        if (pointer == 0 || pointer == 0xFFFF) return null;
        if (pointer + 3 > nvm.words()) {
            log.warn("{}: NVM alternate MAC pointer 0x{} is outside the NVM; ignored", device.name(), Integer.toHexString(pointer));
            return null;
        }
        MacAddress alt = Nvm.macFromWords(nvm.read(pointer), nvm.read(pointer + 1), nvm.read(pointer + 2));
        return alt.isMulticast() ? null : alt;
    }

    /** igb_reset_hw_82575: stop PCIe mastering, completion timeout, quiesce, global reset, clear causes. */
    private void resetMac() {
        mmio.write(CTRL, mmio.read(CTRL) | CTRL_GIO_MASTER_DISABLE);
        if (!pollClear(STATUS, STATUS_GIO_MASTER_ENABLE, GIO_MASTER_POLLS, 100_000))
            log.debug("{}: PCI-E Master disable polling has failed", device.name());
        setCompletionTimeout();
        mmio.write(IMC, 0xFFFF_FFFF);
        mmio.write(RCTL, 0);
        mmio.write(TCTL, TCTL_PSP);
        mmio.flush();
        IntelNicDriver.delay(TimeUnit.MILLISECONDS.toNanos(10));
        mmio.write(CTRL, mmio.read(CTRL) | CTRL_RST);
        if (!pollSet(EECD, EECD_AUTO_RD, AUTO_RD_POLLS, 1_000_000))
            log.debug("{}: Auto read by HW from NVM has not completed", device.name());
        if ((mmio.read(EECD) & EECD_PRES) == 0) log.warn("{}: EECD.PRES clear: no NVM present", device.name());
        mmio.write(IMC, 0xFFFF_FFFF);
        mmio.read(ICR);
    }

    /** GCR: 10 ms completion timeout (or 16 ms through Device Control 2 on a version 2 capability), no resend. */
    private void setCompletionTimeout() {
        int gcr = mmio.read(GCR);
        if ((gcr & GCR_CMPL_TMOUT_MASK) == 0) {
            if ((gcr & GCR_CAP_VER2) == 0) {
                gcr |= GCR_CMPL_TMOUT_10MS;
            } else {
                device.capability(PciConfig.CapId.PCI_EXPRESS).ifPresent(cap -> {
                    int at = cap.offset() + PciConfig.Pcie.DEVICE_CONTROL_2;
                    int devctl2 = (int) device.configRead(at, 2).orThrow(device.name() + ": Device Control 2 read");
                    device.configWrite(at, 2, devctl2 & ~0xF | DEVCTL2_CMPL_TIMEOUT_16MS);
                });
            }
        }
        mmio.write(GCR, gcr & ~GCR_CMPL_TMOUT_RESEND);
    }

    /** igb_reset: MAC reset, wake-up off, init_hw (filters, PHY, link, flow control), VLAN type, driver loaded. */
    @Override public void resetHardware() {
        int pba = mmio.read(RXPBS) & RXPBS_SIZE_MASK;
        resetMac();
        mmio.write(WUC, 0);
        nvm.read(4); // ID LED defaults
        mmio.read(LEDCTL);
        for (int i = 0; i < VFTA_ENTRIES; i++) mmio.write(VFTA + 4 * i, 0);
        writeRar0();
        for (int i = 1; i < RAR_ENTRIES; i++) {
            mmio.write(ral(i), 0);
            mmio.write(ral(i) + 4, 0);
        }
        for (int i = 0; i < MTA_ENTRIES; i++) mmio.write(MTA + 4 * i, 0);
        for (int i = 0; i < UTA_ENTRIES; i++) mmio.write(UTA + 4 * i, 0);
        setupLink(pba);
        for (HwStat s : HwStat.values()) s.read(mmio); // clear the statistics
        mmio.write(VET, VLAN_TYPE);
        mmio.write(CTRL_EXT, mmio.read(CTRL_EXT) | CTRL_EXT_DRV_LOAD);
    }

    private void writeRar0() {
        mmio.write(ral(0), Nvm.ral(mac));
        mmio.write(ral(0) + 4, Nvm.rahLow(mac) | RAH_AV | RAH_POOL_0);
    }

    /** igb_setup_copper_link_82575 for the IGP3 PHY, then the flow-control registers. */
    private void setupLink(int pbaKb) {
        mmio.write(CTRL, mmio.read(CTRL) & ~(CTRL_FRCSPD | CTRL_FRCDPX) | CTRL_SLU);
        phyHardwareReset();
        IntelNicDriver.delay(TimeUnit.MILLISECONDS.toNanos(100)); // let the MAC configure the PHY from the NVM
        phy.write(IGP_POWER_MGMT, phy.read(IGP_POWER_MGMT) & ~(IGP_PM_D0_LPLU | IGP_PM_D3_LPLU));
        phy.write(IGP_PORT_CTRL, phy.read(IGP_PORT_CTRL) & ~IGP_PSCR_FORCE_MDI_MDIX | IGP_PSCR_AUTO_MDIX);
        phy.write(Mdic.GBCR, phy.read(Mdic.GBCR) & ~GBCR_MS_ENABLE); // automatic master/slave resolution
        PhyLink.autonegotiate(phy, fcPause);
        if ((fcPause & Mdic.ANAR_ASM_DIR) == 0 || pbaKb == 0) {
            PhyLink.flowControlRegisters(mmio, 0, 0);
        } else {
            // Room for two full frames above the high-water mark; 16-byte granularity.
            int high = ((pbaKb << 10) - 2 * (options.maxFrameSize() + 8)) & ~0xF;
            PhyLink.flowControlRegisters(mmio, high, high - 16);
        }
    }

    /** igb_phy_hw_reset: CTRL.PHY_RST pulse under the PHY semaphore, then wait for the NVM configuration (EEMNGCTL). */
    private void phyHardwareReset() {
        semaphores.acquire(SWFW_PHY0_SM);
        try {
            int ctrl = mmio.read(CTRL);
            mmio.write(CTRL, ctrl | CTRL_PHY_RST);
            mmio.flush();
            IntelNicDriver.delay(100_000);
            mmio.write(CTRL, ctrl);
            mmio.flush();
            IntelNicDriver.delay(150_000);
        } finally {
            semaphores.release(SWFW_PHY0_SM);
        }
        if (!pollSet(EEMNGCTL, EEMNGCTL_CFG_DONE_PORT_0, CFG_DONE_POLLS, 1_000_000))
            log.debug("{}: MNG configuration cycle has not completed", device.name());
    }

    private boolean pollSet(int register, int bit, int polls, long delayNs) {
        for (int i = 0; i < polls; i++) {
            if ((mmio.read(register) & bit) != 0) return true;
            IntelNicDriver.delay(delayNs);
        }
        return false;
    }

    private boolean pollClear(int register, int bit, int polls, long delayNs) {
        for (int i = 0; i < polls; i++) {
            if ((mmio.read(register) & bit) == 0) return true;
            IntelNicDriver.delay(delayNs);
        }
        return false;
    }

    // ---- configure ----

    @Override public void configure() {
        mmio.write(CTRL_EXT, mmio.read(CTRL_EXT) | CTRL_EXT_DRV_LOAD);
        int tx = txQueue(0);
        mmio.write(tx + Q_DCTL, 0);
        control.writeTctl(TCTL_PSP | TCTL_RTLC | TCTL_CT | TCTL_COLD | TCTL_EN);
        setupRss();
        control.writeRctl(RCTL_EN | RCTL_BAM | RCTL_SECRC | RCTL_LPE);
        mmio.write(RLPML, options.maxFrameSize() + 8); // FCS and one VLAN tag beyond the frame
        mmio.write(rxQueue(0) + Q_DCTL, 0);

        mmio.write(tx + Q_DCTL, 0);
        mmio.flush();
        IntelNicDriver.delay(TimeUnit.MILLISECONDS.toNanos(10));
        mmio.write(tx + Q_LEN, nic.txRingBytes());
        mmio.write(tx + Q_BAL, (int) nic.txRingAddress());
        mmio.write(tx + Q_BAH, (int) (nic.txRingAddress() >>> 32));
        mmio.write(tx + Q_HEAD, 0);
        mmio.write(tx + Q_TAIL, 0);
        boolean msix = interrupts.mode() == IrqMode.MSIX;
        int wthresh = msix ? 1 : 16;
        mmio.write(tx + Q_DCTL, TX_PTHRESH | TX_HTHRESH << 8 | wthresh << 16 | DCTL_ENABLE);

        writeRar0();
        for (int q = 0; q < rxQueues(); q++) {
            int rx = rxQueue(q);
            mmio.write(rx + Q_DCTL, 0);
            mmio.write(rx + Q_BAL, (int) nic.rxRingAddress(q));
            mmio.write(rx + Q_BAH, (int) (nic.rxRingAddress(q) >>> 32));
            mmio.write(rx + Q_LEN, nic.rxRingBytes(q));
            mmio.write(rx + Q_HEAD, 0);
            mmio.write(rx + Q_TAIL, 0);
            mmio.write(rx + RX_SRRCTL, SRRCTL_BSIZEPKT_2K | SRRCTL_BSIZEHDR_256 | SRRCTL_DESCTYPE_ADV_ONEBUF);
            int rxWthresh = msix ? 1 : 4;
            mmio.write(rx + Q_DCTL, RX_PTHRESH | RX_HTHRESH << 8 | rxWthresh << 16 | DCTL_ENABLE);
        }
        mmio.write(RFCTL, mmio.read(RFCTL) | RFCTL_IPV6_EX_DIS);
        for (int q = 0; q < rxQueues(); q++) mmio.write(rxQueue(q) + Q_TAIL, nic.rxTail(q));
    }

    /** igb_setup_mrqc: key, redirection table spreading over the RX queues, hash in the descriptor, RSS on. */
    private void setupRss() {
        for (int j = 0; j < RSSRK_REGISTERS; j++) {
            int v = RSS_KEY[4 * j] & 0xFF | (RSS_KEY[4 * j + 1] & 0xFF) << 8 | (RSS_KEY[4 * j + 2] & 0xFF) << 16
                    | (RSS_KEY[4 * j + 3] & 0xFF) << 24;
            mmio.write(RSSRK + 4 * j, v);
        }
        int queues = rxQueues();
        for (int j = 0; j < RETA_REGISTERS; j++) {
            int v = 0;
            for (int b = 0; b < 4; b++) v |= ((4 * j + b) % queues) << (8 * b);
            mmio.write(RETA + 4 * j, v);
        }
        mmio.write(RXCSUM, mmio.read(RXCSUM) | RXCSUM_PCSD | RXCSUM_CRCOFL);
        mmio.write(MRQC, MRQC_ENABLE_RSS_MQ | MRQC_RSS_FIELD_IPV4 | MRQC_RSS_FIELD_IPV4_TCP | MRQC_RSS_FIELD_IPV6
                | MRQC_RSS_FIELD_IPV6_TCP | MRQC_RSS_FIELD_IPV6_TCP_EX);
    }

    /** Reset, PHY power-down and igb_release_hw_control (after igb_down's stop). */
    @Override public void shutdown() {
        resetMac();
        phy.write(Mdic.BMCR, phy.read(Mdic.BMCR) | Mdic.BMCR_POWER_DOWN);
        mmio.write(CTRL_EXT, mmio.read(CTRL_EXT) & ~CTRL_EXT_DRV_LOAD);
    }
}
