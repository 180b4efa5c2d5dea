package dev.vpcie.bench;

import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The transport's own floor, without the link: one thread sends a 64-byte frame and waits for it
 * to come back from a thread in the other process that swaps the MAC addresses and returns it.
 * Both block in {@code receive} between frames, as the link threads do once idle.
 */
final class RawEcho {
    private RawEcho() {}

    static final int FRAME_BYTES = 64;

    /** The echo process: bounce every frame back until standard input closes. */
    static void run(BenchTransport kind, String device, String localIp, String peerIp, AfPacketTransport.Options afPacket)
            throws IOException {
        try (FrameTransport transport = kind.open(device, localIp, peerIp, afPacket)) {
            Thread bouncer = Thread.ofPlatform().name("raw-echo").start(() -> bounce(transport));
            System.out.println("READY " + transport.address() + " 0");
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the benchmark closes our input.
            }
            bouncer.interrupt();
            transport.wakeup();
            bouncer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void bounce(FrameTransport transport) {
        ByteBuffer frame = ByteBuffer.allocateDirect(transport.mtu() + 64);
        byte[] mac = new byte[6];
        try {
            while (!Thread.currentThread().isInterrupted()) {
                int n = transport.receive(frame, TimeUnit.MILLISECONDS.toNanos(100));
                if (n == 0) continue;
                frame.get(0, mac);
                frame.put(0, frame, 6, 6);
                frame.put(6, mac);
                transport.send(frame.limit(n).position(0));
                frame.clear();
            }
        } catch (IOException e) {
            System.err.println("raw echo: " + e.getMessage());
        }
    }

    /** Round trips of one frame, {@code intervalNanos} apart after {@code warmup} back-to-back ones. */
    static Histogram pingPong(FrameTransport transport, MacAddress echo, int warmup, int samples, long intervalNanos) throws IOException {
        byte[] bytes = new byte[FRAME_BYTES];
        echo.write(bytes, 0);
        transport.address().write(bytes, 6);
        bytes[12] = (byte) (BenchTransport.ETHERTYPE >>> 8);
        bytes[13] = (byte) BenchTransport.ETHERTYPE;
        ByteBuffer out = ByteBuffer.allocateDirect(FRAME_BYTES).put(bytes).flip();
        ByteBuffer in = ByteBuffer.allocateDirect(transport.mtu() + 64);
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long next = System.nanoTime();
        for (int i = 0; i < warmup + samples; i++) {
            if (intervalNanos > 0 && i >= warmup) {
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
            long t0 = System.nanoTime();
            transport.send(out);
            while (transport.receive(in, TimeUnit.SECONDS.toNanos(1)) == 0) {
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(5))
                    throw new IOException("no frame came back from the raw echo over " + transport.name());
            }
            long rtt = System.nanoTime() - t0;
            if (i >= warmup) h.recordValue(Math.min(rtt, h.getHighestTrackableValue()));
        }
        return h;
    }
}
