package dev.vpcie.vrc.nic.igb;

import static dev.vpcie.vrc.nic.igb.IgbRegs.*;

import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.nic.IntelNicDriver;
import dev.vpcie.vrc.nic.IrqMode;
import dev.vpcie.vrc.nic.Mmio;
import dev.vpcie.vrc.nic.NicException;
import dev.vpcie.vrc.nic.NicInterrupts;
import dev.vpcie.vrc.nic.NicOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 82576's interrupts, as igb sets them up: MSI-X with vector 0 for "other" causes and one
 * vector per RX queue (GPIE, IVAR, EIAC auto-clear, EIAM auto-mask, EITR moderation), falling
 * back to MSI or INTx with one vector (ICR auto-masking IMS through IAM).
 *
 * <p>In MSI-X mode the fast path reads no register at all: EICR clears itself, the vector masks
 * itself, completions are in host memory and re-arming is a posted EIMS write.
 */
final class IgbInterrupts implements NicInterrupts {
    private static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);

    private final IntelNicDriver nic;
    private final PcieDevice device;
    private final Mmio mmio;
    private final NicOptions options;
    private IrqMode mode;
    private int eimsEnable;

    IgbInterrupts(IntelNicDriver nic) {
        this.nic = nic;
        this.device = nic.device();
        this.mmio = nic.mmio();
        this.options = nic.options();
    }

    @Override public IrqMode mode() { return mode; }

    /** MSI-X if asked or available, else MSI, else INTx, as igb falls back. */
    @Override public void setup() {
        mode = null; // chosen afresh: this runs again after a hot insertion
        IrqMode want = options.irqMode();
        boolean hasMsix = device.capability(PciConfig.CapId.MSI_X).isPresent();
        boolean hasMsi = device.capability(PciConfig.CapId.MSI).isPresent();
        if ((want == IrqMode.AUTO || want == IrqMode.MSIX) && hasMsix) {
            try {
                device.enableMsix(1 + nic.rxQueues());
                mode = IrqMode.MSIX;
            } catch (RuntimeException e) {
                if (want == IrqMode.MSIX) throw new NicException(device.name() + ": cannot enable MSI-X: " + e.getMessage(), e);
                log.warn("{}: MSI-X unavailable ({}); falling back", device.name(), e.getMessage());
            }
        } else if (want == IrqMode.MSIX) {
            throw new NicException(device.name() + " has no MSI-X capability");
        }
        if (mode == null && (want == IrqMode.AUTO || want == IrqMode.MSI) && hasMsi) {
            device.enableMsi(1);
            mode = IrqMode.MSI;
        } else if (mode == null && want == IrqMode.MSI) {
            throw new NicException(device.name() + " has no MSI capability");
        }
        if (mode == null) {
            device.enableIntx();
            mode = IrqMode.INTX;
        }
        int handlers = mode == IrqMode.MSIX ? 1 + nic.rxQueues() : 1;
        for (int v = 0; v < handlers; v++) {
            int vector = v;
            device.onInterrupt(v, () -> nic.interrupt(vector));
        }
        log.info("{}: using {} interrupts, {} RX queue(s), 1 TX queue", device.name(), mode, nic.rxQueues());
    }

    @Override public void enable() {
        mmio.read(ICR); // clear causes left from before (igb_up)
        int itr = options.interruptRate() == 0 ? 0 : (1_000_000 / options.interruptRate()) << 2 & EITR_INTERVAL_MASK;
        int[] ivar = new int[8];
        if (mode == IrqMode.MSIX) {
            mmio.write(GPIE, GPIE_MSIX_MODE | GPIE_PBA | GPIE_EIAME | GPIE_NSICR);
            mmio.write(IVAR_MISC, (0 | IVAR_VALID) << 8); // other causes: vector 0
            for (int q = 0; q < nic.rxQueues(); q++) setIvar(ivar, q, false, 1 + q);
            setIvar(ivar, 0, true, 1); // TX queue 0 shares vector 1 with RX queue 0
            for (int i = 0; i < ivar.length; i++) mmio.write(ivar0(i), ivar[i]);
            eimsEnable = (1 << (1 + nic.rxQueues())) - 1;
            for (int v = 1; v <= nic.rxQueues(); v++) mmio.write(eitr(v), itr);
            mmio.write(EIAC, eimsEnable);
            mmio.write(EIAM, eimsEnable);
            mmio.write(EIMS, eimsEnable);
            mmio.write(IMS, IMS_ENABLE_MSIX);
        } else {
            for (int q = 0; q < nic.rxQueues(); q++) setIvar(ivar, q, false, 0);
            setIvar(ivar, 0, true, 0);
            for (int i = 0; i < ivar.length; i++) mmio.write(ivar0(i), ivar[i]);
            eimsEnable = 0;
            mmio.write(eitr(0), itr);
            mmio.write(IMS, IMS_ENABLE_LEGACY);
            mmio.write(IAM, IMS_ENABLE_LEGACY);
        }
        nic.requestLinkCheck(); // igb_up: get_link_status = 1 and the watchdog runs
    }

    /** IVAR0[q & 7]: byte 0 RX queue q, byte 1 TX queue q, bytes 2/3 the same for queue q + 8. */
    private static void setIvar(int[] ivar, int queue, boolean tx, int vector) {
        int shift = ((queue & 8) << 1) + (tx ? 8 : 0);
        ivar[queue & 7] = ivar[queue & 7] & ~(0xFF << shift) | (vector | IVAR_VALID) << shift;
    }

    @Override public void disable() {
        if (mode == IrqMode.MSIX) {
            mmio.write(EIAM, 0);
            mmio.write(EIMC, eimsEnable);
            mmio.write(EIAC, 0);
        }
        mmio.write(IAM, 0);
        mmio.write(IMC, 0xFFFF_FFFF);
        mmio.flush();
    }

    @Override public long service(long vectors) {
        return mode == IrqMode.MSIX ? serviceMsix(vectors) : serviceLegacy();
    }

    /** Vector 0: other causes (ICR clears on read with GPIE.NSICR); vector 1+q: RX queue q (and TX on vector 1). */
    private long serviceMsix(long fired) {
        long busy = 0;
        if ((fired & 1) != 0) {
            nic.readAsync(ICR, icr -> {
                otherCauses(icr);
                mmio.write(EIMS, 1);
            });
        }
        for (int q = 0; q < nic.rxQueues(); q++) {
            int v = 1 + q;
            if ((fired & 1L << v) == 0) continue;
            if (q == 0) nic.cleanTx();
            if (nic.cleanRx(q)) busy |= 1L << v; // stays auto-masked until its budget suffices
            else mmio.write(EIMS, 1 << v);
        }
        return busy;
    }

    /** MSI and INTx: one vector; reading ICR clears it and auto-masks IMS by IAM; IMS re-arms. */
    private long serviceLegacy() {
        return nic.serviceSingleVector(ICR, icr -> {
            if ((icr & ICR_INT_ASSERTED) == 0) return false; // not ours
            otherCauses(icr);
            return true;
        }, () -> mmio.write(IMS, IMS_ENABLE_LEGACY));
    }

    private void otherCauses(int icr) {
        if ((icr & ICR_LSC) != 0) nic.requestLinkCheck();
        if ((icr & ICR_DRSTA) != 0) nic.requestReset("the NIC reports a device reset (ICR.DRSTA)");
        if ((icr & ICR_DOUTSYNC) != 0) log.debug("{}: ICR.DOUTSYNC (DMA out of sync)", device.name());
    }

    @Override public void kick() {
        if (mode == IrqMode.MSIX) mmio.write(EICS, eimsEnable & ~1);
        else mmio.write(ICS, ICR_RXDMT0);
    }
}
