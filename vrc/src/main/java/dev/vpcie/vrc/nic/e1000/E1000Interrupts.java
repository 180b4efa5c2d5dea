package dev.vpcie.vrc.nic.e1000;

import static dev.vpcie.vrc.nic.e1000.E1000Regs.*;

import dev.vpcie.vrc.nic.IntelNicDriver;
import dev.vpcie.vrc.nic.IrqMode;
import dev.vpcie.vrc.nic.Mmio;
import dev.vpcie.vrc.nic.NicInterrupts;

/**
 * The 82540EM's interrupts: INTx only, one vector. Service is the e1000_intr + NAPI pair: read
 * ICR (which clears it and drops the INTx line), mask with IMC, clean TX and RX from descriptor
 * write-back in host memory, unmask with IMS. That ICR read is the only register read per
 * interrupt; received frames already in memory are handed over before it, so it adds no latency.
 */
final class E1000Interrupts implements NicInterrupts {
    private final IntelNicDriver nic;
    private final Mmio mmio;

    E1000Interrupts(IntelNicDriver nic) {
        this.nic = nic;
        this.mmio = nic.mmio();
    }

    @Override public void setup() {
        nic.device().enableIntx();
        nic.device().onInterrupt(0, () -> nic.interrupt(0));
    }

    @Override public void enable() {
        mmio.write(IMS, IMS_ENABLE);
        mmio.write(ICS, ICR_LSC); // as e1000_open: makes the watchdog look at the link
    }

    @Override public void disable() {
        mmio.write(IMC, 0xFFFF_FFFF);
        mmio.flush();
    }

    /** One INTx vector: reading ICR clears the causes (and deasserts INTx); 0 means not ours (IRQ_NONE). */
    @Override public long service(long vectors) {
        return nic.serviceSingleVector(ICR, icr -> {
            if (icr == 0) return false;
            if ((icr & (ICR_LSC | ICR_RXSEQ)) != 0) nic.requestLinkCheck();
            mmio.write(IMC, 0xFFFF_FFFF);
            return true;
        }, () -> mmio.write(IMS, IMS_ENABLE));
    }

    @Override public void kick() {
        mmio.write(ICS, ICR_RXDMT0);
    }

    @Override public IrqMode mode() { return IrqMode.INTX; }
}
