package dev.vpcie.vrc.mpqemu;

import dev.vpcie.protocol.pci.Capability;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.protocol.pci.PciConfig.Pcie;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.PcieDevice;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What DEVICE_RESET does to the remote function. A function that supports Function Level
 * Reset gets one: Initiate FLR, the settle time PCI Express requires (100 ms by default), then
 * the root complex's own settings put back (the BAR addresses it routes by, MPS and MRRS),
 * since FLR clears them. A function without FLR (a conventional PCI device such as the
 * 82540EM) is reset as far as configuration can reach: decoding and bus mastering off,
 * error status cleared; its registers are the driver's to reset, as the e1000 and igb
 * drivers do through CTRL.RST at probe.
 *
 * <p>Either way the function ends with Command = 0, as after a conventional reset.
 */
final class FunctionReset {
    private static final Logger log = LoggerFactory.getLogger(FunctionReset.class);

    private final PcieDevice device;
    private final Duration settle;
    private final Optional<Capability> pcie;
    private final boolean flr;
    private boolean warned;

    FunctionReset(PcieDevice device, Duration settle) {
        this.device = device;
        this.settle = settle;
        this.pcie = device.capability(PciConfig.CapId.PCI_EXPRESS);
        this.flr = pcie.isPresent()
                && (device.configRead(pcie.get().offset() + Pcie.DEVICE_CAPABILITIES, 4).orThrow(device.name() + ": Device Capabilities read")
                        & Pcie.DEVCAP_FUNCTION_LEVEL_RESET) != 0;
    }

    void reset() {
        if (flr) {
            int devctl = pcie.get().offset() + Pcie.DEVICE_CONTROL;
            device.configWrite(devctl, 2, device.configRead(devctl, 2).orThrow(device.name() + ": Device Control read") | Pcie.DEVCTL_INITIATE_FLR);
            long until = System.nanoTime() + settle.toNanos();
            for (long left = settle.toNanos(); left > 0; left = until - System.nanoTime()) LockSupport.parkNanos(left);
            restoreRootComplexSettings(devctl);
        } else if (!warned) {
            warned = true;
            log.info("{}: no Function Level Reset; DEVICE_RESET turns decoding and bus mastering off, the driver resets the rest",
                    device.name());
        }
        device.configWrite(PciConfig.COMMAND, 2, 0);
        device.configWrite(PciConfig.STATUS, 2, PciConfig.Status.RW1C_MASK);
    }

    private void restoreRootComplexSettings(int devctl) {
        for (Bar b : device.bars()) {
            if (!b.assigned()) continue;
            int reg = PciConfig.bar(b.index());
            device.configWrite(reg, 4, b.address() & 0xFFFF_FFFFL);
            if (b.kind() == Bar.Kind.MEMORY_64) device.configWrite(reg + 4, 4, b.address() >>> 32);
        }
        int control = (int) device.configRead(devctl, 2).orThrow(device.name() + ": Device Control read");
        device.configWrite(devctl, 2, Pcie.withSizes(control, device.maxPayloadSize(), device.maxReadRequestSize()));
    }
}
