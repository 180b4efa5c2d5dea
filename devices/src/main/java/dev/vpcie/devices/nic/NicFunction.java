package dev.vpcie.devices.nic;

import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.regs.RegisterTable;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.devices.spi.ResetKind;
import java.util.Objects;

/**
 * The PCI shell both NIC models share: configuration space, the I/O window onto the registers
 * ({@link IoWindow}), reset, and the device's own controls and diagnostics. Each chip's function
 * builds its configuration space and core, and serves its memory BARs (the 82576 has the MSI-X
 * table beside the registers).
 *
 * <p>Single-threaded, as every {@link PcieFunction}: call everything on the function's thread.
 */
public abstract class NicFunction implements PcieFunction {
    private final String name;
    private final int ioBar;
    private final ConfigSpace config;
    private final NicCore core;
    private final IoWindow ioWindow;
    private DeviceContext context;

    /** A NIC called {@code name} with its I/O window at BAR {@code ioBar}. */
    protected NicFunction(String name, int ioBar, ConfigSpace config, NicCore core) {
        this.name = Objects.requireNonNull(name, "name");
        this.ioBar = ioBar;
        this.config = Objects.requireNonNull(config, "config");
        this.core = Objects.requireNonNull(core, "core");
        this.ioWindow = new IoWindow(core.registers(), NicRegisters.BAR0_SIZE);
    }

    /** Attaches the chip's core, once the shell is attached. */
    protected abstract void attachCore(DeviceContext ctx);

    @Override
    public final String name() { return name; }

    @Override
    public final ConfigSpace config() { return config; }

    @Override
    public final void attach(DeviceContext ctx) {
        if (context != null) throw new IllegalStateException(name + ": attached twice");
        this.context = Objects.requireNonNull(ctx);
        ioWindow.attach(ctx.name(), ctx.counters(), ctx.log());
        attachCore(ctx);
    }

    /** The context given to {@link #attach}; null before. */
    protected final DeviceContext context() { return context; }

    /**
     * The I/O window ({@link IoWindow}): IOADDR holds a register offset, IODATA reads or writes
     * that register; the rest of the BAR is reserved.
     */
    @Override
    public final long ioRead(int bar, long offset, int size) {
        if (bar != ioBar) throw noSuchIoBar(bar);
        return ioWindow.read(offset, size);
    }

    @Override
    public final void ioWrite(int bar, long offset, int size, long value) {
        if (bar != ioBar) throw noSuchIoBar(bar);
        ioWindow.write(offset, size, value);
    }

    @Override
    public final void reset(ResetKind kind) {
        config.reset(kind);
        ioWindow.reset();
        core.pciReset();
    }

    // ---------------------------------------------------------------- the device's own controls

    /**
     * Takes the link down (as pulling the cable would) or lets it come back when the wire has
     * carrier; the driver sees ICR.LSC. Call on the function's thread.
     */
    public final void setLinkUp(boolean up) { core.setAdministrativeLink(up); }

    /** Whether the PHY has link now. */
    public final boolean linkUp() { return core.phy.linkUp(); }

    /** The permanent Ethernet address (from the EEPROM / NVM). */
    public final MacAddress macAddress() { return core.permanentAddress(); }

    /** The INTx level the funnel last drove. */
    public final boolean interruptAsserted() { return core.interruptAsserted(); }

    /** Frames waiting in the receive packet buffer for descriptors. */
    public final int receiveBuffered() { return core.receiveBuffered(); }

    /** The statistics counters (without clearing them: see {@link NicStatistics#peek}). */
    public final NicStatistics statistics() { return core.stats; }

    /** Unknown and read-only register access counts of BAR0. */
    public final Counters registerCounters() { return core.registers().counters(); }

    /** BAR0's register table, for diagnostics and tests. */
    public final RegisterTable registers() { return core.registers(); }

    private IllegalArgumentException noSuchIoBar(int bar) {
        return new IllegalArgumentException(name + " has no I/O BAR" + bar + " (the I/O window is BAR" + ioBar + ")");
    }
}
