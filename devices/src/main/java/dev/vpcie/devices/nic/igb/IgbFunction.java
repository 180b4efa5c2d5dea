package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbRegisters.*;

import dev.vpcie.devices.config.AerCapability;
import dev.vpcie.devices.config.Bar;
import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.DeviceSerialNumberCapability;
import dev.vpcie.devices.config.LinkSpeed;
import dev.vpcie.devices.config.MsiCapability;
import dev.vpcie.devices.config.MsixCapability;
import dev.vpcie.devices.config.PciExpressCapability;
import dev.vpcie.devices.config.PowerManagementCapability;
import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NicFunction;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.spi.Counters;
import dev.vpcie.devices.spi.DeviceContext;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;

/**
 * An Intel 82576 Gigabit Ethernet Controller ("igb"), faithful enough for the stock Linux igb
 * driver. This class is the PCIe shell: configuration space and BARs; {@link IgbCore} holds the
 * registers, rings and causes. Facts: the device spec, part B.
 *
 * <h2>Configuration space</h2>
 * <table>
 *   <caption>Identity and resources</caption>
 *   <tr><th>Field</th><th>Value</th></tr>
 *   <tr><td>Vendor : Device</td><td>8086 : 10C9 (82576, copper)</td></tr>
 *   <tr><td>Revision</td><td>01</td></tr>
 *   <tr><td>Class</td><td>02 00 00 (Ethernet controller)</td></tr>
 *   <tr><td>Subsystem</td><td>from the options; 8086 : A02C by default</td></tr>
 *   <tr><td>Interrupt pin</td><td>INTA#</td></tr>
 *   <tr><td>BAR0</td><td>memory, 32-bit, non-prefetchable, 128 KiB: the registers</td></tr>
 *   <tr><td>BAR2</td><td>I/O, 32 bytes: IOADDR (0x00) / IODATA (0x04) window onto the registers</td></tr>
 *   <tr><td>BAR3</td><td>memory, 64-bit, non-prefetchable, 16 KiB: MSI-X table at 0x0000 (10
 *       entries), Pending Bit Array at 0x2000</td></tr>
 *   <tr><td>0x40</td><td>Power Management (no PME: wake-up is not modelled)</td></tr>
 *   <tr><td>0x50</td><td>MSI: 1 vector, 64-bit, per-vector masking</td></tr>
 *   <tr><td>0x70</td><td>MSI-X: 10 vectors, table and PBA in BAR3</td></tr>
 *   <tr><td>0xA0</td><td>PCI Express v2 endpoint: 2.5 GT/s x4, 512-byte payloads, FLR</td></tr>
 *   <tr><td>0x100</td><td>AER; then the Device Serial Number, the EUI-64 of the MAC (at 0x148:
 *       this AER structure is 0x48 bytes; the chip's is 0x40 and puts the DSN at 0x140)</td></tr>
 * </table>
 * The capabilities sit where the chip (and QEMU) put them. The flash BAR (BAR1) and SR-IOV are
 * not modelled; the driver uses neither without options.
 *
 * <h2>Outside world</h2>
 * Frames go to and come from Ethernet port 0 of the {@link DeviceContext} (without one the NIC
 * behaves as unplugged: link down); the link is up while the port has carrier and
 * {@link #setLinkUp} has not taken it down. DMA is refused while Bus Master Enable is clear.
 * Interrupts leave through one funnel ({@code IgbInterrupts}): vectors 0..9 for MSI-X, vector 0
 * for MSI, and the INTx level.
 *
 * <p>Single-threaded, as every {@link PcieFunction}: call everything on the function's thread.
 */
public final class IgbFunction extends NicFunction {
    public static final int VENDOR_ID = 0x8086;
    public static final int DEVICE_ID = 0x10C9;
    public static final int REVISION_ID = 0x01;
    public static final int CLASS_CODE = 0x020000;
    public static final int REGISTER_BAR = 0;
    public static final int IO_BAR = 2;
    public static final int MSIX_BAR = 3;
    static final int PM_OFFSET = 0x40;
    static final int MSI_OFFSET = 0x50;
    static final int MSIX_OFFSET = 0x70;
    static final int PCIE_OFFSET = 0xA0;
    static final int AER_OFFSET = 0x100;
    static final int MAX_PAYLOAD_SUPPORTED = 512;
    static final int LINK_WIDTH = 4;

    private final MsixCapability msix;
    private final IgbCore core;
    private final Set<Long> warnedMsixBar = new HashSet<>();
    private Logger log;
    private Counters.Counter msixBarOther;

    /**
     * The 82576 an endpoint hosts as device {@code index}: a locally administered address made of
     * this process's ID and the index ({@link MacAddress#forProcessInstance}), so two NICs of one
     * endpoint, or of two endpoints on a host, never collide.
     */
    public static IgbFunction forInstance(int index) {
        return new IgbFunction(IgbOptions.of(MacAddress.forProcessInstance(index)));
    }

    /** An 82576 with the NVM contents {@link IgbNvm#image} makes from {@code options}. */
    public IgbFunction(IgbOptions options) {
        this(options, IgbNvm.image(options));
    }

    /**
     * An 82576 with the given NVM contents (at least 256 words; a bad checksum is kept, as on a
     * corrupt part). The Ethernet address comes from words 0..2, like the chip's.
     */
    public IgbFunction(IgbOptions options, NvmImage nvm) {
        Objects.requireNonNull(options, "options");
        MsixCapability msix = new MsixCapability(MSIX_VECTORS, MSIX_BAR, MSIX_TABLE_OFFSET, MSIX_BAR, MSIX_PBA_OFFSET);
        IgbCore core = new IgbCore(nvm);
        super("igb", IO_BAR, configSpace(options, msix, core.permanentAddress()), core);
        this.msix = msix;
        this.core = core;
    }

    private static ConfigSpace configSpace(IgbOptions options, MsixCapability msix, MacAddress mac) {
        return ConfigSpace.builder()
                .vendorId(VENDOR_ID).deviceId(DEVICE_ID).revisionId(REVISION_ID).classCode(CLASS_CODE)
                .subsystem(options.subsystemVendorId(), options.subsystemId())
                .interruptPin(1)
                .bar(REGISTER_BAR, Bar.memory32(BAR0_SIZE))
                .bar(IO_BAR, Bar.io(IO_BAR_SIZE))
                .bar(MSIX_BAR, Bar.memory64(MSIX_BAR_SIZE, false))
                .capability(new PowerManagementCapability(), PM_OFFSET)
                .capability(new MsiCapability(1, true, true), MSI_OFFSET)
                .capability(msix, MSIX_OFFSET)
                .capability(new PciExpressCapability(MAX_PAYLOAD_SUPPORTED, LinkSpeed.GT_2_5, LINK_WIDTH, true), PCIE_OFFSET)
                .extendedCapability(new AerCapability(), AER_OFFSET)
                .extendedCapability(new DeviceSerialNumberCapability(DeviceSerialNumberCapability.fromMac(mac.value())))
                .build();
    }

    @Override
    protected void attachCore(DeviceContext ctx) {
        this.log = ctx.log();
        this.msixBarOther = ctx.counters().counter("msix-bar-other-accesses");
        core.attach(ctx, config()::busMasterEnabled, config()::msixEnabled);
    }

    @Override
    public long mmioRead(int bar, long offset, int size) {
        return switch (bar) {
            case REGISTER_BAR -> core.regs.read(offset, size);
            case MSIX_BAR -> msix.claims(bar, offset, size) ? msix.mmioRead(bar, offset, size) : otherMsixBarAccess(offset, "read");
            default -> throw noSuchBar(bar);
        };
    }

    @Override
    public void mmioWrite(int bar, long offset, int size, long value) {
        switch (bar) {
            case REGISTER_BAR -> core.regs.write(offset, size, value);
            case MSIX_BAR -> {
                if (!msix.claims(bar, offset, size) || !msix.mmioWrite(bar, offset, size, value)) otherMsixBarAccess(offset, "write");
            }
            default -> throw noSuchBar(bar);
        }
    }

    /** The rest of BAR3 (between table and PBA, or a PBA write): reads 0, writes dropped; counted, logged once. */
    private long otherMsixBarAccess(long offset, String what) {
        if (msixBarOther != null) msixBarOther.increment();
        if (log != null && warnedMsixBar.add(offset))
            log.warn("{}: {} of BAR3 offset 0x{} outside the MSI-X table (the PBA is read-only); ignored (logged once)", context().name(), what,
                    Long.toHexString(offset));
        return 0;
    }

    private static IllegalArgumentException noSuchBar(int bar) {
        return new IllegalArgumentException("igb has no memory BAR" + bar + " (registers are BAR0, MSI-X BAR3)");
    }
}
