package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbRegisters.*;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NicCore;
import dev.vpcie.devices.nic.NicStatistics;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.nic.ReceiveFilter;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.phy.Mdic;
import dev.vpcie.devices.nic.phy.PhyProfiles;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.Timers;
import java.util.function.BooleanSupplier;

/**
 * The core of the 82576: the register file as a table (with the legacy queue aliases), reset,
 * link, NVM, semaphores and PTP clock, and the parts it wires together (PHY, filters, statistics,
 * interrupt funnel, receiver, transmitter). The shell ({@link IgbFunction}) owns configuration
 * space and the BARs. Facts: the device spec, part B.
 *
 * <h2>Registers with behaviour</h2>
 * <ul>
 *   <li><b>CTRL</b>: RST or DEV_RST resets the device (self-clearing; RXPBS, TXPBS and EITR survive);
 *       PHY_RST resets the PHY and sets STATUS.PHYRA. CTRL_DUP is a second address of CTRL.</li>
 *   <li><b>STATUS</b> (read-only): FD, LU while the PHY has link, 1000 Mb/s, PHYRA (write 0 to
 *       clear), GIO_MASTER_ENABLE unless CTRL.GIO_MASTER_DISABLE, function 0.</li>
 *   <li><b>EECD</b>: PRES, AUTO_RD and SIZE_EX = 2 (256 words) read-only; GNT follows REQ (no
 *       firmware competes for the NVM). <b>EERD</b>: a write with START reads the word at once:
 *       DONE, the address, the data in 31:16 (0 beyond the NVM).</li>
 *   <li><b>SWSM</b>: reading returns the value and then sets SMBI (the hardware semaphore); SWESMBI
 *       latches when written (no firmware owns it); writes store. <b>SW_FW_SYNC</b>: software bits
 *       15:0 read-write, firmware bits 0. <b>FWSM</b> 0 (no manageability firmware).</li>
 *   <li><b>MDIC</b>: completes at once through the IGP03E1000 PHY ({@link Mdic}); INT_EN raises
 *       MDAC.</li>
 *   <li><b>EEMNGCTL</b>: CFG_DONE_PORT_0 always set. <b>CTRL_EXT</b>: link mode 00 (copper),
 *       EE_RST and ASDCHK self-clear. <b>GCR</b>: CAP_VER2 read-only set.</li>
 *   <li><b>SYSTIM</b>: advances by TIMINCA's increment value every period × 16 ns of host time;
 *       reading SYSTIML latches SYSTIMH. TSYNCRXCTL/TSYNCTXCTL VALID read 0 (no timestamps).</li>
 *   <li>Interrupt registers: {@link IgbInterrupts}. Queue registers: {@link IgbReceiver},
 *       {@link IgbTransmitter}. Statistics 0x4000..0x413C clear on read ({@link NicStatistics}).</li>
 * </ul>
 * Registers not in the table read 0 and ignore writes (counted by the table); the rest of what
 * igb touches is plain storage.
 */
final class IgbCore extends NicCore {
    /** CTRL after reset: full duplex, link reset, 1000 Mb/s, advertise D3 wake-up capability. */
    static final int CTRL_RESET = CTRL_FD | CTRL_LRST | CTRL_SPD_1000 | CTRL_ADVD3WUC;
    static final int EECD_RESET = EECD_FWE_DIS | EECD_PRES | EECD_AUTO_RD | 2 << EECD_SIZE_EX_SHIFT;
    static final int EECD_READ_ONLY = EECD_PRES | EECD_AUTO_RD | EECD_SIZE_EX_MASK | EECD_GNT;
    static final int LEDCTL_RESET = 0x0706_8302;
    static final int VET_RESET = 0x8100_8100;
    static final int TCTL_RESET = TCTL_PSP | 0xF << 4 | 0x40 << 12;
    static final int TIPG_RESET = 0x08 | 0x04 << 10 | 0x06 << 20;
    static final int GCR_RESET = GCR_CAP_VER2 | GCR_CMPL_TMOUT_RESEND;
    static final int RXPBS_RESET = 0x40;
    static final int TXPBS_RESET = 0x28;
    static final int RLPML_RESET = 0x2600;
    /** RAH: AV (31), pool select (25:18), address select (17:16), address bytes 4 and 5 (15:0). */
    static final int RAH_WRITABLE = 0x83FF_FFFF;
    /** RAH0 after reset: the address, valid, in pool 0. */
    static final int RAH_POOL_0 = 1 << 18;

    final RegisterTable regs;
    final NvmImage nvm;
    final IgbInterrupts interrupts;
    final IgbReceiver rx;
    final IgbTransmitter tx;

    private Timers timers;
    private boolean phyResetAsserted = true;
    private long systimBase;
    private long systimBaseNs;

    IgbCore(NvmImage nvm) {
        super(PhyProfiles.igp03e1000(), RECEIVE_ADDRESSES);
        if (nvm.size() < NVM_WORDS) throw new IllegalArgumentException("82576 NVM of " + nvm.size() + " words; it needs " + NVM_WORDS);
        this.nvm = nvm;
        this.regs = buildRegisters();
        this.interrupts = new IgbInterrupts(regs, stats);
        this.rx = new IgbReceiver(regs, filter, stats, interrupts);
        this.tx = new IgbTransmitter(regs, stats, interrupts);
        phy.setLinkListener(up -> interrupts.raise(ICR_LSC));
        afterReset();
    }

    void attach(DeviceContext ctx, BooleanSupplier busMaster, BooleanSupplier msixEnabled) {
        this.timers = ctx.timers();
        this.systimBaseNs = timers.nowNs();
        interrupts.attach(ctx.interrupts(), ctx.timers(), msixEnabled);
        connect(ctx, busMaster, rx, tx);
    }

    @Override
    public RegisterTable registers() { return regs; }

    /** A PCI reset: unlike CTRL.RST, it does not keep RXPBS, TXPBS and the EITRs. */
    @Override
    public void pciReset() { reset(false); }

    @Override
    public boolean interruptAsserted() { return interrupts.asserted(); }

    @Override
    public int receiveBuffered() { return rx.buffered(); }

    // ---------------------------------------------------------------- the register table

    private RegisterTable buildRegisters() {
        RegisterTable.Builder b = RegisterTable.builder("igb", BAR0_SIZE);
        b.reg(CTRL, "CTRL").initial(CTRL_RESET).write((i, v) -> writeCtrl(v))
                .reg(CTRL_DUP, "CTRL_DUP").read(i -> regs.get(CTRL)).write((i, v) -> writeCtrl(v))
                .reg(STATUS, "STATUS").read(i -> status()).write((i, v) -> { if ((v & STATUS_PHYRA) == 0) phyResetAsserted = false; })
                .reg(EECD, "EECD").initial(EECD_RESET).read(i -> readEecd()).write((i, v) -> writeEecd(v))
                .reg(EERD, "EERD").write((i, v) -> regs.set(EERD, eerd(v)))
                .reg(CTRL_EXT, "CTRL_EXT").masked(~(CTRL_EXT_ASDCHK | CTRL_EXT_EE_RST | CTRL_EXT_LINK_MODE_MASK))
                .reg(FLA, "FLA").plain()
                .reg(MDIC, "MDIC").write((i, v) -> writeMdic(v, interrupts::raise))
                .reg(SCTL, "SCTL").plain()
                .reg(FCAL, "FCAL").plain()
                .reg(FCAH, "FCAH").masked(0xFFFF)
                .reg(FCT, "FCT").masked(0xFFFF)
                .reg(VET, "VET").plain().initial(VET_RESET)
                .reg(ICR, "ICR").read(i -> interrupts.readIcr()).write((i, v) -> interrupts.clearIcr(v))
                .reg(ICS, "ICS").read(i -> interrupts.icr()).write((i, v) -> interrupts.raise(v))
                .reg(IMS, "IMS").read(i -> interrupts.ims()).write((i, v) -> interrupts.enable(v))
                .reg(IMC, "IMC").read(i -> interrupts.ims()).write((i, v) -> interrupts.disable(v))
                .reg(IAM, "IAM").plain()
                .reg(RCTL, "RCTL").plain().onWrite((i, v) -> rx.controlChanged())
                .reg(FCTTV, "FCTTV").masked(0xFFFF)
                .reg(TCTL, "TCTL").plain().initial(TCTL_RESET).onWrite((i, v) -> { if ((v & TCTL_EN) != 0) tx.kickAll(); })
                .reg(TCTL_EXT, "TCTL_EXT").plain()
                .reg(TIPG, "TIPG").plain().initial(TIPG_RESET)
                .reg(LEDCTL, "LEDCTL").plain().initial(LEDCTL_RESET)
                .reg(EEMNGCTL, "EEMNGCTL").masked(~EEMNGCTL_CFG_DONE_PORT_0).initial(EEMNGCTL_CFG_DONE_PORT_0)
                .reg(GPIE, "GPIE").plain().onWrite((i, v) -> interrupts.modeChanged())
                .reg(EICS, "EICS").read(i -> interrupts.eicr()).write((i, v) -> interrupts.raiseExtended(v))
                .reg(EIMS, "EIMS").read(i -> interrupts.eims()).write((i, v) -> interrupts.enableExtended(v))
                .reg(EIMC, "EIMC").read(i -> interrupts.eims()).write((i, v) -> interrupts.disableExtended(v))
                .reg(EIAC, "EIAC").masked(EICR_MSIX_MASK)
                .reg(EIAM, "EIAM").masked(EICR_MSIX_MASK | EICR_LEGACY_MASK)
                .reg(EICR, "EICR").read(i -> interrupts.readEicr()).write((i, v) -> interrupts.clearEicr(v))
                .range(EITR, VECTORS, 4, "EITR").masked(~EITR_CNT_IGNR)
                .range(IVAR0, 8, 4, "IVAR").plain()
                .reg(IVAR_MISC, "IVAR_MISC").plain()
                .reg(FCRTL, "FCRTL").masked(0x8000_FFF8)
                .reg(FCRTH, "FCRTH").masked(0xFFF8)
                .reg(RXPBS, "RXPBS").masked(0x7F).initial(RXPBS_RESET).onWrite((i, v) -> rx.packetBufferChanged())
                .reg(QDE, "QDE").plain()
                .reg(FCRTV, "FCRTV").masked(0xFFFF)
                .reg(TXPBS, "TXPBS").masked(0x7F).initial(TXPBS_RESET)
                .reg(DTXSWC, "DTXSWC").plain()
                .reg(DTXCTL, "DTXCTL").plain()
                .reg(RXCSUM, "RXCSUM").plain().initial(RXCSUM_IPOFLD | RXCSUM_TUOFLD)
                .reg(RLPML, "RLPML").masked(0x3FFF).initial(RLPML_RESET)
                .reg(RFCTL, "RFCTL").plain()
                // The filter tables are stored here (so partial writes merge) and mirrored into the
                // ReceiveFilter, which decides per frame.
                .range(MTA, ReceiveFilter.MTA_WORDS, 4, "MTA").plain().onWrite(filter::setMta)
                .range(RA, 16, 8, "RAL").plain().onWrite(filter::setRal)
                .range(RA + 4, 16, 8, "RAH").masked(RAH_WRITABLE).onWrite(filter::setRah)
                .range(RA2, 8, 8, "RAL").plain().onWrite((i, v) -> filter.setRal(16 + i, v))
                .range(RA2 + 4, 8, 8, "RAH").masked(RAH_WRITABLE).onWrite((i, v) -> filter.setRah(16 + i, v))
                .range(PSRTYPE, 8, 4, "PSRTYPE").plain()
                .range(VFTA, ReceiveFilter.VFTA_WORDS, 4, "VFTA").plain().onWrite(filter::setVfta)
                .reg(WUC, "WUC").plain()
                .reg(WUFC, "WUFC").plain()
                .reg(WUS, "WUS").w1c()
                .reg(MRQC, "MRQC").plain()
                .reg(VT_CTL, "VT_CTL").plain()
                .reg(MANC, "MANC").plain()
                .range(VMOLR, 8, 4, "VMOLR").plain()
                .reg(GCR, "GCR").masked(~GCR_CAP_VER2).initial(GCR_RESET)
                .reg(SWSM, "SWSM").read(i -> readSwsm())
                .reg(FWSM, "FWSM").readOnly(0)
                .reg(SW_FW_SYNC, "SW_FW_SYNC").masked(SW_FW_SYNC_SOFTWARE)
                .range(RETA, Rss.RETA_ENTRIES / 4, 4, "RETA").plain()
                .range(RSSRK, Rss.KEY_BYTES / 4, 4, "RSSRK").plain()
                .range(ETQF, 8, 4, "ETQF").plain()
                .range(VLVF, 32, 4, "VLVF").plain()
                .reg(TSYNCRXCFG, "TSYNCRXCFG").plain()
                .range(UTA, 128, 4, "UTA").plain()
                .reg(SYSTIML, "SYSTIML").read(i -> readSystiml()).write((i, v) -> writeSystim(v, false))
                .reg(SYSTIMH, "SYSTIMH").write((i, v) -> writeSystim(v, true))
                .reg(TIMINCA, "TIMINCA").write((i, v) -> writeTiminca(v))
                .reg(TIMADJL, "TIMADJL").plain()
                .reg(TIMADJH, "TIMADJH").plain()
                .reg(TSYNCTXCTL, "TSYNCTXCTL").masked(~TSYNC_VALID)
                .reg(TXSTMPL, "TXSTMPL").readOnly()
                .reg(TXSTMPH, "TXSTMPH").readOnly()
                .reg(TSYNCRXCTL, "TSYNCRXCTL").masked(~TSYNC_VALID)
                .reg(RXSTMPL, "RXSTMPL").readOnly()
                .reg(RXSTMPH, "RXSTMPH").readOnly()
                .reg(RXSATRL, "RXSATRL").readOnly()
                .reg(RXSATRH, "RXSATRH").readOnly()
                .reg(TSICR, "TSICR").clearOnRead()
                .range(Statistic.FIRST, (Statistic.END_82576 - Statistic.FIRST) / 4, 4, "STATS").readOnly().read(i -> stats.read(Statistic.FIRST + 4 * i));
        queueRegisters(b);
        return b.build();
    }

    /** The 16 receive and 16 transmit queue blocks, and the legacy addresses of queues 0..3. */
    private void queueRegisters(RegisterTable.Builder b) {
        int s = QUEUE_STRIDE;
        b.range(rx(0, RDBAL), QUEUES, s, "RDBAL").masked(0xFFFF_FFF0).onWrite((q, v) -> rx.ringChanged(q))
                .range(rx(0, RDBAH), QUEUES, s, "RDBAH").plain().onWrite((q, v) -> rx.ringChanged(q))
                .range(rx(0, RDLEN), QUEUES, s, "RDLEN").masked(0x000F_FFF0).onWrite((q, v) -> rx.ringChanged(q))
                .range(rx(0, SRRCTL), QUEUES, s, "SRRCTL").plain()
                .range(rx(0, RDH), QUEUES, s, "RDH").masked(0xFFFF).onWrite((q, v) -> rx.ringChanged(q))
                .range(rx(0, RXCTL), QUEUES, s, "RXCTL").plain()
                .range(rx(0, RDT), QUEUES, s, "RDT").masked(0xFFFF).onWrite((q, v) -> rx.tailWritten(q))
                .range(rx(0, RXDCTL), QUEUES, s, "RXDCTL").plain().initial(RXDCTL_RESET).onWrite((q, v) -> rx.queueControlChanged(q))
                .range(rx(0, RQDPC), QUEUES, s, "RQDPC").clearOnRead()
                .range(tx(0, TDBAL), QUEUES, s, "TDBAL").masked(0xFFFF_FFF0).onWrite((q, v) -> tx.ringChanged(q))
                .range(tx(0, TDBAH), QUEUES, s, "TDBAH").plain().onWrite((q, v) -> tx.ringChanged(q))
                .range(tx(0, TDLEN), QUEUES, s, "TDLEN").masked(0x000F_FFF0).onWrite((q, v) -> tx.ringChanged(q))
                .range(tx(0, TDH), QUEUES, s, "TDH").masked(0xFFFF).onWrite((q, v) -> tx.ringChanged(q))
                .range(tx(0, TXCTL), QUEUES, s, "TXCTL").plain()
                .range(tx(0, TDT), QUEUES, s, "TDT").masked(0xFFFF).onWrite((q, v) -> tx.kick(q))
                .range(tx(0, TXDCTL), QUEUES, s, "TXDCTL").plain().onWrite((q, v) -> {
                    if ((v & TXDCTL_ENABLE) != 0) tx.kick(q);
                    else tx.ringChanged(q);
                })
                .range(tx(0, TDWBAL), QUEUES, s, "TDWBAL").plain()
                .range(tx(0, TDWBAH), QUEUES, s, "TDWBAH").plain();
        for (int reg : new int[] {RDBAL, RDBAH, RDLEN, SRRCTL, RDH, RXCTL, RDT, RXDCTL, RQDPC})
            b.aliasRange(RX_LEGACY_BASE + reg, LEGACY_QUEUES, LEGACY_STRIDE, rx(0, reg), s);
        for (int reg : new int[] {TDBAL, TDBAH, TDLEN, TDH, TXCTL, TDT, TXDCTL, TDWBAL, TDWBAH})
            b.aliasRange(TX_LEGACY_BASE + reg, LEGACY_QUEUES, LEGACY_STRIDE, tx(0, reg), s);
    }

    // ---------------------------------------------------------------- registers with behaviour

    private int status() {
        int s = STATUS_FD | STATUS_SPEED_1000;
        if (phy.linkUp()) s |= STATUS_LU;
        if (phyResetAsserted) s |= STATUS_PHYRA;
        if ((regs.get(CTRL) & CTRL_GIO_MASTER_DISABLE) == 0) s |= STATUS_GIO_MASTER_ENABLE;
        return s;
    }

    private void writeCtrl(int v) {
        if ((v & (CTRL_RST | CTRL_DEV_RST)) != 0) {
            reset(true);
            return;
        }
        int old = regs.get(CTRL);
        regs.set(CTRL, v);
        // PHY_RST holds the PHY in reset; it comes out with its defaults (igb_phy_hw_reset).
        if ((old & CTRL_PHY_RST) == 0 && (v & CTRL_PHY_RST) != 0) {
            phy.reset();
            phyResetAsserted = true;
        }
        if ((old & CTRL_VME) != (v & CTRL_VME)) rx.controlChanged();
    }

    private int readEecd() {
        int v = regs.get(EECD) & ~EECD_GNT;
        return (v & EECD_REQ) != 0 ? v | EECD_GNT : v;
    }

    private void writeEecd(int v) {
        regs.set(EECD, (regs.get(EECD) & EECD_READ_ONLY) | (v & ~EECD_READ_ONLY));
    }

    /** EERD: the word at ADDR, DONE at once; an address beyond the NVM reads 0. */
    private int eerd(int v) {
        int address = v >>> EERD_ADDR_SHIFT & EERD_ADDR_MASK;
        if ((v & EERD_START) == 0) return v & ~EERD_DONE;
        int data = address < nvm.size() ? nvm.word(address) : 0;
        return EERD_DONE | address << EERD_ADDR_SHIFT | data << EERD_DATA_SHIFT;
    }

    /** SWSM: the read returns the value, then the hardware semaphore SMBI is taken. */
    private int readSwsm() {
        int v = regs.get(SWSM);
        regs.set(SWSM, v | SWSM_SMBI);
        return v;
    }

    // ---------------------------------------------------------------- SYSTIM

    private long systim() {
        if (timers == null) return systimBase;
        int timinca = regs.get(TIMINCA);
        long periodNs = 16L * (timinca >>> TIMINCA_PERIOD_SHIFT);
        if (periodNs == 0) return systimBase;
        long ticks = (timers.nowNs() - systimBaseNs) / periodNs;
        return systimBase + ticks * (timinca & TIMINCA_VALUE_MASK);
    }

    private void rebase(long value) {
        systimBase = value;
        systimBaseNs = timers == null ? 0 : timers.nowNs();
    }

    private int readSystiml() {
        long now = systim();
        regs.set(SYSTIMH, (int) (now >>> 32));
        return (int) now;
    }

    private void writeSystim(int v, boolean high) {
        long now = systim();
        long value = high ? (now & 0xFFFF_FFFFL) | (long) v << 32 : (now & ~0xFFFF_FFFFL) | (v & 0xFFFF_FFFFL);
        rebase(value);
        regs.set(high ? SYSTIMH : SYSTIML, v);
    }

    private void writeTiminca(int v) {
        rebase(systim());
        regs.set(TIMINCA, v);
    }

    // ---------------------------------------------------------------- reset and link

    /**
     * A device reset. {@code software} (CTRL.RST / DEV_RST) keeps RXPBS, TXPBS and the EITRs, as
     * the chip does; a PCI reset does not.
     */
    void reset(boolean software) {
        countReset();
        int rxpbs = regs.get(RXPBS);
        int txpbs = regs.get(TXPBS);
        int[] eitr = new int[VECTORS];
        for (int v = 0; v < VECTORS; v++) eitr[v] = regs.get(EITR + 4 * v);
        regs.reset();
        if (software) {
            regs.set(RXPBS, rxpbs);
            regs.set(TXPBS, txpbs);
            for (int v = 0; v < VECTORS; v++) regs.set(EITR + 4 * v, eitr[v]);
        }
        interrupts.reset();
        stats.clear();
        filter.clear();
        tx.reset();
        rx.reset();
        phy.reset();
        rebase(0);
        afterReset();
    }

    /** What every reset leaves: the permanent address in RAL0/RAH0, queue 0 enabled, PHY reset seen. */
    private void afterReset() {
        MacAddress mac = permanentAddress();
        regs.set(RA, mac.ral());
        regs.set(RA + 4, mac.rahAddressBits() | ReceiveFilter.RAH_AV | RAH_POOL_0);
        filter.setRal(0, regs.get(RA));
        filter.setRah(0, regs.get(RA + 4));
        regs.set(rx(0, RXDCTL), RXDCTL_RESET | RXDCTL_ENABLE);
        regs.set(tx(0, TXDCTL), TXDCTL_ENABLE);
        phyResetAsserted = true;
    }

    @Override
    public MacAddress permanentAddress() { return nvm.ethernetAddress(); }
}
