package dev.vpcie.devices.config;

import dev.vpcie.devices.spi.ResetKind;

/**
 * A capability structure placed in a configuration space: where it sits, how it initialises its
 * registers, and how it reacts to writes that masks alone cannot express.
 */
public abstract sealed class ConfigRegion permits Capability, ExtendedCapability {
    private ConfigSpace config;
    private int offset = -1;

    /** Length of the structure in bytes, header included. */
    public abstract int length();

    /** Sets the registers after the header (offsets relative to the structure). */
    protected abstract void initialize(RegisterInit init);

    /** Called after a write that touched this structure was applied; {@code w} carries absolute offsets. */
    protected void written(ConfigWrite w) {}

    /** Called after {@link ConfigSpace#reset} restored the registers, for state kept outside them. */
    protected void reset(ResetKind kind) {}

    /** Offset of the structure in configuration space. */
    public final int offset() {
        if (offset < 0) throw new IllegalStateException(getClass().getSimpleName() + " is not installed in a configuration space");
        return offset;
    }

    /** Whether this structure has been placed in a configuration space. */
    public final boolean installed() { return offset >= 0; }

    /** The configuration space this structure lives in. */
    protected final ConfigSpace config() {
        offset();
        return config;
    }

    final void bind(ConfigSpace config, int offset) {
        if (this.offset >= 0) throw new IllegalStateException(getClass().getSimpleName() + " is already installed");
        this.config = config;
        this.offset = offset;
    }

    /** Reads {@code size} (1, 2, 4) bytes at {@code rel} within the structure. */
    protected final int reg(int rel, int size) { return config().read(offset + rel, size); }

    /** Sets {@code size} bytes at {@code rel} directly, bypassing write masks (hardware-owned state). */
    protected final void setReg(int rel, int size, int value) { config().setRaw(offset + rel, size, value); }
}
