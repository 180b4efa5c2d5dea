/**
 * The device SPI: the narrow boundary between a PCIe function model and the endpoint that hosts it.
 *
 * <p>In: configuration space ({@link dev.vpcie.devices.spi.PcieFunction#config()}), register reads
 * and writes by BAR and offset, resets. Out, through the {@link dev.vpcie.devices.spi.DeviceContext}
 * given at {@link dev.vpcie.devices.spi.PcieFunction#attach attach}: blocking DMA
 * ({@link dev.vpcie.devices.spi.DmaPort}), interrupt vectors
 * ({@link dev.vpcie.devices.spi.InterruptPort}), timers ({@link dev.vpcie.devices.spi.Timers}),
 * counters, and Ethernet ports ({@link dev.vpcie.devices.spi.EthernetPort}).
 *
 * <h2>Threading contract</h2>
 * The host calls every method of a function — config accesses, MMIO, I/O, reset, timer tasks,
 * Ethernet receive callbacks — from ONE thread (the endpoint's per-function virtual thread), in
 * arrival order. Models are therefore single-threaded and need no locks; they may block in
 * {@link dev.vpcie.devices.spi.DmaPort} calls, which delays later accesses exactly as PCIe
 * ordering requires. Only {@link dev.vpcie.devices.spi.Counters} values may be read from other
 * threads.
 */
package dev.vpcie.devices.spi;
