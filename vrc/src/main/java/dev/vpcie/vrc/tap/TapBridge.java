package dev.vpcie.vrc.tap;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.transport.InterfaceIoctl;
import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.FrameReceiver;
import dev.vpcie.vrc.nic.LinkListener;
import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.TxOffload;
import dev.vpcie.vrc.trace.VrcPoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the host a network interface backed by a NIC: a TAP interface with the NIC's MAC address,
 * its link as the TAP's carrier and its MTU, and frames moved both ways, all on the root
 * complex's loop: the loop watches the TAP's descriptor, and the bridge (one {@link AgentWork} of
 * the loop) reads what the kernel sent, up to {@value #BATCH} frames or {@value #BATCH_BYTES} bytes per
 * cycle (so the device's DMA reads, served on the same loop, are not kept waiting behind a burst of
 * 64 KiB TSO frames), queues them on the
 * NIC and rings the doorbell once per batch; frames the NIC receives are written to the TAP from
 * the driver's ring poll, on the same loop. Nothing waits: when the NIC's TX ring is full the
 * frame read last stays in the read buffer and the TAP is not watched until the ring has room
 * (the TX clean of the ring poll makes it, on the same loop; the bridge looks again each cycle).
 *
 * <p>With offloads the TAP carries virtio-net headers: the kernel sends TCP segments up to 64 KiB
 * and partial checksums, which become the NIC's TSO and checksum insertion; and the TCP segments
 * the NIC receives in one ring poll go to the kernel merged, as its GRO would ({@link TapGro}).
 *
 * <p>The bridge sets the address, MTU and carrier, and (unless told not to) brings the
 * interface administratively up. IP addresses and routes are left to the user
 * ({@code ip addr add 10.0.0.1/24 dev NAME}).
 */
public final class TapBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TapBridge.class);
    /** Frames taken from the TAP before the doorbell is rung. */
    private static final int BATCH = 64;
    /** Bytes taken from the TAP per cycle at most: a few TSO frames. */
    private static final int BATCH_BYTES = 256 * 1024;
    /** While the TX ring is full, how often the bridge looks again without an event. */
    private static final long FULL_RECHECK_NS = 1_000_000L;

    /**
     * @param offloads virtio-net headers with checksum and TSO offload to the NIC
     * @param bringUp  set the interface administratively up (IFF_UP)
     * @param gro      merge received TCP segments for the kernel ({@link TapGro}); needs offloads
     */
    public record Options(boolean offloads, boolean bringUp, boolean gro) {
        /** GRO whenever the offloads are on. */
        public Options(boolean offloads, boolean bringUp) { this(offloads, bringUp, offloads); }

        public static Options defaults() { return new Options(true, true); }
    }

    /**
     * Counters of both directions.
     *
     * @param toNicSegmented frames the kernel handed over for TSO (one 64 KiB segment counts once)
     * @param toNicChecksum  frames whose TCP/UDP checksum the NIC inserted
     * @param toTapFrames    frames the NIC received that reached the TAP (a merged run counts each)
     * @param toTapMerged    GRO runs written: frames of two segments or more
     * @param tapWriteDrops  received frames the TAP refused
     */
    public record Stats(long toNicFrames, long toNicBytes, long toNicSegmented, long toNicChecksum, long toTapFrames, long toTapBytes,
                        long toTapMerged, long tapWriteDrops, long nicFullWaits, long dropped) {}

    private final NicDriver driver;
    private final Tap tap;
    private final AgentLoop loop;
    private final Reader reader;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment writeBuffer;
    private final int headerBytes;
    /** Received frames on their way to the TAP, merged or not; null without GRO. Under tapLock. */
    private final TapGro gro;
    private final Object tapLock = new Object();
    private final LongAdder toNic = new LongAdder(), toNicBytes = new LongAdder(), toTap = new LongAdder(), toTapBytes = new LongAdder(),
            tapDrops = new LongAdder(), fullWaits = new LongAdder(), dropped = new LongAdder(), segmented = new LongAdder(),
            checksummed = new LongAdder(), merged = new LongAdder();
    private volatile LinkListener linkListener;
    private volatile boolean tapOpen = true;

    private TapBridge(NicDriver driver, Tap tap, AgentLoop loop, boolean gro) {
        this.driver = driver;
        this.tap = tap;
        this.loop = loop;
        this.reader = new Reader();
        this.headerBytes = tap.vnetHeader() ? Tap.VNET_HDR_SIZE : 0;
        boolean merge = gro && headerBytes > 0;
        this.writeBuffer = arena.allocate(Math.max(headerBytes + driver.maxFrameSize() + 4, merge ? TapGro.BUFFER_BYTES : 0), 64);
        this.gro = merge ? new TapGro(writeBuffer, this::writeTap) : null;
    }

    /** Creates the TAP {@code name} and starts bridging it to {@code driver}, on its root complex's loop. */
    public static TapBridge start(NicDriver driver, String name, Options options) throws IOException {
        return start(driver, name, options, driver.device().rootComplex().loop());
    }

    /** Like {@link #start(NicDriver, String, Options)} on a loop of the caller's choice (the driver's receiver then runs there too). */
    public static TapBridge start(NicDriver driver, String name, Options options, AgentLoop loop) throws IOException {
        Tap tap = Tap.create(name, options.offloads());
        TapBridge bridge = null;
        try {
            tap.setHardwareAddress(driver.macAddress());
            InterfaceIoctl.setMtu(tap.name(), driver.maxFrameSize() - 14);
            tap.setCarrier(driver.link().up());
            bridge = new TapBridge(driver, tap, loop, options.gro());
            TapBridge b = bridge;
            driver.onReceive(b.new Received());
            driver.onLinkChange(b::linkChanged);
            if (options.bringUp()) InterfaceIoctl.setUp(tap.name(), true);
            loop.add(bridge.reader);
            loop.watch(tap.fd());
            log.info("{} bridged to {} (offloads {}, GRO {})", tap.name(), driver, options.offloads() ? "on" : "off", bridge.gro != null ? "on" : "off");
            return bridge;
        } catch (IOException | RuntimeException e) {
            if (bridge != null) bridge.close();
            else tap.close();
            throw e;
        }
    }

    public String name() { return tap.name(); }

    public NicDriver driver() { return driver; }

    /**
     * Hears the NIC's link changes after the bridge has set the TAP's carrier (the bridge owns the
     * driver's link listener). Called at once with the present state, then on every change (on the
     * driver's poll thread).
     */
    public void onLinkChange(LinkListener listener) {
        this.linkListener = listener;
        if (listener != null) listener.linkChanged(driver.link());
    }

    public Stats stats() {
        return new Stats(toNic.sum(), toNicBytes.sum(), segmented.sum(), checksummed.sum(), toTap.sum(), toTapBytes.sum(), merged.sum(),
                tapDrops.sum(), fullWaits.sum(), dropped.sum());
    }

    // ---- NIC -> TAP, on the driver's ring poll (the loop) ----

    /** What the driver hands over: frames, and the end of each ring poll (where GRO's runs go out). */
    private final class Received implements FrameReceiver {
        @Override public void receive(ByteBuffer frame, int queue) { receive(frame, queue, false); }

        @Override public void receive(ByteBuffer frame, int queue, boolean l4ChecksumGood) {
            synchronized (tapLock) {
                if (!tapOpen) return;
                if (gro != null) {
                    gro.frame(frame, l4ChecksumGood);
                    return;
                }
                int length = frame.remaining();
                if (headerBytes > 0) VnetHeader.writeNone(writeBuffer, 0);
                MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, writeBuffer, headerBytes, length);
                writeTap(headerBytes + length, 1, length);
            }
        }

        @Override public void pollEnded(int queue) { flushMerged(); }
    }

    /** Sends GRO's open run, if any (takes tapLock: the link listener runs on another thread). */
    private void flushMerged() {
        if (gro == null) return;
        synchronized (tapLock) {
            if (tapOpen) gro.flush();
        }
    }

    /** Writes the write buffer's first {@code length} bytes, which hold {@code frames} received frames of {@code frameBytes}; under tapLock. */
    private void writeTap(int length, int frames, long frameBytes) {
        try {
            if (tap.write(writeBuffer, length)) {
                VrcPoint.TAP_OUT.mark();
                toTap.add(frames);
                toTapBytes.add(frameBytes);
                if (frames > 1) merged.increment();
            } else {
                tapDrops.add(frames);
            }
        } catch (IOException e) {
            tapDrops.add(frames);
            log.warn("{}: {}", tap.name(), e.getMessage());
        }
    }

    private void linkChanged(LinkState state) {
        synchronized (tapLock) {
            if (!tapOpen) return;
            try {
                tap.setCarrier(state.up());
            } catch (IOException e) {
                log.warn("{}: could not set the carrier: {}", tap.name(), e.getMessage());
            }
        }
        LinkListener l = linkListener;
        if (l != null) l.linkChanged(state);
    }

    // ---- TAP -> NIC, on the loop ----

    /** Reads the TAP (the loop polls its descriptor) and queues what it read on the NIC. All fields are the loop's. */
    private final class Reader implements AgentWork {
        private final MemorySegment buffer = tap.readBuffer();
        private final ByteBuffer view = buffer.asByteBuffer();
        /** Length of a frame read but not yet taken by the full TX ring (0: none). */
        private int held;
        private boolean watched = true;

        @Override public int doWork(long nowNs) {
            if (!tapOpen) return 0;
            int queued = 0;
            try {
                if (held > 0) {
                    if (!forward(held)) return 0; // still full
                    held = 0;
                    queued++;
                    watch(true);
                }
                int n;
                int bytes = 0;
                while (queued < BATCH && bytes < BATCH_BYTES && (n = tap.read()) > 0) {
                    VrcPoint.TAP_IN.mark();
                    bytes += n;
                    if (!forward(n)) {
                        held = n; // the ring is full: keep it, and stop listening until there is room
                        fullWaits.increment();
                        watch(false);
                        break;
                    }
                    queued++;
                }
            } catch (IOException e) {
                log.error("{}: reading the TAP failed, bridge stopped: {}", tap.name(), e.getMessage());
                tapOpen = false;
                watch(false);
            }
            if (queued > 0) {
                loop.stayAwake(); // the NIC fetches the frame by DMA next, then the answer comes: stay awake for both
                driver.flush();
            }
            return queued;
        }

        @Override public long nextDeadlineNs() { return held > 0 ? loop.nowNs() + FULL_RECHECK_NS : Long.MAX_VALUE; }

        private void watch(boolean on) {
            if (on == watched) return;
            watched = on;
            if (on) loop.watch(tap.fd());
            else loop.unwatch(tap.fd());
        }

        /** Queues the frame of {@code n} bytes in the read buffer; false when the ring is full (nothing queued). */
        private boolean forward(int n) {
            int length = n - headerBytes;
            TxOffload offload = TxOffload.NONE;
            try {
                if (length < 14) throw new IllegalArgumentException("frame of " + length + " bytes");
                if (headerBytes > 0) offload = VnetHeader.read(buffer, 0).offload(buffer, headerBytes, length);
                view.clear().position(headerBytes).limit(n);
                if (!driver.transmit(view, offload, true)) return false;
            } catch (IllegalArgumentException e) {
                dropped.increment();
                log.debug("{}: frame dropped: {}", tap.name(), e.getMessage());
                return true; // taken (and dropped): read the next one
            }
            toNic.increment();
            toNicBytes.add(length);
            switch (offload) {
                case TxOffload.Segmentation tso -> segmented.increment();
                case TxOffload.Checksum csum -> checksummed.increment();
                case TxOffload.None none -> { }
            }
            return true;
        }
    }

    /** Stops bridging and removes the TAP interface; the driver stays open (its owner closes it). */
    @Override public void close() {
        // Off the loop before the descriptor closes: the loop must not poll or read a closed fd.
        Runnable detach = () -> {
            loop.unwatch(tap.fd());
            loop.remove(reader);
        };
        if (loop.inLoop()) {
            detach.run();
        } else {
            try {
                loop.call(() -> {
                    detach.run();
                    return null;
                }).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("{}: loop gone before the bridge closed: {}", tap.name(), e.toString());
            }
        }
        driver.onReceive(null);
        driver.onLinkChange(null);
        synchronized (tapLock) {
            if (gro != null) gro.flush();
            tapOpen = false;
            tap.close();
        }
        arena.close();
    }
}
