package dev.vpcie.devices.config;

/**
 * A PCI Express extended capability (0x100..0xFFF). The configuration space writes the header and
 * links the list in the order capabilities are added, starting at 0x100.
 *
 * <pre>
 *  31            20 19    16 15                           0
 * +----------------+--------+------------------------------+
 * | Next Offset    | Version| Extended Capability ID       |  +0
 * +----------------+--------+------------------------------+
 * </pre>
 */
public abstract non-sealed class ExtendedCapability extends ConfigRegion {
    /** The Extended Capability ID. */
    public abstract int id();

    /** The Capability Version. */
    public abstract int version();
}
