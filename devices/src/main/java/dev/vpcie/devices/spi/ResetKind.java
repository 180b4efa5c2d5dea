package dev.vpcie.devices.spi;

/** Which reset a function receives (PCIe base spec 6.6). */
public enum ResetKind {
    /**
     * Conventional reset as the endpoint sees it: a hot reset, or the owning VRC's session ending.
     * Everything returns to its default except sticky bits (AER status, PME status); the captured
     * bus/device number is forgotten and must be captured again from the next type-0 config write.
     */
    HOT,
    /**
     * Function Level Reset, initiated through Device Control's "Initiate Function Level Reset".
     * Like {@link #HOT} for the function's own state, but the link and the captured bus/device
     * number are not the function's to lose: they are kept.
     */
    FUNCTION_LEVEL
}
