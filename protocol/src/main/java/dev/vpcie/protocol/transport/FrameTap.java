package dev.vpcie.protocol.transport;

import java.nio.ByteBuffer;

/**
 * Sees every frame a {@link TappedTransport} sends or receives, exactly as on the wire. The bytes
 * are only lent: the link sends from and receives into buffers it reuses, so a tap that keeps a
 * frame copies it before returning. Called on the sending or receiving thread; a tap must not
 * block, and must not throw (a failing capture never takes the link down).
 */
public interface FrameTap extends AutoCloseable {

    /** {@code frame}'s bytes {@code [offset, offset + length)}; positions and limits are left alone. */
    void onFrame(boolean outbound, ByteBuffer frame, int offset, int length);

    /** The transport is closing. */
    @Override default void close() {}
}
