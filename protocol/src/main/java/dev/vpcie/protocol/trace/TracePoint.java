package dev.vpcie.protocol.trace;

/**
 * A point a frame passes on its way through the interconnect, on either side: the endpoint's
 * device models and the VRC's drivers each name theirs in an enum that implements this. Names are
 * unique across both sides, so one trace may hold the marks of both processes.
 */
public interface TracePoint {
    /** The point's name, unique across both sides (an enum constant's name). */
    String name();

    /** What happened there, for people. */
    String label();
}
