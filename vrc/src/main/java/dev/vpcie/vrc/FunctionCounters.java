package dev.vpcie.vrc;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the root complex counts for one function (by Routing ID): its MMIO accesses, the bytes
 * its DMA read and wrote, the interrupts it raised, and what was refused to it. Thread-safe.
 */
public final class FunctionCounters {
    /** The events, in {@link Snapshot}'s order. */
    enum Event { MMIO_READ, MMIO_WRITE, DMA_BYTES_READ, DMA_BYTES_WRITTEN, INTERRUPT, DMA_REFUSED, UNSUPPORTED }

    /**
     * @param mmioReads       memory reads of its BARs (drivers, lspci and mmio alike)
     * @param mmioWrites      memory writes of its BARs
     * @param dmaBytesRead    host memory bytes its DMA reads were given
     * @param dmaBytesWritten host memory bytes its DMA writes stored
     * @param interrupts      MSI/MSI-X messages delivered and INTx assertions
     * @param dmaRefused      DMA reads (answered UR) and writes (dropped) outside its windows
     * @param unsupported     other requests and messages from it refused or dropped (UR), MSI writes refused among them
     */
    public record Snapshot(long mmioReads, long mmioWrites, long dmaBytesRead, long dmaBytesWritten, long interrupts, long dmaRefused,
                           long unsupported) {
        public static final Snapshot NONE = new Snapshot(0, 0, 0, 0, 0, 0, 0);
    }

    private final AtomicLongArray values = new AtomicLongArray(Event.values().length);

    void add(Event e, long n) { values.addAndGet(e.ordinal(), n); }

    public Snapshot snapshot() {
        return new Snapshot(get(Event.MMIO_READ), get(Event.MMIO_WRITE), get(Event.DMA_BYTES_READ), get(Event.DMA_BYTES_WRITTEN),
                get(Event.INTERRUPT), get(Event.DMA_REFUSED), get(Event.UNSUPPORTED));
    }

    private long get(Event e) { return values.get(e.ordinal()); }
}
