/**
 * The endpoint: the process that impersonates the PCIe functions behind an ExpEther-style bridge.
 *
 * <ul>
 *   <li>{@link dev.vpcie.endpoint.Endpoint} — up to eight functions served to one owning VRC at a
 *       time over a {@link dev.vpcie.protocol.link.TlpPort}; a session's end is a hot reset.</li>
 *   <li>{@code TlpRouter} — on the link thread, never blocking: configuration requests by function,
 *       memory and I/O requests by BAR, completions to the DMA engine, UR for the rest.</li>
 *   <li>{@link dev.vpcie.endpoint.FunctionHost} — one virtual thread per function running its
 *       accesses, DMA, interrupts and timers in arrival order.</li>
 *   <li>{@code DmaEngine} and {@code InterruptRouter} — the function's {@code DmaPort} and
 *       {@code InterruptPort}: MRRS/MPS/4 KiB splitting, pipelined tagged reads with completion
 *       timeouts; MSI-X, MSI or INTx as the configuration enables.</li>
 * </ul>
 */
package dev.vpcie.endpoint;
