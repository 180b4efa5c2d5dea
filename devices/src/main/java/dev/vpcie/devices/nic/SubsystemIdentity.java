package dev.vpcie.devices.nic;

import java.util.Objects;

/** The checks both NIC models' build-time options make: an address a driver accepts, 16-bit subsystem IDs. */
public final class SubsystemIdentity {
    private SubsystemIdentity() {}

    /**
     * Throws {@link IllegalArgumentException} unless {@code mac} is a valid unicast address (the
     * drivers refuse any other) and both subsystem IDs fit the 16 bits of configuration space.
     */
    public static void check(MacAddress mac, int subsystemVendorId, int subsystemId) {
        Objects.requireNonNull(mac, "mac");
        if (!mac.isValidUnicast()) throw new IllegalArgumentException("MAC address " + mac + " is not a valid unicast address; the driver would refuse it");
        if ((subsystemVendorId & ~0xFFFF) != 0 || (subsystemId & ~0xFFFF) != 0)
            throw new IllegalArgumentException("subsystem " + Integer.toHexString(subsystemVendorId) + ":" + Integer.toHexString(subsystemId) + " exceeds 16 bits");
    }
}
