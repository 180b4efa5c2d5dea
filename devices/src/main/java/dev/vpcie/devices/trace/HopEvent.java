package dev.vpcie.devices.trace;

import dev.vpcie.protocol.trace.PointEvent;

/** The endpoint's marks in the trace of both sides ({@link PointEvent}), named by the device models' {@link Hop}s. */
public final class HopEvent {
    private HopEvent() {}

    /** Records that a frame passed {@code hop} now (when a recording wants it). */
    public static void mark(Hop hop) { PointEvent.mark(hop); }
}
