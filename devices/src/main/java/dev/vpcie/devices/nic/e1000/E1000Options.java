package dev.vpcie.devices.nic.e1000;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.SubsystemIdentity;

/**
 * Build-time options of an 82540EM.
 *
 * @param mac                the permanent Ethernet address (EEPROM words 0..2, RAL0/RAH0 after reset)
 * @param subsystemVendorId  configuration space and EEPROM word 0x0C
 * @param subsystemId        configuration space and EEPROM word 0x0B
 */
public record E1000Options(MacAddress mac, int subsystemVendorId, int subsystemId) {
    /** The Intel PRO/1000 MT Desktop board's subsystem, 8086:001E. */
    public static final int INTEL_SUBSYSTEM_VENDOR = 0x8086;
    public static final int PRO1000_MT_DESKTOP = 0x001E;

    public E1000Options {
        SubsystemIdentity.check(mac, subsystemVendorId, subsystemId);
    }

    /** An Intel PRO/1000 MT Desktop adapter (8086:001E) with this address. */
    public static E1000Options of(MacAddress mac) { return new E1000Options(mac, INTEL_SUBSYSTEM_VENDOR, PRO1000_MT_DESKTOP); }
}
