package dev.vpcie.devices.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory Ethernet cable with two ends, for tests: a frame sent on one end is copied and
 * handed to the other end's receiver through that end's executor (the executor that runs tasks on
 * the receiving function's thread; {@code Runnable::run} in single-threaded tests). The cable's
 * link state is shared by both ends and can be changed at run time.
 */
public final class MemoryEthernetWire {
    private final int maxFrameSize;
    private final End a;
    private final End b;
    private volatile boolean linkUp = true;
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param maxFrameSize largest frame (without FCS) the cable carries; larger frames are dropped
     * @param deliverToA runs receive and link callbacks on end A's function thread
     * @param deliverToB likewise for end B
     */
    public MemoryEthernetWire(int maxFrameSize, Executor deliverToA, Executor deliverToB) {
        if (maxFrameSize < 60) throw new IllegalArgumentException("max frame size " + maxFrameSize + " < 60");
        this.maxFrameSize = maxFrameSize;
        this.a = new End(deliverToA);
        this.b = new End(deliverToB);
        a.peer = b;
        b.peer = a;
    }

    public EthernetPort endA() { return a; }

    public EthernetPort endB() { return b; }

    /** Frames dropped because the link was down, the frame too large, or no receiver installed. */
    public long dropped() { return dropped.get(); }

    /** Plugs or unplugs the cable; both ends' listeners hear the change. */
    public void setLinkUp(boolean up) {
        if (linkUp == up) return;
        linkUp = up;
        a.notifyLink(up);
        b.notifyLink(up);
    }

    private final class End implements EthernetPort {
        private final Executor executor;
        private End peer;
        private volatile FrameReceiver receiver;
        private volatile LinkListener linkListener;

        End(Executor executor) { this.executor = executor; }

        @Override
        public boolean send(ByteBuffer frame) {
            int len = frame.remaining();
            byte[] copy = new byte[len];
            frame.get(copy);
            if (!linkUp || len > maxFrameSize) {
                dropped.incrementAndGet();
                return false;
            }
            End to = peer;
            to.executor.execute(() -> {
                FrameReceiver r = to.receiver;
                if (r == null || !linkUp) dropped.incrementAndGet();
                else r.receive(ByteBuffer.wrap(copy));
            });
            return true;
        }

        @Override
        public void setReceiver(FrameReceiver receiver) { this.receiver = receiver; }

        @Override
        public boolean linkUp() { return linkUp; }

        @Override
        public void setLinkListener(LinkListener listener) { this.linkListener = listener; }

        @Override
        public int maxFrameSize() { return maxFrameSize; }

        void notifyLink(boolean up) {
            executor.execute(() -> {
                LinkListener l = linkListener;
                if (l != null) l.linkChanged(up);
            });
        }
    }
}
