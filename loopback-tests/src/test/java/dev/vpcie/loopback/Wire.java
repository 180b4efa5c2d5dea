package dev.vpcie.loopback;

import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MemoryTransport;
import java.io.IOException;

/**
 * The interconnect between the VRC and the endpoint in an end-to-end test: where each side's
 * transport comes from. The endpoint's side may be opened again after its "process" ended, on
 * the same interface, as a restarted process would.
 */
interface Wire extends AutoCloseable {

    /** The VRC's transport, opened once. */
    FrameTransport openVrc() throws IOException;

    /** A transport for a new endpoint process; frozen and closed by {@link Plug}. */
    Plug openEndpoint() throws IOException;

    /** Frames the network itself dropped so far (injected loss), 0 for a lossless wire. */
    default long framesDropped() throws IOException { return 0; }

    /** For test names and failure messages. */
    String describe();

    @Override void close();

    /** An in-process cable: nothing below the link is real, everything above it is. */
    static Wire memory() {
        MemoryTransport.Pair pair = MemoryTransport.pair();
        return new Wire() {
            @Override public FrameTransport openVrc() { return pair.a(); }

            @Override public Plug openEndpoint() { return new Plug(pair.b(), false); }

            @Override public String describe() { return "memory"; }

            @Override public void close() { pair.close(); }
        };
    }
}
