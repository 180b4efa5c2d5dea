package dev.vpcie.devices.spi;

/**
 * Where a function's interrupts go. The function raises VECTORS; whether a vector becomes an
 * MSI-X message (table entry {@code vector}), an MSI message (Message Data with the vector in its
 * low bits), or nothing while INTx is in use, is decided outside the device by the endpoint's
 * interrupt router from the configuration-space enables, exactly as hardware does. Masking and
 * pending bits (MSI-X PBA, MSI Pending Bits) are the router's business too.
 *
 * <p>A model drives both halves from its one interrupt funnel: it calls {@link #raise} for each
 * event that deserves a message, and {@link #setLevel} with the state of its INTx line (causes
 * AND enables). The router uses whichever applies to the current mode; the INTx level also sets
 * the Status register's Interrupt Status bit.
 *
 * <p>Vector numbers at or beyond what software enabled: with MSI the router folds them onto the
 * vectors granted (PCIe lets a function with fewer granted vectors use vector 0); with MSI-X a
 * vector beyond the table size is a model bug and is counted and dropped. Called only from the
 * function's thread.
 */
public interface InterruptPort {

    /** Signals an edge on message vector {@code vector} (0-based). */
    void raise(int vector);

    /** Sets the state of the function's INTx line (asserted = an enabled cause is pending). */
    void setLevel(boolean asserted);
}
