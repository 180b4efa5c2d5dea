package dev.vpcie.devices.nic;

import dev.vpcie.devices.spi.Counters;

/**
 * The transmit path's counters that the 82540EM and the 82576 models share: frames sent, and why a
 * packet was dropped or a descriptor skipped. Named once here so both models report them under the
 * same names.
 */
public record TxCounters(Counters.Counter framesSent, Counters.Counter offloadErrors, Counters.Counter oversizePackets,
                         Counters.Counter dmaErrors, Counters.Counter badRing, Counters.Counter unknownDescriptors) {

    /** Registers the counters in {@code c}. */
    public static TxCounters in(Counters c) {
        return new TxCounters(
                c.counter("tx-frames"),
                c.counter("tx-dropped-bad-offload"),
                c.counter("tx-dropped-oversize-packet"),
                c.counter("tx-dma-errors"),
                c.counter("tx-ring-registers-invalid"),
                c.counter("tx-unknown-descriptor-types"));
    }
}
