/**
 * Device models and the narrow SPI through which the endpoint hosts them.
 *
 * <ul>
 *   <li>{@link dev.vpcie.devices.spi} — what a function model is ({@code PcieFunction}) and the
 *       outside world it is given ({@code DeviceContext}: DMA, interrupt vectors, timers, counters,
 *       Ethernet ports). Devices never see TLPs, tags, links or codecs.</li>
 *   <li>{@link dev.vpcie.devices.config} — configuration space with value / write-mask / W1C-mask
 *       semantics, BARs, and self-placing capabilities.</li>
 *   <li>{@link dev.vpcie.devices.regs} — register tables of named operations.</li>
 *   <li>{@link dev.vpcie.devices.dmatest} — the DMA test device.</li>
 * </ul>
 */
package dev.vpcie.devices;
