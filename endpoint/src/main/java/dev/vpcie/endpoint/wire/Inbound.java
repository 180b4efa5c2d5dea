package dev.vpcie.endpoint.wire;

import dev.vpcie.devices.spi.EthernetPort.FrameReceiver;
import dev.vpcie.devices.spi.EthernetPort.LinkListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The way from a wire's receive side into the device: batches of frames and link changes run on
 * the function's thread — directly when the wire is read on the endpoint's agent loop
 * ({@link #deliverNow}), else handed over from the wire's own thread, never run on it — and never more than {@value #MAX_PENDING} frames
 * wait there (beyond that they are dropped and counted, as a NIC's packet buffer overflows), so a
 * slow device cannot make the wire's thread block or the queue grow without bound.
 */
final class Inbound {
    static final int MAX_PENDING = 4096;

    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong(), dropped = new AtomicLong();
    private volatile Executor functionThread;
    private volatile FrameReceiver receiver;
    private volatile LinkListener linkListener;
    private volatile boolean closed;

    /** Starts delivering on {@code functionThread}; once. */
    void start(Executor functionThread, String what) {
        Objects.requireNonNull(functionThread, "functionThread");
        synchronized (this) {
            if (this.functionThread != null) throw new IllegalStateException(what + ": started twice");
            this.functionThread = functionThread;
        }
    }

    void receiver(FrameReceiver r) { this.receiver = r; }

    void linkListener(LinkListener l) { this.linkListener = l; }

    /** Drops everything from now on. */
    void close() { closed = true; }

    /** Frames handed to the device. */
    long delivered() { return delivered.get(); }

    /** Frames that arrived but did not reach the device. */
    long dropped() { return dropped.get(); }

    /** Counts frames the wire itself could not use. */
    void drop(int frames) { dropped.addAndGet(frames); }

    /** Hands {@code batch} to the device on its thread, or drops it (not started, closed, too far behind). */
    void handOver(List<byte[]> batch) {
        Executor thread = functionThread;
        if (thread == null || closed || pending.get() >= MAX_PENDING) {
            dropped.addAndGet(batch.size());
            return;
        }
        pending.addAndGet(batch.size());
        thread.execute(() -> deliver(batch));
    }

    /** Tells the device its wire's link changed, on its thread (nothing before start). */
    void linkChanged(boolean up) {
        Executor thread = functionThread;
        if (thread == null || closed) return;
        thread.execute(() -> {
            LinkListener l = linkListener;
            if (l != null) l.linkChanged(up);
        });
    }

    /** Hands {@code batch} to the device now: the caller is on the function's (the agent's) thread. */
    void deliverNow(List<byte[]> batch) {
        if (closed) {
            dropped.addAndGet(batch.size());
            return;
        }
        pending.addAndGet(batch.size());
        deliver(batch);
    }

    /**
     * Hands one frame to the device now (the caller is on the function's, the agent's, thread);
     * the device copies what it keeps before it returns.
     */
    void deliverNow(ByteBuffer frame) { deliverNow(frame, false); }

    /**
     * Whether the device takes a burst of {@code frames} frames, {@code bytes} in all, now ({@link FrameReceiver#accepts}); yes
     * when there is no device or the way is closed (the frames are then dropped and counted).
     * On the function's thread.
     */
    boolean accepts(int frames, int bytes) {
        FrameReceiver r = receiver;
        return r == null || closed || r.accepts(frames, bytes);
    }

    /** {@link #deliverNow(ByteBuffer)} for a frame whose checksums the wire computed ({@link FrameReceiver#receiveComputed}). */
    void deliverComputedNow(ByteBuffer frame) { deliverNow(frame, true); }

    private void deliverNow(ByteBuffer frame, boolean computed) {
        FrameReceiver r = receiver;
        if (r == null || closed) {
            dropped.incrementAndGet();
            return;
        }
        delivered.incrementAndGet();
        if (computed) r.receiveComputed(frame);
        else r.receive(frame);
    }

    /** On the function's thread. */
    private void deliver(List<byte[]> batch) {
        pending.addAndGet(-batch.size());
        FrameReceiver r = receiver;
        for (byte[] frame : batch) {
            if (r == null || closed) {
                dropped.incrementAndGet();
                continue;
            }
            delivered.incrementAndGet();
            r.receive(ByteBuffer.wrap(frame));
        }
    }
}
