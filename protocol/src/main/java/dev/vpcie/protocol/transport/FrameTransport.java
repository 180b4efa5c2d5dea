package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sends and receives whole Ethernet frames (destination MAC first, no FCS). A frame that carried
 * an 802.1Q tag on the wire is delivered with the tag in line, whatever the kernel did with it,
 * so the layers above see one format. A transport never delivers frames it sent itself.
 *
 * <p>One thread sends and one thread receives (they may be the same thread); implementations
 * need not support more.
 */
public interface FrameTransport extends AutoCloseable {

    /** This end's MAC address (for UDP and memory transports, a locally administered stand-in). */
    MacAddress address();

    /** Largest Ethernet payload, as the interface's MTU (frame size is this + 14, + 4 with a tag). */
    int mtu();

    /** A short human-readable name, such as {@code af_packet:veth0}. */
    String name();

    /** Sends one frame: bytes from {@code frame.position()} to {@code frame.limit()}. */
    void send(ByteBuffer frame) throws IOException;

    /**
     * Takes a copy of one frame (position to limit) to send with the next {@link #flush}, so that
     * the frames of one duty cycle leave in one system call where the transport can. Frames leave
     * in the order they were given, queued or {@linkplain #send sent}. The queue is bounded: a
     * full one is flushed first. Whoever queues must flush before it waits or ends its cycle;
     * nothing else sends queued frames. The default sends at once.
     */
    default void queue(ByteBuffer frame) throws IOException { send(frame); }

    /** Sends every {@linkplain #queue queued} frame now. */
    default void flush() throws IOException {}

    /**
     * Waits up to {@code timeoutNanos} for one frame and copies it into {@code dst} from index 0;
     * returns its length, or 0 when the time ran out or {@link #wakeup()} was called. A frame longer
     * than {@code dst} is truncated to its capacity. A timeout of 0 (or less) polls: it returns at
     * once, with a frame if one is waiting. The link agent polls this way between its other work.
     */
    int receive(ByteBuffer dst, long timeoutNanos) throws IOException;

    /**
     * Makes a blocked {@link #receive} return 0 early. Sticky: called while no receive is blocked,
     * it makes the next blocking receive return at once, so a wakeup racing with the receiver going
     * to sleep is never lost (the link agent relies on this). May be called from any thread.
     */
    void wakeup();

    /**
     * A descriptor that polls readable (POLLIN) whenever {@code receive(dst, 0)} would return a
     * frame, so a run-to-completion loop can wait on it together with its other descriptors in one
     * {@code ppoll}; -1 when the transport has none (it is then waited on through
     * {@link #receive} and woken with {@link #wakeup}).
     */
    default int pollFd() { return -1; }

    @Override void close();
}
