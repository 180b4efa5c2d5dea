/**
 * Register tables: a device's register behaviour as data (offset to named read and write
 * operations), in the manner of QEMU's {@code macreg_readops}/{@code macreg_writeops} but dense,
 * with O(1) lookup and without per-queue copy-paste ({@code range}).
 */
package dev.vpcie.devices.regs;
