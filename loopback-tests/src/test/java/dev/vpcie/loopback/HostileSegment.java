package dev.vpcie.loopback;

import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MemoryTransport;

/**
 * An in-memory segment with a third party on it: the VRC and the endpoint on the two ends of a
 * memory cable, and a {@link Stranger} who can put frames on the wire toward either of them
 * ({@link #towardEndpoint}, {@link #towardVrc}) without seeing what they send each other.
 */
final class HostileSegment implements Wire {
    private final MemoryTransport.Pair pair = MemoryTransport.pair();

    /** Sending here delivers to the endpoint (the VRC's end of the cable). */
    FrameTransport towardEndpoint() { return pair.a(); }

    /** Sending here delivers to the VRC (the endpoint's end of the cable). */
    FrameTransport towardVrc() { return pair.b(); }

    @Override public FrameTransport openVrc() { return pair.a(); }

    @Override public Plug openEndpoint() { return new Plug(pair.b(), false); }

    @Override public String describe() { return "memory segment with a stranger"; }

    @Override public void close() { pair.close(); }
}
