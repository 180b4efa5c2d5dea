package dev.vpcie.devices.config;

/**
 * A capability in the PCI-compatible list (0x40..0xFF). The configuration space writes the header
 * — Capability ID and Next Capability Pointer — and links it in the order capabilities are added.
 *
 * <pre>
 *  15            8 7             0
 * +---------------+---------------+
 * | Next Pointer  | Capability ID |  +0
 * +---------------+---------------+
 * </pre>
 */
public abstract non-sealed class Capability extends ConfigRegion {
    /** The Capability ID (PCI Code and ID Assignment spec). */
    public abstract int id();
}
