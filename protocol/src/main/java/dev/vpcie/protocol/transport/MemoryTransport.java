package dev.vpcie.protocol.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One end of an in-process Ethernet cable: what one end sends, the other receives, in order and
 * without loss, unless the other end's receive queue is full (then the frame is dropped and
 * counted, as a NIC drops on a full ring). Wrap an end in {@link FaultInjectingTransport} for
 * loss, duplication, reordering and delay.
 */
public final class MemoryTransport implements FrameTransport {
    /** Default Ethernet MTU. */
    public static final int DEFAULT_MTU = 1500;
    /** Default frames a receive queue holds before it drops. */
    public static final int DEFAULT_QUEUE = 8192;

    private static final AtomicLong NEXT_MAC = new AtomicLong(1);
    private static final byte[] WAKEUP = new byte[0];

    private final MacAddress address;
    private final int mtu;
    private final ArrayBlockingQueue<byte[]> inbound;
    private final AtomicBoolean wakeupQueued = new AtomicBoolean();
    private final AtomicLong overflowDrops = new AtomicLong();
    private volatile MemoryTransport peer;
    private volatile boolean closed;

    private MemoryTransport(MacAddress address, int mtu, int queueFrames) {
        this.address = address;
        this.mtu = mtu;
        this.inbound = new ArrayBlockingQueue<>(queueFrames);
    }

    /** Two connected ends with distinct locally administered MACs, MTU 1500. */
    public static Pair pair() { return pair(DEFAULT_MTU, DEFAULT_QUEUE); }

    public static Pair pair(int mtu, int queueFrames) {
        if (mtu < 64 || mtu > 65535) throw new IllegalArgumentException("MTU must be 64..65535: " + mtu);
        if (queueFrames < 1) throw new IllegalArgumentException("queue must hold at least one frame");
        MemoryTransport a = new MemoryTransport(nextMac(), mtu, queueFrames);
        MemoryTransport b = new MemoryTransport(nextMac(), mtu, queueFrames);
        a.peer = b;
        b.peer = a;
        return new Pair(a, b);
    }

    /** Both ends of one cable; closing the pair closes both. */
    public record Pair(MemoryTransport a, MemoryTransport b) implements AutoCloseable {
        @Override public void close() {
            a.close();
            b.close();
        }
    }

    // 02:xx:xx:xx:xx:xx is unicast and locally administered, so it never collides with a real NIC.
    private static MacAddress nextMac() {
        return new MacAddress(0x0200_0000_0000L | NEXT_MAC.getAndIncrement() & 0xFF_FFFF_FFFFL);
    }

    @Override public MacAddress address() { return address; }

    @Override public int mtu() { return mtu; }

    @Override public String name() { return "memory:" + address; }

    /** Frames dropped because this end's receive queue was full. */
    public long overflowDrops() { return overflowDrops.get(); }

    @Override public void send(ByteBuffer frame) throws IOException {
        if (closed) throw new IOException(name() + " is closed");
        int length = frame.remaining();
        if (length > mtu + 18) throw new IOException(name() + ": frame of " + length + " bytes exceeds MTU " + mtu);
        byte[] copy = new byte[length];
        frame.get(frame.position(), copy);
        MemoryTransport to = peer;
        if (to.closed || !to.inbound.offer(copy)) to.overflowDrops.incrementAndGet();
    }

    @Override public int receive(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (closed) throw new IOException(name() + " is closed");
        byte[] frame;
        try {
            frame = timeoutNanos <= 0 ? inbound.poll() : inbound.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        if (frame == null) return 0;
        if (frame == WAKEUP) {
            wakeupQueued.set(false);
            return 0;
        }
        int n = Math.min(frame.length, dst.capacity());
        dst.put(0, frame, 0, n);
        return n;
    }

    /** Sticky: a wakeup while no receive is blocked makes the next receive return at once. */
    @Override public void wakeup() {
        if (!wakeupQueued.getAndSet(true) && !inbound.offer(WAKEUP)) wakeupQueued.set(false);
    }

    @Override public void close() {
        closed = true;
        wakeup();
    }
}
