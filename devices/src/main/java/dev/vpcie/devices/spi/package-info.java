/**
 * The device SPI: the narrow boundary between a PCIe function model and the endpoint that hosts it.
 *
 * <p>In: configuration space ({@link dev.vpcie.devices.spi.PcieFunction#config()}), register reads
 * and writes by BAR and offset, resets. Out, through the {@link dev.vpcie.devices.spi.DeviceContext}
 * given at {@link dev.vpcie.devices.spi.PcieFunction#attach attach}: asynchronous DMA
 * ({@link dev.vpcie.devices.spi.DmaPort}), interrupt vectors
 * ({@link dev.vpcie.devices.spi.InterruptPort}), timers ({@link dev.vpcie.devices.spi.Timers}),
 * counters, and Ethernet ports ({@link dev.vpcie.devices.spi.EthernetPort}).
 *
 * <h2>Threading contract: one thread, never blocked</h2>
 * The host calls every method of a function — config accesses, MMIO and I/O, resets, DMA read
 * handlers, timer tasks, Ethernet receive callbacks — from ONE thread (the endpoint's agent
 * thread, which also runs the link and the NICs' wires), one call at a time. Models are
 * therefore single-threaded and need no locks, and they must never block: a model is a state
 * machine in the shape of SimBricks' nicbm. It issues a DMA read
 * ({@link dev.vpcie.devices.spi.DmaPort#read}) and keeps its state (a batch of transmit
 * descriptors waiting for their buffers, a frame waiting for receive descriptors) until the
 * read's handler runs — later, on the same thread, never from inside {@code read}. A model may
 * keep many reads in flight, each on a stream of its own choosing (one per ring or engine); within
 * a stream their handlers run in issue order and a failure fails the reads issued after it, while
 * streams never hold up nor fail each other; a reset drops them without calling them. Writes and interrupts are posted and
 * leave in call order behind earlier reads and writes (PCIe's producer/consumer ordering), so a
 * model raises an interrupt right after the writes it covers. Only
 * {@link dev.vpcie.devices.spi.Counters} values may be read from other threads.
 *
 * <h2>Tracing</h2>
 * The NIC models mark the points a frame passes with {@link dev.vpcie.devices.trace.HopEvent}
 * (JFR events, off unless a recording enables them).
 */
package dev.vpcie.devices.spi;
