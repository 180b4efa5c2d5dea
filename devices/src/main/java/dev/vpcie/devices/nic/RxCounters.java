package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.Counters;

/**
 * The receive path's counters that the 82540EM and the 82576 models share: why a frame was
 * dropped before it reached host memory, and what went wrong with the ring or its DMA. Named once
 * here so both models report them under the same names.
 */
public record RxCounters(Counters.Counter droppedNoLink, Counters.Counter droppedDisabled, Counters.Counter droppedFiltered,
                         Counters.Counter droppedOversize, Counters.Counter droppedOverrun, Counters.Counter dmaErrors,
                         Counters.Counter badRing, Counters.Counter nullDescriptors) {

    /** Registers the counters in {@code c}. */
    public static RxCounters in(Counters c) {
        return new RxCounters(
                c.counter("rx-dropped-link-down"),
                c.counter("rx-dropped-receiver-disabled"),
                c.counter("rx-dropped-address-filter"),
                c.counter("rx-dropped-oversize"),
                c.counter("rx-dropped-packet-buffer-full"),
                c.counter("rx-dma-errors"),
                c.counter("rx-ring-registers-invalid"),
                c.counter("rx-null-descriptors-skipped"));
    }
}
