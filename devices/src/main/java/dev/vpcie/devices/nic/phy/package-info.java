/**
 * PHYs reached through MDIO: a core that implements the IEEE clause 22 registers once
 * ({@link dev.vpcie.devices.nic.phy.Phy}), per-part register tables
 * ({@link dev.vpcie.devices.nic.phy.PhyProfiles}: Marvell 88E1011 for the 82540EM, Intel IGP03E1000
 * with page select for the 82576), and the MAC's MDIC register ({@link dev.vpcie.devices.nic.phy.Mdic}).
 */
package dev.vpcie.devices.nic.phy;
