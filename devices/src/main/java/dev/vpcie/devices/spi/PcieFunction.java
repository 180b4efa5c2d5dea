package dev.vpcie.devices.spi;

import dev.vpcie.devices.config.ConfigSpace;

/**
 * One PCIe function as the endpoint hosts it (the shape of SimBricks' {@code nicbm Runner::Device}):
 * it owns its configuration space and answers register accesses by BAR and offset; everything it
 * does to the outside world goes through the {@link DeviceContext} given at {@link #attach}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>One thread.</b> The host calls every method from one thread in arrival order (see the
 *       package documentation). Implementations are single-threaded.</li>
 *   <li><b>Lifecycle.</b> {@link #attach} exactly once, before any other call except
 *       {@link #config()} and {@link #name()}; then any number of accesses and resets.</li>
 *   <li><b>Config space.</b> The host performs configuration reads and writes directly on
 *       {@link #config()}; the function learns of writes it cares about through
 *       {@link ConfigSpace#addWriteListener}. The host also calls
 *       {@link ConfigSpace#captureRoutingId} for every type-0 configuration write.</li>
 *   <li><b>Accesses are naturally aligned.</b> {@code size} is 1, 2, 4 or 8 and
 *       {@code offset % size == 0}; values are little-endian as on the bus (byte {@code offset} is
 *       bits 7:0). The host splits anything else — a TLP longer than 8 bytes, an unaligned run, or
 *       a write whose byte enables are not contiguous (PCIe allows that only for writes of one DW,
 *       or two QW-aligned DWs) — into naturally aligned pieces in ascending address order, with
 *       {@link Accesses#forEachAligned}. A write whose byte enables have holes thus reaches the
 *       model as several smaller writes; a register that must see one atomic sub-DW update is
 *       unheard of in the devices we model, so this is the whole story.</li>
 *   <li><b>Only enabled, decoded accesses arrive.</b> The host decodes the address against the BARs
 *       ({@link ConfigSpace#decodeMemory}) and checks Memory/I-O Space Enable; a model is called
 *       only for its own BARs, with {@code offset} relative to the BAR base and below its size.</li>
 *   <li><b>Reads do not fail.</b> As on real devices, a read of an unimplemented register returns 0
 *       (the model counts and logs it); the SPI has no Completer Abort path.</li>
 * </ul>
 */
public interface PcieFunction {

    /** Short model name for logs and counters, e.g. {@code "dmatest"}. */
    String name();

    /** This function's configuration space: identity, BARs, capabilities. */
    ConfigSpace config();

    /** Gives the function its outside world. Called once, before any access. */
    void attach(DeviceContext context);

    /** Reads {@code size} (1, 2, 4, 8) bytes at {@code offset} of memory BAR {@code bar}, little-endian. */
    long mmioRead(int bar, long offset, int size);

    /** Writes the low {@code size} (1, 2, 4, 8) bytes of {@code value} at {@code offset} of memory BAR {@code bar}. */
    void mmioWrite(int bar, long offset, int size, long value);

    /**
     * Reads {@code len} bytes of BAR {@code bar} into {@code dst[off..]}. The default splits into
     * naturally aligned {@link #mmioRead} calls; models with memory-like BARs override it to copy in bulk.
     */
    default void mmioReadBlock(int bar, long offset, byte[] dst, int off, int len) {
        Accesses.forEachAligned(offset, len, (o, size) -> {
            long v = mmioRead(bar, o, size);
            int at = off + (int) (o - offset);
            for (int i = 0; i < size; i++) dst[at + i] = (byte) (v >>> (8 * i));
        });
    }

    /**
     * Writes {@code len} bytes from {@code src[off..]} to BAR {@code bar}. The default splits into
     * naturally aligned {@link #mmioWrite} calls in ascending address order.
     */
    default void mmioWriteBlock(int bar, long offset, byte[] src, int off, int len) {
        Accesses.forEachAligned(offset, len, (o, size) -> {
            int at = off + (int) (o - offset);
            long v = 0;
            for (int i = 0; i < size; i++) v |= (src[at + i] & 0xFFL) << (8 * i);
            mmioWrite(bar, o, size, v);
        });
    }

    /**
     * Reads from I/O BAR {@code bar} (sizes 1, 2, 4). A BAR is either memory or I/O, so by default the
     * same handler serves both; a model whose I/O window behaves differently overrides this.
     */
    default long ioRead(int bar, long offset, int size) { return mmioRead(bar, offset, size); }

    /** Writes to I/O BAR {@code bar} (sizes 1, 2, 4); by default the memory handler serves it. */
    default void ioWrite(int bar, long offset, int size, long value) { mmioWrite(bar, offset, size, value); }

    /**
     * Resets the function: its registers, queues and the configuration space
     * ({@link ConfigSpace#reset}) as {@code kind} prescribes. Pending timers the model scheduled
     * are the model's to cancel. DMA it has in flight has already completed or failed: the host
     * calls this only between other calls, never during one.
     */
    void reset(ResetKind kind);
}
