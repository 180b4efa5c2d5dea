/**
 * What the modelled Intel NICs (82540EM "e1000", 82576 "igb") share: MAC addresses and frame edits
 * ({@link dev.vpcie.devices.nic.EthernetFrames}), the NVM image with its 0xBABA checksum
 * ({@link dev.vpcie.devices.nic.NvmImage}), the receive address / multicast / VLAN filters
 * ({@link dev.vpcie.devices.nic.ReceiveFilter}), statistics that count
 * ({@link dev.vpcie.devices.nic.NicStatistics}), descriptor ring arithmetic
 * ({@link dev.vpcie.devices.nic.DescriptorRing}) and the receive packet buffer
 * ({@link dev.vpcie.devices.nic.PacketBuffer}), receive descriptor prefetch
 * ({@link dev.vpcie.devices.nic.RxDescriptorCache}), the I/O BAR window onto the registers
 * ({@link dev.vpcie.devices.nic.IoWindow}), and the wire of a NIC given none
 * ({@link dev.vpcie.devices.nic.UnpluggedPort}).
 *
 * <p>Sub-packages: {@link dev.vpcie.devices.nic.phy} (PHY register tables and MDIC),
 * {@link dev.vpcie.devices.nic.offload} (checksum insertion and TSO, receive checksum checks), and
 * the models: {@link dev.vpcie.devices.nic.e1000} (the 82540EM) and {@link dev.vpcie.devices.nic.igb} (the 82576).
 */
package dev.vpcie.devices.nic;
