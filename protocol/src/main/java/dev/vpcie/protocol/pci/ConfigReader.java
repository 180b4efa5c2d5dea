package dev.vpcie.protocol.pci;

/**
 * Reads one DW of a function's configuration space: a device model's config space, a remote
 * function through configuration read TLPs, or a byte array in a test. {@code offset} is
 * DW-aligned, 0..0xFFC; the value is the register's little-endian DW as software sees it.
 */
@FunctionalInterface
public interface ConfigReader {
    int read32(int offset);
}
