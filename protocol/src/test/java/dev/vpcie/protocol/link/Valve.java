package dev.vpcie.protocol.link;

import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A transport wrapper whose inbound side a test can shut, as a cable pulled in one direction. */
final class Valve implements FrameTransport {
    private final FrameTransport inner;
    volatile boolean shut;

    Valve(FrameTransport inner) { this.inner = inner; }

    @Override public MacAddress address() { return inner.address(); }
    @Override public int mtu() { return inner.mtu(); }
    @Override public String name() { return inner.name(); }
    @Override public void send(ByteBuffer frame) throws IOException { inner.send(frame); }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        int n = inner.receive(dst, timeoutNanos);
        return shut ? 0 : n;
    }

    @Override public void wakeup() { inner.wakeup(); }
    @Override public void close() { inner.close(); }
}
