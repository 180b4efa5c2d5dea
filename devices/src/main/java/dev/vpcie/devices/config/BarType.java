package dev.vpcie.devices.config;

/** What a Base Address Register decodes (PCI Local Bus 3.0 section 6.2.5.1). */
public enum BarType {
    /** Memory space, 32-bit address: one BAR register, bits 2:1 = 00b. */
    MEMORY_32,
    /** Memory space, 64-bit address: two BAR registers (low, high), bits 2:1 = 10b. */
    MEMORY_64,
    /** I/O space: one BAR register, bit 0 = 1. */
    IO
}
