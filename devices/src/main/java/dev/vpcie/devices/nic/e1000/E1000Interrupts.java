package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.ICR_ALL;

import dev.vpcie.devices.spi.InterruptPort;
import dev.vpcie.devices.spi.Timers;
import java.util.function.IntSupplier;

/**
 * The 82540EM's one interrupt funnel: every cause is ORed into ICR here, and {@link #update}
 * drives the INTx line as {@code (ICR & IMS) != 0}, the only interrupt the chip has.
 *
 * <ul>
 *   <li>Reading ICR returns the causes and clears them, which deasserts the line; writing ICR
 *       clears the bits written (W1C); ICS sets causes; IMS/IMC set and clear mask bits.</li>
 *   <li><b>ITR</b> (interrupt throttling, units of 256 ns): after the line is asserted it is not
 *       asserted again until ITR × 256 ns have passed; causes that arrive sooner wait for a timer.
 *       ITR = 0 disables throttling. RDTR/RADV/TIDV/TADV (packet timers) are stored but do not
 *       delay interrupts: every cause is signalled at once, ITR permitting.</li>
 *   <li>Each assertion also raises message vector 0, so that an interrupt router using MSI would
 *       work; the 82540EM has no MSI capability, so in practice the level is what counts.</li>
 * </ul>
 */
final class E1000Interrupts {
    private static final long ITR_UNIT_NS = 256;

    private final IntSupplier itr;
    private InterruptPort port;
    private Timers timers;
    private int icr;
    private int ims;
    private boolean asserted;
    private long lastAssertNs;
    private boolean everAsserted;
    private Timers.Timer throttle;
    private long assertions;

    /** @param itr reads the ITR register (interval in bits 15:0) */
    E1000Interrupts(IntSupplier itr) { this.itr = itr; }

    void attach(InterruptPort port, Timers timers) {
        this.port = port;
        this.timers = timers;
    }

    int icr() { return icr; }

    int ims() { return ims; }

    boolean asserted() { return asserted; }

    /** Times the line went from deasserted to asserted. */
    long assertions() { return assertions; }

    /** Sets cause bits (hardware events and ICS writes). */
    void raise(int causes) {
        icr |= causes & ICR_ALL;
        update();
    }

    /** An ICR read: the causes, then cleared. */
    int readIcr() {
        int v = icr;
        icr = 0;
        update();
        return v;
    }

    /** An ICR write: clears the bits written. */
    void clear(int bits) {
        icr &= ~bits;
        update();
    }

    void enable(int bits) {
        ims |= bits & ICR_ALL;
        update();
    }

    void disable(int bits) {
        ims &= ~bits;
        update();
    }

    /** Device reset: no causes, nothing enabled, line low, throttle forgotten. */
    void reset() {
        icr = 0;
        ims = 0;
        everAsserted = false;
        if (throttle != null) throttle.cancel();
        throttle = null;
        update();
    }

    /** Recomputes the line from ICR & IMS and ITR; the only place that drives the port. */
    void update() {
        if (port == null) return;
        boolean pending = (icr & ims) != 0;
        if (!pending) {
            if (asserted) {
                asserted = false;
                port.setLevel(false);
            }
            return;
        }
        if (asserted) return;
        long interval = (itr.getAsInt() & 0xFFFF) * ITR_UNIT_NS;
        long now = timers.nowNs();
        if (interval > 0 && everAsserted && now - lastAssertNs < interval) {
            if (throttle == null || !throttle.pending()) throttle = timers.schedule(lastAssertNs + interval - now, this::update);
            return;
        }
        asserted = true;
        everAsserted = true;
        lastAssertNs = now;
        assertions++;
        port.setLevel(true);
        port.raise(0);
    }
}
