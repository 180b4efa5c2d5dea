package dev.vpcie.protocol.transport;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts what crosses a {@link TappedTransport}, each way: frames, bytes, and the vpcie DATA
 * frames with the TLPs they carry (retransmissions included), from which the TLPs per frame
 * follow. Reads only a few header bytes of each frame; any thread may take a {@link #snapshot}.
 */
public final class FrameStats implements FrameTap {
    private static final int TPID_8021Q = 0x8100, LINK_TYPE_OFFSET = 1, LINK_PAYLOAD_LENGTH_OFFSET = 2, LINK_HEADER = 36;
    private static final int DATA = 3;
    private static final int FRAMES = 0, BYTES = 1, DATA_FRAMES = 2, TLPS = 3, FIELDS = 4;

    private final int etherType;
    /** [direction * FIELDS + field]; direction 0 = sent, 1 = received. */
    private final AtomicLongArray counts = new AtomicLongArray(2 * FIELDS);

    public FrameStats(int etherType) { this.etherType = etherType; }

    /** One direction's counts. */
    public record Direction(long frames, long bytes, long dataFrames, long tlps) {
        /** TLPs per DATA frame (0 without DATA frames). */
        public double tlpsPerFrame() { return dataFrames == 0 ? 0 : (double) tlps / dataFrames; }
    }

    public record Snapshot(Direction sent, Direction received) {}

    public Snapshot snapshot() { return new Snapshot(direction(0), direction(1)); }

    private Direction direction(int d) {
        int base = d * FIELDS;
        return new Direction(counts.get(base + FRAMES), counts.get(base + BYTES), counts.get(base + DATA_FRAMES), counts.get(base + TLPS));
    }

    @Override public void onFrame(boolean outbound, ByteBuffer frame, int offset, int length) {
        int base = outbound ? 0 : FIELDS;
        counts.incrementAndGet(base + FRAMES);
        counts.addAndGet(base + BYTES, length);
        if (length < 14) return;
        int at = offset + 12, end = offset + length;
        int type = frame.getShort(at) & 0xFFFF;
        if (type == TPID_8021Q && length >= 18) {
            at += 4;
            type = frame.getShort(at) & 0xFFFF;
        }
        int link = at + 2;
        if (type != etherType || end - link < LINK_HEADER || frame.get(link + LINK_TYPE_OFFSET) != DATA) return;
        counts.incrementAndGet(base + DATA_FRAMES);
        int payloadEnd = Math.min(end, link + LINK_HEADER + (frame.getShort(link + LINK_PAYLOAD_LENGTH_OFFSET) & 0xFFFF));
        int tlps = 0;
        for (int i = link + LINK_HEADER; i + 2 <= payloadEnd; i += 2 + (frame.getShort(i) & 0xFFFF)) tlps++;
        counts.addAndGet(base + TLPS, tlps);
    }
}
