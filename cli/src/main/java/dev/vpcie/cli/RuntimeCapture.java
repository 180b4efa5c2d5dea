package dev.vpcie.cli;

import dev.vpcie.protocol.capture.CaptureSpec;
import dev.vpcie.protocol.capture.QueuedCapture;
import dev.vpcie.protocol.transport.FrameTap;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A capture switched on and off while the VRC runs ({@code vrc capture start|stop} through its
 * control socket): the same queued pcap writer as {@code --capture} (frames copied to a bounded
 * queue, written by the capture's own thread, never on the agent), behind a switch that costs one
 * volatile read per frame while off.
 */
final class RuntimeCapture implements FrameTap {
    /** Set by the commands that serve a control socket before they open the interconnect. */
    static volatile boolean offered;

    private volatile QueuedCapture writer;

    /** What a stopped capture wrote. */
    record Summary(CaptureSpec spec, long frames, long dropped, int rotations) {}

    @Override public void onFrame(boolean outbound, ByteBuffer frame, int offset, int length) {
        QueuedCapture w = writer;
        if (w != null) w.onFrame(outbound, frame, offset, length); // a writer closed meanwhile counts the frame as dropped
    }

    /** Starts writing to a new file; one capture at a time. The message of a failure is for the user. */
    synchronized void start(CaptureSpec spec) throws IOException {
        if (writer != null) throw new IllegalStateException("a capture to " + writer.spec().file() + " is running: stop it first");
        try {
            writer = QueuedCapture.open(spec);
        } catch (IOException e) {
            throw new IOException("cannot write the capture file " + spec.file() + ": " + e.getMessage(), e);
        }
    }

    /** Stops the running capture and says what it wrote; null when none runs. */
    synchronized Summary stop() {
        QueuedCapture w = writer;
        if (w == null) return null;
        writer = null;
        w.close();
        return new Summary(w.spec(), w.frames(), w.dropped(), w.rotations());
    }

    /** The running capture's file, frames so far, or null. */
    synchronized Summary running() {
        QueuedCapture w = writer;
        return w == null ? null : new Summary(w.spec(), w.frames(), w.dropped(), w.rotations());
    }

    @Override public void close() { stop(); }
}
