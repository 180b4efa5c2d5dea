package dev.vpcie.vrc;

/**
 * A capability found in a function's configuration space: {@code extended} ones live at 0x100
 * and above (PCI Express extended capabilities), the others in the 0x40..0xFF list.
 */
public record Capability(int id, int offset, boolean extended, int version) {}
