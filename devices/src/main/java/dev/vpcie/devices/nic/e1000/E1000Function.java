package dev.vpcie.devices.nic.e1000;

import static dev.vpcie.devices.nic.e1000.E1000Registers.*;

import dev.vpcie.devices.config.Bar;
import dev.vpcie.devices.config.ConfigSpace;
import dev.vpcie.devices.config.PowerManagementCapability;
import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.NicFunction;
import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.devices.spi.DeviceContext;
import dev.vpcie.devices.spi.PcieFunction;
import dev.vpcie.protocol.pci.PciConfig;
import java.util.Objects;

/**
 * An Intel 82540EM Gigabit Ethernet Controller ("e1000"), faithful enough for the stock Linux
 * e1000 driver. This class is the PCI shell: configuration space and BARs; {@link E1000Core} holds
 * the registers, rings and causes. Facts: the device spec, part A.
 *
 * <h2>Configuration space</h2>
 * <table>
 *   <caption>Identity</caption>
 *   <tr><th>Field</th><th>Value</th></tr>
 *   <tr><td>Vendor : Device</td><td>8086 : 100E</td></tr>
 *   <tr><td>Revision</td><td>02 (shipped parts; QEMU uses 03)</td></tr>
 *   <tr><td>Class</td><td>02 00 00 (Ethernet controller)</td></tr>
 *   <tr><td>Subsystem</td><td>from the options; 8086 : 001E (PRO/1000 MT Desktop) by default</td></tr>
 *   <tr><td>Interrupt pin</td><td>INTA# (the chip has only INTx)</td></tr>
 *   <tr><td>BAR0</td><td>memory, 32-bit, non-prefetchable, 128 KiB: the registers</td></tr>
 *   <tr><td>BAR1</td><td>I/O, 64 bytes: IOADDR (0x00) selects a register, IODATA (0x04) accesses it;
 *       the driver resets the chip through it</td></tr>
 *   <tr><td>Conventional PCI</td><td>Status 66 MHz capable, DEVSEL medium; Memory Write and Invalidate
 *       implemented in Command; Min_Gnt 0xFF, Max_Lat 0</td></tr>
 *   <tr><td>Capabilities</td><td>Power Management only, without PME (no wake-up is modelled): a
 *       conventional PCI device, so no PCI Express; no MSI and no PCI-X, which the driver does not
 *       use for this chip</td></tr>
 * </table>
 *
 * <h2>Outside world</h2>
 * Frames go to and come from Ethernet port 0 of the {@link DeviceContext} (without one the NIC
 * behaves as unplugged: link down); the link is up while the port has carrier and
 * {@link #setLinkUp} has not taken it down. DMA is refused while Bus
 * Master Enable is clear. The INTx level is {@code (ICR & IMS) != 0}.
 *
 * <p>Single-threaded, as every {@link PcieFunction}: call everything on the function's thread.
 */
public final class E1000Function extends NicFunction {
    public static final int VENDOR_ID = 0x8086;
    public static final int DEVICE_ID = 0x100E;
    /** Revision 02, as shipped 82540EM parts report it (QEMU says 03; the driver does not look). */
    public static final int REVISION_ID = 0x02;
    /** Status: 66 MHz capable, DEVSEL timing medium (01b), as lspci shows real parts. */
    static final int LEGACY_STATUS_BITS = PciConfig.Status.MHZ_66_CAPABLE | 1 << 9;
    /** Min_Gnt 0xFF (63.75 µs of burst), Max_Lat 0: the part's values. */
    static final int MIN_GNT = 0xFF;
    static final int MAX_LAT = 0x00;
    public static final int CLASS_CODE = 0x020000;
    public static final int REGISTER_BAR = 0;
    public static final int IO_BAR = 1;

    private final E1000Core core;

    /**
     * The 82540EM an endpoint hosts as device {@code index}: a locally administered address made
     * of this process's ID and the index, so two NICs on one host, or two endpoints, never collide.
     */
    public static E1000Function forInstance(int index) {
        return new E1000Function(E1000Options.of(MacAddress.forProcessInstance(index)));
    }

    /** An 82540EM with the EEPROM contents {@link E1000Nvm#image} makes from {@code options}. */
    public E1000Function(E1000Options options) {
        this(options, E1000Nvm.image(options));
    }

    /**
     * An 82540EM with the given EEPROM contents (64 words; a bad checksum is kept, as on a corrupt
     * part). The Ethernet address comes from words 0..2, like the chip's.
     */
    public E1000Function(E1000Options options, NvmImage eeprom) {
        Objects.requireNonNull(options, "options");
        E1000Core core = new E1000Core(eeprom);
        super("e1000", IO_BAR, configSpace(options), core);
        this.core = core;
    }

    private static ConfigSpace configSpace(E1000Options options) {
        return ConfigSpace.builder()
                .vendorId(VENDOR_ID).deviceId(DEVICE_ID).revisionId(REVISION_ID).classCode(CLASS_CODE)
                .subsystem(options.subsystemVendorId(), options.subsystemId())
                .interruptPin(1)
                .extraCommandBits(PciConfig.Command.MEMORY_WRITE_INVALIDATE)
                .extraStatusBits(LEGACY_STATUS_BITS)
                .minGntMaxLat(MIN_GNT, MAX_LAT)
                .bar(REGISTER_BAR, Bar.memory32(BAR0_SIZE))
                .bar(IO_BAR, Bar.io(IO_BAR_SIZE))
                .capability(new PowerManagementCapability())
                .build();
    }

    @Override
    protected void attachCore(DeviceContext ctx) {
        core.attach(ctx, config()::busMasterEnabled);
    }

    @Override
    public long mmioRead(int bar, long offset, int size) {
        if (bar != REGISTER_BAR) throw noSuchBar(bar);
        return core.regs.read(offset, size);
    }

    @Override
    public void mmioWrite(int bar, long offset, int size, long value) {
        if (bar != REGISTER_BAR) throw noSuchBar(bar);
        core.regs.write(offset, size, value);
    }

    private static IllegalArgumentException noSuchBar(int bar) {
        return new IllegalArgumentException("e1000 has no memory BAR" + bar + " (registers are BAR0)");
    }
}
