package dev.vpcie.vrc.nic;

/**
 * A chip's interrupt mechanism, a part of its {@link IntelChip}: which PCI interrupt it uses, how
 * its cause and mask registers are programmed, and the NAPI service of the vectors that fired.
 * {@link #service} runs on the root complex's loop and never waits (a cause register it must read
 * is read with {@link IntelNicDriver#readAsync}); the rest runs on the driver's control thread.
 */
public interface NicInterrupts {

    /** Chooses the PCI interrupt mechanism and installs handlers (before the first configure, and again after a hot insertion). */
    void setup();

    /**
     * Programs the chip's interrupt registers and unmasks (after configure), and arranges for
     * the link to be read: by an LSC interrupt (e1000) or a link check request (igb).
     */
    void enable();

    /** Masks every interrupt cause in the chip. */
    void disable();

    /**
     * Services the vectors that fired (bit n for vector n), on the root complex's loop and without
     * waiting: cleans TX and RX, reads causes where the mechanism needs it, re-arms with posted
     * writes. Returns the vectors that still have work (left masked; serviced again next cycle).
     */
    long service(long vectors);

    /** The watchdog's lost-interrupt insurance: makes the NIC raise an interrupt (ICS/EICS). */
    void kick();

    /** The mechanism in use (after any fallback); null before {@link #setup}. */
    IrqMode mode();
}
