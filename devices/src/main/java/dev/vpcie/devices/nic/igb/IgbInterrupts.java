package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbRegisters.*;

import dev.vpcie.devices.nic.NicStatistics;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.InterruptPort;
import dev.vpcie.devices.spi.Timers;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The 82576's one interrupt funnel. Every cause enters here; this class alone decides which
 * message vectors to raise and what the INTx line does. Whether a raised vector becomes an MSI-X
 * or MSI message is the endpoint's business (configuration-space enables), as on the chip.
 *
 * <h2>Two sets of causes</h2>
 * <ul>
 *   <li><b>ICR</b> (legacy causes: TXDW, LSC, RXDMT0, RXO, RXDW, MDAC, DRSTA, ...), enabled by
 *       IMS (set through IMS, cleared through IMC), auto-masked by IAM.</li>
 *   <li><b>EICR</b> (one bit per vector): queue events set the bit their IVAR entry names when its
 *       VALID bit is set; EICS sets bits; enabled by EIMS/EIMC; EIAC auto-clears, EIAM (with
 *       GPIE.EIAME) auto-masks a vector's bit when its message is sent.</li>
 * </ul>
 *
 * <h2>Legacy and MSI mode (GPIE.MSIX_MODE = 0)</h2>
 * The interrupt is asserted while {@code ICR & IMS} has a cause: the INTx line follows it, ICR
 * bit 31 (INT_ASSERTED) shows it, and each assertion raises vector 0 (the single MSI message).
 * Reading ICR returns the causes and clears them when GPIE.NSICR is set, IMS is 0, INT_ASSERTED
 * was set, or MSI-X is not enabled in configuration space; when NSICR is set or INT_ASSERTED was,
 * the read also clears the IAM bits from IMS (auto-mask). EICR bits latch but signal nothing.
 *
 * <h2>MSI-X mode (GPIE.MSIX_MODE = 1)</h2>
 * A cause newly pending in {@code ICR & IMS} sets the EICR bit of the "other" vector
 * (IVAR_MISC byte 1; DRSTA uses byte 0). Each EICR bit newly pending in {@code EICR & EIMS} sends
 * that vector's message — also when an EIMS write unmasks a bit that was already set, so a driver
 * re-arming after its poll gets the events that came meanwhile. After the message the vector's
 * bit is cleared from EICR if EIAC has it (otherwise the next event would find it set and make no
 * new edge) and from EIMS if GPIE.EIAME and EIAM have it. The INTx line stays low.
 *
 * <h2>Moderation (EITR)</h2>
 * After a message on vector {@code v} (in legacy mode: an assertion, governed by EITR0) the next
 * one waits until {@code (EITR[v] & 0x7FFC) * 0.25 µs} have passed; a cause that arrives sooner
 * is signalled by a timer at the end of the interval if it is still pending and enabled. EITR 0
 * means no moderation.
 *
 * <p>IAC counts every assertion and message. GPIE.PBA is stored only: the MSI-X Pending Bit
 * Array (a vector raised while masked in the table) is kept by the endpoint's interrupt router in
 * BAR3. Single-threaded, owned by {@link IgbCore}.
 */
final class IgbInterrupts {
    static final long EITR_UNIT_NS = 250;

    private final RegisterTable regs;
    private final NicStatistics stats;
    private BooleanSupplier msixEnabled = () -> false;
    private InterruptPort port;
    private Timers timers;

    private int icr;
    private int ims;
    private int eicr;
    private int eims;
    private boolean asserted;
    private boolean wasMsixMode;
    private final long[] lastSignalNs = new long[VECTORS];
    private final boolean[] signalled = new boolean[VECTORS];
    private final Timers.Timer[] deferred = new Timers.Timer[VECTORS];
    private long messages;
    private long moderated;

    /** @param regs the register table holding GPIE, IAM, EIAC, EIAM, IVAR, IVAR_MISC and EITR */
    IgbInterrupts(RegisterTable regs, NicStatistics stats) {
        this.regs = regs;
        this.stats = stats;
    }

    /** @param msixEnabled the MSI-X Enable bit of configuration space (ICR's clear-on-read rule looks at it) */
    void attach(InterruptPort port, Timers timers, BooleanSupplier msixEnabled) {
        this.port = port;
        this.timers = timers;
        this.msixEnabled = msixEnabled;
    }

    boolean msixMode() { return (regs.get(GPIE) & GPIE_MSIX_MODE) != 0; }

    private int eicrMask() { return msixMode() ? EICR_MSIX_MASK : EICR_LEGACY_MASK; }

    // ---------------------------------------------------------------- register views

    int icr() { return icr; }

    int ims() { return ims; }

    int eicr() { return eicr; }

    int eims() { return eims; }

    /** The INTx level last driven. */
    boolean asserted() { return asserted; }

    /** Assertions and messages signalled since construction. */
    long messages() { return messages; }

    /** Signals that EITR delayed. */
    long moderated() { return moderated; }

    // ---------------------------------------------------------------- ICR side

    /** Sets ICR causes (hardware events and ICS writes). */
    void raise(int causes) {
        int before = icr & ims;
        icr |= causes & ICR_CAUSES;
        causesChanged(before);
    }

    /** An ICR read (see the class comment for what it clears and masks). */
    int readIcr() {
        int value = icr;
        // Bit 31 reads as 1 whenever an enabled cause is pending, even while EITR still holds the
        // line back: igb's INTx handler ignores an ICR without it, so a polling guest (irqpoll)
        // reading ICR inside a throttle interval would clear a receive cause nobody then handles
        // (seen as 2 s ping stalls in a TCG guest). A masked cause alone still reads without it.
        if (!msixMode() && (value & ims & ICR_CAUSES) != 0) value |= ICR_INT_ASSERTED;
        int gpie = regs.get(GPIE);
        boolean nsicr = (gpie & GPIE_NSICR) != 0;
        boolean wasAsserted = (value & ICR_INT_ASSERTED) != 0;
        if (nsicr || ims == 0 || wasAsserted || !msixEnabled.getAsBoolean()) icr = 0;
        if (nsicr || wasAsserted) ims &= ~regs.get(IAM);
        updateLegacy();
        return value;
    }

    /** An ICR write: clears the causes written. */
    void clearIcr(int bits) {
        icr &= ~(bits & ICR_CAUSES);
        updateLegacy();
    }

    /** An IMS write: enables causes; newly enabled pending ones signal. */
    void enable(int bits) {
        int before = icr & ims;
        ims |= bits & ICR_CAUSES;
        causesChanged(before);
    }

    /** An IMC write: disables causes. */
    void disable(int bits) {
        ims &= ~bits;
        updateLegacy();
    }

    private void causesChanged(int pendingBefore) {
        if (!msixMode()) {
            updateLegacy();
            return;
        }
        int fresh = icr & ims & ~pendingBefore;
        if (fresh == 0) return;
        int extended = 0;
        if ((fresh & ICR_DRSTA) != 0) extended |= vectorBit(regs.get(IVAR_MISC) & 0xFF);
        if ((fresh & ~ICR_DRSTA) != 0) extended |= vectorBit(regs.get(IVAR_MISC) >>> 8 & 0xFF);
        raiseExtended(extended);
    }

    // ---------------------------------------------------------------- EICR side

    /** Sets EICR bits: queue events (through IVAR) and EICS writes. */
    void raiseExtended(int bits) {
        int before = eicr & eims;
        eicr |= bits & eicrMask();
        signalFresh(before);
    }

    /** An EICR read: returns and clears. */
    int readEicr() {
        int value = eicr;
        eicr = 0;
        return value;
    }

    /** An EICR write: clears the bits written. */
    void clearEicr(int bits) { eicr &= ~bits; }

    /** An EIMS write: enables vectors; bits already pending signal now. */
    void enableExtended(int bits) {
        int before = eicr & eims;
        eims |= bits & eicrMask();
        signalFresh(before);
    }

    /** An EIMC write. */
    void disableExtended(int bits) { eims &= ~bits; }

    private void signalFresh(int pendingBefore) {
        if (!msixMode()) return;
        int fresh = eicr & eims & ~pendingBefore;
        while (fresh != 0) {
            int v = Integer.numberOfTrailingZeros(fresh);
            fresh &= fresh - 1;
            signalVector(v);
        }
    }

    /** The EICR bit for the vector an IVAR entry names, or 0 if the entry is not valid. */
    static int vectorBit(int entry) {
        if ((entry & IVAR_VALID) == 0) return 0;
        int v = entry & IVAR_VECTOR_MASK;
        return v < VECTORS ? 1 << v : 0;
    }

    /** The EICR bit of receive queue {@code q}: IVAR0[q & 7] byte 0 (queues 0-7) or byte 2 (8-15). */
    int rxQueueBit(int q) { return vectorBit(regs.get(IVAR0 + 4 * (q & 7)) >>> (q < 8 ? 0 : 16) & 0xFF); }

    /** The EICR bit of transmit queue {@code q}: IVAR0[q & 7] byte 1 (queues 0-7) or byte 3 (8-15). */
    int txQueueBit(int q) { return vectorBit(regs.get(IVAR0 + 4 * (q & 7)) >>> (q < 8 ? 8 : 24) & 0xFF); }

    // ---------------------------------------------------------------- signalling

    private void signalVector(int v) {
        if (deferred[v] != null && deferred[v].pending()) return; // the timer will send it
        long wait = moderationWait(v);
        if (wait > 0) {
            moderated++;
            deferred[v] = timers.schedule(wait, () -> moderationEnded(v));
            return;
        }
        sendVector(v);
    }

    private void moderationEnded(int v) {
        if (!msixMode()) return;
        if ((eicr & eims & 1 << v) != 0) sendVector(v);
    }

    private void sendVector(int v) {
        int bit = 1 << v;
        note(v);
        port.raise(v);
        eicr &= ~(regs.get(EIAC) & bit);
        if ((regs.get(GPIE) & GPIE_EIAME) != 0) eims &= ~(regs.get(EIAM) & bit);
    }

    /** Legacy / MSI: the line follows {@code ICR & IMS}, moderated by EITR0; each assertion raises vector 0. */
    private void updateLegacy() {
        if (port == null) return;
        boolean pending = !msixMode() && (icr & ims & ICR_CAUSES) != 0;
        if (!pending) {
            icr &= ~ICR_INT_ASSERTED;
            if (asserted) {
                asserted = false;
                port.setLevel(false);
            }
            return;
        }
        if (asserted) return;
        long wait = moderationWait(0);
        if (wait > 0) {
            if (deferred[0] == null || !deferred[0].pending()) {
                moderated++;
                deferred[0] = timers.schedule(wait, this::updateLegacy);
            }
            return;
        }
        asserted = true;
        icr |= ICR_INT_ASSERTED;
        note(0);
        port.setLevel(true);
        port.raise(0);
    }

    /** Nanoseconds vector {@code v} must still wait under EITR, or 0. */
    private long moderationWait(int v) {
        long interval = (regs.get(EITR + 4 * v) & EITR_INTERVAL_MASK) * EITR_UNIT_NS;
        if (interval == 0 || !signalled[v]) return 0;
        long elapsed = timers.nowNs() - lastSignalNs[v];
        return elapsed >= interval ? 0 : interval - elapsed;
    }

    private void note(int v) {
        signalled[v] = true;
        lastSignalNs[v] = timers.nowNs();
        messages++;
        stats.increment(Statistic.IAC);
    }

    /**
     * GPIE written: entering MSI-X mode drops the INTx line, leaving it re-evaluates ICR. Signals
     * held back by EITR belong to the old mode and are dropped with it.
     */
    void modeChanged() {
        boolean msix = msixMode();
        if (msix != wasMsixMode) {
            wasMsixMode = msix;
            cancelDeferred();
        }
        updateLegacy();
    }

    private void cancelDeferred() {
        for (int v = 0; v < VECTORS; v++) {
            if (deferred[v] != null) deferred[v].cancel();
            deferred[v] = null;
        }
    }

    /** Device reset: no causes, nothing enabled, line low, moderation forgotten. */
    void reset() {
        icr = 0;
        ims = 0;
        eicr = 0;
        eims = 0;
        wasMsixMode = false;
        cancelDeferred();
        Arrays.fill(signalled, false);
        updateLegacy();
    }
}
