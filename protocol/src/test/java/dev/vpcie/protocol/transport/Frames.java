package dev.vpcie.protocol.transport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Test helpers: building Ethernet frames and waiting for one. */
final class Frames {
    private Frames() {}

    static final int ETHERTYPE = 0x88B5;
    static final long WAIT_NANOS = 10_000_000_000L;

    /** An Ethernet II frame; {@code tci} &lt; 0 means untagged, else an 802.1Q tag with that TCI. */
    static byte[] frame(MacAddress dst, MacAddress src, int tci, int etherType, int payloadLength, int seed) {
        int header = tci < 0 ? 14 : 18;
        byte[] f = new byte[header + payloadLength];
        dst.write(f, 0);
        src.write(f, 6);
        int at = 12;
        if (tci >= 0) {
            f[at++] = (byte) 0x81;
            f[at++] = 0;
            f[at++] = (byte) (tci >>> 8);
            f[at++] = (byte) tci;
        }
        f[at++] = (byte) (etherType >>> 8);
        f[at] = (byte) etherType;
        for (int i = header; i < f.length; i++) f[i] = (byte) (seed * 31 + i * 7);
        return f;
    }

    static void send(FrameTransport t, byte[] frame) throws IOException {
        t.send(ByteBuffer.wrap(frame));
    }

    /** Waits (bounded) for the next frame; fails the test if none comes. */
    static byte[] receive(FrameTransport t) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(70000);
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() - deadline < 0) {
            int n = t.receive(dst, 100_000_000L);
            if (n > 0) return Arrays.copyOf(dst.array(), n);
        }
        return fail("no frame arrived on " + t.name() + " within " + WAIT_NANOS / 1_000_000_000 + " s");
    }
}
