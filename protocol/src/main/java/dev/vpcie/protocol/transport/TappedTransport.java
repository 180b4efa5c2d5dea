package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Wraps any {@link FrameTransport} and shows every frame it sends and receives to its
 * {@link FrameTap}s (a pcap capture, a TLP trace), unchanged: Ethernet header, 802.1Q tag in
 * line, link header, TLP records. A frame is shown after it was sent (a send that failed put
 * nothing on the wire) and as soon as it was received. Closing the transport closes the taps.
 */
public final class TappedTransport implements FrameTransport {
    private final FrameTransport inner;
    private final FrameTap[] taps;

    public TappedTransport(FrameTransport inner, List<? extends FrameTap> taps) {
        if (taps.isEmpty()) throw new IllegalArgumentException("a tapped transport needs at least one tap");
        this.inner = inner;
        this.taps = taps.toArray(FrameTap[]::new);
    }

    public FrameTransport inner() { return inner; }

    /** The tap of this class, if there is one. */
    public <T extends FrameTap> java.util.Optional<T> tap(Class<T> type) {
        for (FrameTap t : taps) if (type.isInstance(t)) return java.util.Optional.of(type.cast(t));
        return java.util.Optional.empty();
    }

    @Override public MacAddress address() { return inner.address(); }

    @Override public int mtu() { return inner.mtu(); }

    @Override public String name() { return inner.name(); }

    @Override public void send(ByteBuffer frame) throws IOException {
        int offset = frame.position(), length = frame.remaining();
        inner.send(frame);
        for (FrameTap t : taps) t.onFrame(true, frame, offset, length);
    }

    /** Shown when queued: the caller reuses its buffer once this returns. */
    @Override public void queue(ByteBuffer frame) throws IOException {
        int offset = frame.position(), length = frame.remaining();
        inner.queue(frame);
        for (FrameTap t : taps) t.onFrame(true, frame, offset, length);
    }

    @Override public void flush() throws IOException { inner.flush(); }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        int n = inner.receive(dst, timeoutNanos);
        if (n > 0) for (FrameTap t : taps) t.onFrame(false, dst, 0, n);
        return n;
    }

    @Override public void wakeup() { inner.wakeup(); }

    /** Readable exactly when the inner transport's is: a tap adds no frames. */
    @Override public int pollFd() { return inner.pollFd(); }

    @Override public void close() {
        try {
            inner.close();
        } finally {
            for (FrameTap t : taps) t.close();
        }
    }
}
