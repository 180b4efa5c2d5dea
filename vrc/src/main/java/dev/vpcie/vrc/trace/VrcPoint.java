package dev.vpcie.vrc.trace;

import dev.vpcie.protocol.trace.PointEvent;
import dev.vpcie.protocol.trace.TracePoint;

/**
 * The points a frame passes inside the VRC, in order: out of the TAP to the NIC (frame from the
 * TAP → tail write sent) and back (interrupt received, received frame found in host memory →
 * frame to the TAP). With the endpoint's points between them, one ping's whole way.
 */
public enum VrcPoint implements TracePoint {
    /** The TAP bridge read a frame from the TAP. */
    TAP_IN("frame from TAP"),
    /** The driver wrote the transmit tail: the doorbell went out on the link. */
    DOORBELL("tail write sent"),
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
