package dev.vpcie.vrc.mpqemu;

/** What an {@link MpqemuBridge} counts. Every refused or unexpected event has one. */
public enum BridgeCounter {
    CONFIG_READ("configuration reads"),
    CONFIG_WRITE("configuration writes"),
    BAR_READ("BAR reads"),
    BAR_WRITE("BAR writes (posted)"),
    /** A BAR access at an address no presented BAR decodes: read as all-ones or dropped. */
    BAR_UNMATCHED("BAR accesses outside every BAR"),
    SYNC_SYSMEM("guest RAM layouts received"),
    /** A SYNC_SYSMEM whose sections could not be mapped: the previous layout stays. */
    SYNC_SYSMEM_FAILED("guest RAM layouts refused"),
    SET_IRQFD("irqfds received"),
    DEVICE_RESET("device resets"),
    /** The guest's INTx line raised through the irqfd (on the function's Assert_INTx). */
    INTX_TRIGGER("INTx raised on the irqfd"),
    /** The guest ended an interrupt (resamplefd signalled). */
    INTX_RESAMPLE("INTx resamples"),
    /** After a resample the function still asserted INTx, so the line was raised again. */
    INTX_REASSERT("INTx re-raised after resample"),
    /** A message that failed to decode, or one QEMU never sends to a remote (RET): counted and dropped. */
    MALFORMED("malformed or unexpected messages");

    public final String description;

    BridgeCounter(String description) { this.description = description; }
}
