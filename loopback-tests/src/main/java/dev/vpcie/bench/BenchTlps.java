package dev.vpcie.bench;

import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;

/**
 * The TLPs the benchmark exchanges. A ping is a 1-DW memory read the echo side completes; a
 * stream is memory writes whose address carries their index (so the echo side checks order),
 * closed by a fence read whose completion reports how many writes arrived and how many were
 * out of order.
 */
final class BenchTlps {
    private BenchTlps() {}

    static final int CLIENT_ID = 0x0100, ECHO_ID = 0x0200;
    static final int PING_TAG = 1, FENCE_TAG = 2;
    static final long PING_ADDRESS = 0x1000, FENCE_ADDRESS = 0xFFFF_F000L;
    /** Write i goes to i * 256, so 64- and 256-byte writes alike carry their index. */
    static final int INDEX_SHIFT = 8;

    static MemRead ping() {
        return new MemRead(CLIENT_ID, PING_TAG, PING_ADDRESS, 1, 0xF, 0);
    }

    static MemRead fence() {
        return new MemRead(CLIENT_ID, FENCE_TAG, FENCE_ADDRESS, 2, 0xF, 0xF);
    }

    static MemWrite write(int index, byte[] payload) {
        return new MemWrite(CLIENT_ID, 0, ((long) index << INDEX_SHIFT) & 0xFFFF_FFFFL, 0xF, 0xF, payload);
    }

    static int index(MemWrite w) {
        return (int) (w.address() >>> INDEX_SHIFT);
    }
}
