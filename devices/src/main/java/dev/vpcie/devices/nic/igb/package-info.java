/**
 * The Intel 82576 Gigabit Ethernet Controller ("igb", 8086:10C9): the PCIe shell
 * ({@link dev.vpcie.devices.nic.igb.IgbFunction}), the register file and reset
 * ({@link dev.vpcie.devices.nic.igb.IgbCore}), the interrupt funnel (ICR/IMS and EICR/EIMS with
 * IVAR, GPIE and EITR), 16 receive queues with RSS and 16 transmit queues with advanced descriptors,
 * checksum offload and TSO. It reuses what the modelled NICs share (PHY, NVM image, filters,
 * statistics, offload engine) from {@link dev.vpcie.devices.nic}.
 */
package dev.vpcie.devices.nic.igb;
