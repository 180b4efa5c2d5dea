package dev.vpcie.devices.config;

/**
 * Sets the power-on value and per-bit semantics of configuration registers while a capability or
 * header is installed. Offsets are relative to the capability (or 0 for the header); sizes are
 * 1, 2 or 4 bytes. Bits not mentioned are read-only with the given value.
 */
public interface RegisterInit {

    /** Read-only (or hardware-initialised) register. */
    void readOnly(int offset, int size, int value);

    /** Value with {@code writable} bits read-write, the rest read-only. */
    void readWrite(int offset, int size, int value, int writable);

    /** Adds write-1-to-clear bits ({@code w1c}); their value is 0 at power-on unless {@code value} says so. */
    void writeOneToClear(int offset, int size, int value, int w1c);

    /** Marks bits sticky: they keep their value across hot reset and FLR (PCIe "S" attributes). */
    void sticky(int offset, int size, int stickyBits);
}
