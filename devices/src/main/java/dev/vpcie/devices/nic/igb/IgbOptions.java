package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.SubsystemIdentity;

/**
 * Build-time options of an 82576.
 *
 * @param mac                the permanent Ethernet address (NVM words 0..2, RAL0/RAH0 after every reset)
 * @param subsystemVendorId  configuration space and NVM word 0x0C
 * @param subsystemId        configuration space and NVM word 0x0B
 */
public record IgbOptions(MacAddress mac, int subsystemVendorId, int subsystemId) {
    /** Intel's own boards: the Gigabit ET Dual Port Server Adapter is 8086:A02C. */
    public static final int INTEL_SUBSYSTEM_VENDOR = 0x8086;
    public static final int ET_DUAL_PORT_SERVER_ADAPTER = 0xA02C;

    public IgbOptions {
        SubsystemIdentity.check(mac, subsystemVendorId, subsystemId);
    }

    /** An Intel Gigabit ET adapter (8086:A02C) with this address. */
    public static IgbOptions of(MacAddress mac) { return new IgbOptions(mac, INTEL_SUBSYSTEM_VENDOR, ET_DUAL_PORT_SERVER_ADAPTER); }
}
