package dev.vpcie.vrc.trace;

import dev.vpcie.protocol.trace.PointEvent;
import dev.vpcie.protocol.trace.TracePoint;

/**
 * The points a frame passes inside the VRC, in order: out of the TAP to the NIC (frame from the
 * TAP → tail write sent, the NIC's DMA reads answered) and back (interrupt received, received frame found in host memory →
 * frame to the TAP). With the endpoint's points between them, one ping's whole way.
 */
public enum VrcPoint implements TracePoint {
    /** The TAP bridge read a frame from the TAP. */
    TAP_IN("frame from TAP"),
    /** The driver wrote the transmit tail: the doorbell went out on the link. */
    DOORBELL("tail write sent"),
    /**
     * A device's DMA read of host memory was answered: its completions are queued on the link
     * (they leave at the end of the loop's cycle). Splits a DMA read's round trip in the trace
     * into the request's way here and the completions' way back.
     */
    DMA_READ("DMA read answered"),
    /** An MSI/MSI-X write or an INTx assertion arrived from the device. */
    IRQ_IN("interrupt received"),
    /** The driver's ring poll found a received frame's descriptor done. */
    RX_FOUND("received frame found"),
    /** The TAP bridge wrote a frame to the TAP. */
    TAP_OUT("frame to TAP");

    private final String label;

    VrcPoint(String label) { this.label = label; }

    @Override public String label() { return label; }

    /** Records that a frame passed this point now (when a recording wants it). */
    public void mark() { PointEvent.mark(this); }
}
