package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.nic.e1000.E1000Driver;
import dev.vpcie.vrc.nic.igb.IgbDriver;

/** Picks and opens the driver for a NIC. */
public final class NicDrivers {
    private NicDrivers() {}

    /** Which driver to use; AUTO chooses by vendor and device ID. */
    public enum Kind { AUTO, E1000, IGB }

    /** Opens {@code device} with the driver {@code kind} names (or the one its IDs call for). */
    public static NicDriver open(PcieDevice device, Kind kind, NicOptions options) {
        Kind k = kind == Kind.AUTO ? detect(device) : kind;
        return switch (k) {
            case E1000 -> E1000Driver.open(device, options);
            case IGB -> IgbDriver.open(device, options);
            case AUTO -> throw new IllegalStateException("detect never answers AUTO");
        };
    }

    /** The driver for this function's IDs. */
    public static Kind detect(PcieDevice device) {
        if (E1000Driver.supports(device)) return Kind.E1000;
        if (IgbDriver.supports(device)) return Kind.IGB;
        throw new NicException(String.format("%s [%04x:%04x] is not a NIC these drivers know (82540EM 8086:100e, 82576 8086:10c9)",
                device.name(), device.vendorId(), device.deviceId()));
    }
}
