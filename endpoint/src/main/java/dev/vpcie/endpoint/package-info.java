/**
 * The endpoint: the process that impersonates the PCIe functions behind an ExpEther-style bridge.
 *
 * <ul>
 *   <li>{@link dev.vpcie.endpoint.Endpoint} — up to eight functions served to one owning VRC at a
 *       time over a {@link dev.vpcie.protocol.link.TlpPort}; a session's end is a hot reset.</li>
 *   <li>One agent thread ({@link dev.vpcie.protocol.agent.AgentLoop}) runs it all: the link (when
 *       it shares the loop), the router, every function's handlers, DMA completions and timers,
 *       and the NICs' wires; it spins briefly after work and then blocks in one {@code ppoll}.</li>
 *   <li>{@code TlpRouter} — never blocking: configuration requests by function, memory and I/O
 *       requests by BAR, completions to the DMA engine, UR for the rest.</li>
 *   <li>{@link dev.vpcie.endpoint.FunctionHost} — one function's accesses, DMA read handlers,
 *       interrupts and timers, served inline on the agent thread.</li>
 *   <li>{@code DmaEngine} and {@code InterruptRouter} — the function's asynchronous {@code DmaPort}
 *       and {@code InterruptPort}: MRRS/MPS/4 KiB splitting, many tagged reads in flight matched by
 *       tag, handlers in issue order per stream, completion timeouts from the agent's clock; MSI-X, MSI or
 *       INTx as the configuration enables, in order behind the function's writes.</li>
 *   <li>{@code Upstream} — the way out: never waits for the link's window, keeps a bounded
 *       backlog drained from the duty cycle.</li>
 * </ul>
 */
package dev.vpcie.endpoint;
