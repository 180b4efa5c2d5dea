package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NicCore;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.nic.ReceiveFilter;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.phy.PhyProfiles;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.DeviceContext;
import java.util.function.BooleanSupplier;

/**
 * The core of the 82540EM: the register file as a table, reset, link state, and the parts it
 * wires together (EEPROM, PHY, filters, statistics, interrupt funnel, receiver, transmitter).
 * The PCI shell ({@link E1000Function}) owns configuration space and the BARs.
 *
 * <p>Registers not in the table read 0 and ignore writes (counted by the table). Everything the
 * Linux e1000 driver touches is in it.
 */
final class E1000Core extends NicCore {
    /** CTRL after reset: SWDPIN2, SWDPIN0, 1000 Mb/s, set link up (as QEMU; the driver rewrites it). */
    static final int CTRL_RESET = CTRL_SWDPIN2 | CTRL_SWDPIN0 | CTRL_SPD_1000 | CTRL_SLU;
    /** PBA after reset: 48 KiB receive, 16 KiB transmit. */
    static final int PBA_RESET = 0x0010_0030;
    static final int LEDCTL_RESET = 0x0000_0602;
    /** RAH: AV (31), address select (17:16), address bytes 4 and 5 (15:0). */
    static final int RAH_WRITABLE = 0x8003_FFFF;

    final RegisterTable regs;
    final MicrowireEeprom eeprom;
    final E1000Interrupts interrupts;
    final E1000Receiver rx;
    final E1000Transmitter tx;

    E1000Core(NvmImage nvm) {
        super(PhyProfiles.m88e1011(), RECEIVE_ADDRESSES);
        this.eeprom = new MicrowireEeprom(nvm);
        this.regs = buildRegisters();
        this.interrupts = new E1000Interrupts(() -> regs.get(ITR));
        this.rx = new E1000Receiver(regs, filter, stats, interrupts);
        this.tx = new E1000Transmitter(regs, stats, interrupts);
        phy.setLinkListener(up -> interrupts.raise(ICR_LSC));
        loadAddress();
    }

    void attach(DeviceContext ctx, BooleanSupplier busMaster) {
        interrupts.attach(ctx.interrupts(), ctx.timers());
        connect(ctx, busMaster, rx, tx);
        rx.reset();
    }

    @Override
    public RegisterTable registers() { return regs; }

    @Override
    public void pciReset() { reset(); }

    @Override
    public boolean interruptAsserted() { return interrupts.asserted(); }

    @Override
    public int receiveBuffered() { return rx.buffered(); }

    // ---------------------------------------------------------------- the register table

    private RegisterTable buildRegisters() {
        return RegisterTable.builder("e1000", BAR0_SIZE)
                .reg(CTRL, "CTRL").initial(CTRL_RESET).write((i, v) -> writeCtrl(v))
                .reg(STATUS, "STATUS").readOnly().read(i -> status())
                .reg(EECD, "EECD").read(i -> eeprom.readEecd()).write((i, v) -> eeprom.writeEecd(v))
                .reg(EERD, "EERD").write((i, v) -> regs.set(EERD, MicrowireEeprom.eerdResult(v, eeprom)))
                .reg(CTRL_EXT, "CTRL_EXT").masked(~CTRL_EXT_EE_RST)
                .reg(FLA, "FLA").plain()
                .reg(MDIC, "MDIC").write((i, v) -> writeMdic(v, interrupts::raise))
                .reg(FCAL, "FCAL").plain()
                .reg(FCAH, "FCAH").masked(0xFFFF)
                .reg(FCT, "FCT").masked(0xFFFF)
                .reg(VET, "VET").masked(0xFFFF).initial(0x8100)
                .reg(ICR, "ICR").read(i -> interrupts.readIcr()).write((i, v) -> interrupts.clear(v))
                .reg(ITR, "ITR").masked(0xFFFF)
                .reg(ICS, "ICS").read(i -> interrupts.icr()).write((i, v) -> interrupts.raise(v))
                .reg(IMS, "IMS").read(i -> interrupts.ims()).write((i, v) -> interrupts.enable(v))
                .reg(IMC, "IMC").read(i -> 0).write((i, v) -> interrupts.disable(v))
                .reg(RCTL, "RCTL").plain().onWrite((i, v) -> rx.controlChanged())
                .reg(FCTTV, "FCTTV").masked(0xFFFF)
                .reg(TXCW, "TXCW").plain()
                .reg(RXCW, "RXCW").readOnly(0)
                .reg(TCTL, "TCTL").plain().onWrite((i, v) -> { if ((v & TCTL_EN) != 0) tx.kick(); })
                .reg(TIPG, "TIPG").masked(0x3FFF_FFFF)
                .reg(AIT, "AIT").masked(0xFFFF)
                .reg(LEDCTL, "LEDCTL").plain().initial(LEDCTL_RESET)
                .reg(PBA, "PBA").masked(0xFFFF).initial(PBA_RESET).onWrite((i, v) -> rx.packetBufferAllocationChanged(v))
                .reg(FCRTL, "FCRTL").masked(0x8000_FFF8)
                .reg(FCRTH, "FCRTH").masked(0xFFF8)
                .reg(RDFH, "RDFH").plain().reg(RDFT, "RDFT").plain().reg(RDFHS, "RDFHS").plain().reg(RDFTS, "RDFTS").plain()
                .reg(RDFPC, "RDFPC").plain()
                .reg(RDBAL, "RDBAL").masked(0xFFFF_FFF0).onWrite((i, v) -> rx.invalidate())
                .reg(RDBAH, "RDBAH").plain().onWrite((i, v) -> rx.invalidate())
                .reg(RDLEN, "RDLEN").masked(0x000F_FF80).onWrite((i, v) -> rx.invalidate())
                .reg(RDH, "RDH").masked(0xFFFF).onWrite((i, v) -> rx.invalidate())
                .reg(RDT, "RDT").masked(0xFFFF).onWrite((i, v) -> rx.tailWritten())
                .reg(RDTR, "RDTR").masked(0xFFFF)
                .reg(RXDCTL, "RXDCTL").plain()
                .reg(RADV, "RADV").masked(0xFFFF)
                .reg(RSRPD, "RSRPD").masked(0xFFF)
                .reg(TXDMAC, "TXDMAC").masked(1)
                .reg(TDFH, "TDFH").plain().reg(TDFT, "TDFT").plain().reg(TDFHS, "TDFHS").plain().reg(TDFTS, "TDFTS").plain()
                .reg(TDFPC, "TDFPC").plain()
                .reg(TDBAL, "TDBAL").masked(0xFFFF_FFF0).onWrite((i, v) -> tx.ringChanged())
                .reg(TDBAH, "TDBAH").plain().onWrite((i, v) -> tx.ringChanged())
                .reg(TDLEN, "TDLEN").masked(0x000F_FF80).onWrite((i, v) -> tx.ringChanged())
                .reg(TDH, "TDH").masked(0xFFFF).onWrite((i, v) -> tx.ringChanged())
                .reg(TDT, "TDT").masked(0xFFFF).onWrite((i, v) -> tx.kick())
                .reg(TIDV, "TIDV").masked(0xFFFF)
                .reg(TXDCTL, "TXDCTL").plain()
                .reg(TADV, "TADV").masked(0xFFFF)
                .range(Statistic.FIRST, (Statistic.END - Statistic.FIRST) / 4, 4, "STATS").readOnly().read(i -> stats.read(Statistic.FIRST + 4 * i))
                .reg(RXCSUM, "RXCSUM").masked(RXCSUM_PCSS_MASK | RXCSUM_IPOFL | RXCSUM_TUOFL)
                // The filter tables are stored here (so partial writes merge correctly) and mirrored
                // into the ReceiveFilter, which decides per frame.
                .range(MTA, ReceiveFilter.MTA_WORDS, 4, "MTA").plain().onWrite(filter::setMta)
                .range(RA, RECEIVE_ADDRESSES, 8, "RAL").plain().onWrite(filter::setRal)
                .range(RA + 4, RECEIVE_ADDRESSES, 8, "RAH").masked(RAH_WRITABLE).onWrite(filter::setRah)
                .range(VFTA, ReceiveFilter.VFTA_WORDS, 4, "VFTA").plain().onWrite(filter::setVfta)
                .reg(WUC, "WUC").plain()
                .reg(WUFC, "WUFC").plain()
                .reg(WUS, "WUS").w1c()
                .reg(MANC, "MANC").plain()
                .reg(IPAV, "IPAV").plain()
                .range(IP4AT, 4, 8, "IP4AT").plain()
                .range(IP6AT, 4, 4, "IP6AT").plain()
                .reg(WUPL, "WUPL").plain()
                .range(WUPM, 32, 4, "WUPM").plain()
                .range(FFLT, 4, 8, "FFLT").plain()
                .range(FFMT, 128, 8, "FFMT").plain()
                .range(FFVT, 128, 8, "FFVT").plain()
                .build();
    }

    private int status() {
        int s = STATUS_FD | STATUS_SPEED_1000 | STATUS_ASDV_1000 | STATUS_MTXCKOK;
        if (phy.linkUp()) s |= STATUS_LU;
        return s;
    }

    private void writeCtrl(int v) {
        int old = regs.get(CTRL);
        if ((v & CTRL_RST) != 0) {
            reset();
            return;
        }
        regs.set(CTRL, v);
        // PHY_RST holds the PHY in reset; it comes out with its defaults (e1000_phy_hw_reset).
        if ((old & CTRL_PHY_RST) == 0 && (v & CTRL_PHY_RST) != 0) phy.reset();
    }

    // ---------------------------------------------------------------- reset and link

    /** The device reset (CTRL.RST, and a PCI reset): every MAC register, the PHY, the queues. */
    void reset() {
        countReset();
        regs.reset();
        interrupts.reset();
        stats.clear();
        filter.clear();
        loadAddress();
        eeprom.resetInterface();
        tx.reset();
        rx.reset();
        phy.reset();
    }

    /** RAL0/RAH0 from the EEPROM's address, valid, as the chip loads them after every reset. */
    private void loadAddress() {
        filter.setAddress(0, eeprom.ethernetAddress());
        regs.set(RA, filter.ral(0));
        regs.set(RA + 4, filter.rah(0));
    }

    @Override
    public MacAddress permanentAddress() { return eeprom.ethernetAddress(); }
}
