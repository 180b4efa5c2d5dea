package dev.vpcie.endpoint.wire;

import dev.vpcie.endpoint.FunctionHost;
import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.protocol.transport.Tap;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A NIC's wire that ends in a TAP interface on the endpoint's own host: what the NIC transmits
 * comes out of the TAP into that host's network stack, and what the stack sends into the TAP
 * reaches the NIC, as if the NIC's cable were plugged into a second adapter of that host. The TAP
 * is created by the wire (and disappears when it closes); give it an address and bring it up with
 * {@code ip}. It is opened without offloads, so the host's stack hands over finished frames.
 *
 * <p>The wire always has link while open. Started with a function of an endpoint, the TAP is read on
 * the endpoint's agent loop ({@link LoopReader}: watched while idle, frames handed to the device
 * directly); otherwise a platform thread reads it and hands frames to the function's thread in
 * batches ({@link Inbound}). {@link #send} writes on the function's thread.
 */
public final class TapWire implements Wire {
    private static final Logger log = LoggerFactory.getLogger(TapWire.class);
    private static final int POLL_MS = 250, MAX_BATCH = 64, MAX_FRAME = 65536;

    private final Tap tap;
    private final EventFd stop;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment writeBuffer = arena.allocate(MAX_FRAME, 64);
    private final Thread reader;
    private volatile LoopReader loopReader;
    private final Inbound inbound = new Inbound();
    private final AtomicLong framesOut = new AtomicLong(), droppedOut = new AtomicLong();
    private volatile boolean closed;
    private boolean sendErrorLogged; // function thread

    private TapWire(Tap tap, EventFd stop) {
        this.tap = tap;
        this.stop = stop;
        this.reader = Thread.ofPlatform().daemon().name("vpcie-wire-tap-" + tap.name()).unstarted(this::readLoop);
    }

    /**
     * Creates TAP interface {@code name} (in the calling thread's network namespace) with carrier on.
     * Needs root (CAP_NET_ADMIN); fails if an interface of that name exists.
     *
     * @param mac the TAP's own address, or null to keep the kernel's random one
     */
    public static TapWire create(String name, MacAddress mac) throws IOException {
        Tap tap = Tap.create(name, false);
        EventFd stop = null;
        try {
            if (mac != null) tap.setHardwareAddress(mac);
            tap.setCarrier(true);
            stop = EventFd.open();
            return new TapWire(tap, stop);
        } catch (IOException | RuntimeException e) {
            if (stop != null) stop.close();
            tap.close();
            throw e;
        }
    }

    /** The TAP interface's name. */
    public String name() { return tap.name(); }

    @Override public void start(Executor functionThread) {
        inbound.start(functionThread, describe());
        if (functionThread instanceof FunctionHost host) {
            loopReader = LoopReader.start(host, tap.fd(), (batch, max) -> {
                for (int n; batch.size() < max && (n = tap.read()) > 0; )
                    batch.add(tap.readBuffer().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }, inbound, describe(), null, 0);
        } else {
            reader.start();
        }
    }

    @Override public String describe() { return "tap:" + tap.name(); }

    @Override public WireCounters counters() {
        return new WireCounters(inbound.delivered(), framesOut.get(), inbound.dropped(), droppedOut.get(), 0);
    }

    // ------------------------------------------------------------------ EthernetPort (function thread)

    @Override public boolean send(ByteBuffer frame) {
        int length = frame.remaining();
        try {
            if (closed || length > MAX_FRAME) {
                droppedOut.incrementAndGet();
                return false;
            }
            MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, writeBuffer, 0, length);
            if (tap.write(writeBuffer, length)) {
                framesOut.incrementAndGet();
                return true;
            }
            droppedOut.incrementAndGet(); // the TAP is down, or its queue is full
            return false;
        } catch (IOException | IllegalStateException e) {
            droppedOut.incrementAndGet();
            if (!sendErrorLogged && !closed) {
                sendErrorLogged = true;
                log.warn("{}: a frame of {} bytes could not be written ({}); further failures are only counted", describe(), length, e.getMessage());
            }
            return false;
        } finally {
            frame.position(frame.limit());
        }
    }

    @Override public void setReceiver(FrameReceiver receiver) { inbound.receiver(receiver); }

    @Override public boolean linkUp() { return !closed; }

    @Override public void setLinkListener(LinkListener listener) { inbound.linkListener(listener); }

    @Override public int maxFrameSize() { return MAX_FRAME; }

    // ------------------------------------------------------------------ the receive thread

    private void readLoop() {
        try {
            while (!closed) {
                if (!tap.awaitReadable(stop, POLL_MS)) continue;
                List<byte[]> batch = new ArrayList<>();
                for (int n; batch.size() < MAX_BATCH && (n = tap.read()) > 0; )
                    batch.add(tap.readBuffer().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                if (!batch.isEmpty()) inbound.handOver(batch);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) log.error("{}: reading failed, the wire is dead: {}", describe(), e.toString());
        }
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        inbound.close();
        LoopReader r = loopReader;
        if (r != null) r.stop();
        stop.signal();
        if (reader.isAlive()) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tap.close();
        stop.close();
        arena.close();
    }

    @Override public String toString() { return describe(); }
}
