package dev.vpcie.loopback;

import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transport whose process can be frozen: once {@link #pull()}ed, nothing is sent and every
 * frame received is discarded, as when the process is stopped (SIGSTOP) or killed before it
 * could say goodbye. Closing closes the inner transport unless it is shared with a later
 * "process" (an in-memory cable outlives the endpoints plugged into it).
 */
final class Plug implements FrameTransport {
    private final FrameTransport inner;
    private final boolean closesInner;
    private volatile boolean pulled;

    Plug(FrameTransport inner, boolean closesInner) {
        this.inner = inner;
        this.closesInner = closesInner;
    }

    /** From now on the process is silent and deaf. */
    void pull() { pulled = true; }

    @Override public MacAddress address() { return inner.address(); }

    @Override public int mtu() { return inner.mtu(); }

    @Override public String name() { return inner.name(); }

    @Override public void send(ByteBuffer frame) throws IOException {
        if (!pulled) inner.send(frame);
    }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        int n = inner.receive(dst, timeoutNanos);
        return pulled ? 0 : n;
    }

    @Override public void wakeup() { inner.wakeup(); }

    @Override public void close() {
        if (closesInner) inner.close();
    }
}
