package dev.vpcie.devices.trace;

import dev.vpcie.protocol.trace.TracePoint;

/**
 * The points a frame passes inside the endpoint, in order: out of the host through a NIC
 * (tail write → descriptors fetched → buffer in → frame on the wire) and in from the wire
 * (frame in → written to host memory → interrupt sent).
 */
public enum Hop implements TracePoint {
    /** Software wrote the transmit tail (TDT): the walk starts. */
    TX_TAIL("tail write received"),
    /** A batch of transmit descriptors arrived from host memory. */
    TX_DESCRIPTORS("descriptors fetched"),
    /** A transmit buffer's bytes arrived and its descriptor is processed. */
    TX_BUFFER("buffer in"),
    /** A frame went onto the NIC's wire. */
    TX_WIRE("frame on wire"),
    /** A frame arrived from the NIC's wire. */
    RX_WIRE("wire frame in"),
    /** The frame and its descriptors were written to host memory (posted). */
    RX_WRITTEN("data written"),
    /** An MSI or MSI-X message left the function. */
    INTERRUPT("interrupt sent");

    private final String label;

    Hop(String label) { this.label = label; }

    @Override public String label() { return label; }
}
