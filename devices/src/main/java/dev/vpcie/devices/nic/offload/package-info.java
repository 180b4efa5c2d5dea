/**
 * Packet offloads shared by the NIC models: transmit checksum insertion and TCP/UDP segmentation
 * ({@link dev.vpcie.devices.nic.offload.TxOffloadEngine}), receive checksum checks
 * ({@link dev.vpcie.devices.nic.offload.RxChecksums}), and the header parser they and RSS use
 * ({@link dev.vpcie.devices.nic.offload.PacketLayout}).
 */
package dev.vpcie.devices.nic.offload;
