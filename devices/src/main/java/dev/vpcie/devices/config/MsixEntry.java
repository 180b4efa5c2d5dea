package dev.vpcie.devices.config;

/**
 * One MSI-X table entry as software programmed it.
 *
 * @param address  Message Address (64-bit)
 * @param data     Message Data
 * @param masked   the entry's Mask Bit (Vector Control bit 0)
 */
public record MsixEntry(long address, int data, boolean masked) {}
