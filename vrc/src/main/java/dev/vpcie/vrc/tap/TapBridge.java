package dev.vpcie.vrc.tap;

import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.InterfaceIoctl;
import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.LinkListener;
import dev.vpcie.vrc.nic.LinkState;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.TxOffload;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the host a network interface backed by a NIC: a TAP interface with the NIC's MAC address,
 * its link as the TAP's carrier and its MTU, and frames moved both ways. Frames the kernel sends
 * on the TAP are read by the bridge's thread (poll on the TAP and an eventfd to stop it) and
 * queued on the NIC in batches with one doorbell per batch; frames the NIC receives are written
 * to the TAP from the driver's poll thread.
 *
 * <p>With offloads the TAP carries virtio-net headers: the kernel sends TCP segments up to 64 KiB
 * and partial checksums, which become the NIC's TSO and checksum insertion.
 *
 * <p>The bridge sets the address, MTU and carrier, and (unless told not to) brings the
 * interface administratively up. IP addresses and routes are left to the user
 * ({@code ip addr add 10.0.0.1/24 dev NAME}).
 */
public final class TapBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TapBridge.class);
    /** Frames taken from the TAP before the doorbell is rung. */
    private static final int BATCH = 64;
    private static final int POLL_MILLIS = 1000;

    /**
     * @param offloads virtio-net headers with checksum and TSO offload to the NIC
     * @param bringUp  set the interface administratively up (IFF_UP)
     */
    public record Options(boolean offloads, boolean bringUp) {
        public static Options defaults() { return new Options(true, true); }
    }

    /**
     * Counters of both directions.
     *
     * @param toNicSegmented frames the kernel handed over for TSO (one 64 KiB segment counts once)
     * @param toNicChecksum  frames whose TCP/UDP checksum the NIC inserted
     */
    public record Stats(long toNicFrames, long toNicBytes, long toNicSegmented, long toNicChecksum, long toTapFrames, long toTapBytes,
                        long tapWriteDrops, long nicFullWaits, long dropped) {}

    private final NicDriver driver;
    private final Tap tap;
    private final EventFd wakeup;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment writeBuffer;
    private final int headerBytes;
    private final Object tapLock = new Object();
    private final LongAdder toNic = new LongAdder(), toNicBytes = new LongAdder(), toTap = new LongAdder(), toTapBytes = new LongAdder(),
            tapDrops = new LongAdder(), fullWaits = new LongAdder(), dropped = new LongAdder(), segmented = new LongAdder(),
            checksummed = new LongAdder();
    private volatile LinkListener linkListener;
    private volatile boolean running = true;
    private volatile boolean tapOpen = true;
    private Thread thread;

    private TapBridge(NicDriver driver, Tap tap, EventFd wakeup) {
        this.driver = driver;
        this.tap = tap;
        this.wakeup = wakeup;
        this.headerBytes = tap.vnetHeader() ? Tap.VNET_HDR_SIZE : 0;
        this.writeBuffer = arena.allocate(headerBytes + driver.maxFrameSize() + 4, 64);
    }

    /** Creates the TAP {@code name} and starts bridging it to {@code driver}. */
    public static TapBridge start(NicDriver driver, String name, Options options) throws IOException {
        Tap tap = Tap.create(name, options.offloads());
        EventFd wakeup = null;
        TapBridge bridge = null;
        try {
            wakeup = EventFd.open();
            tap.setHardwareAddress(driver.macAddress());
            InterfaceIoctl.setMtu(tap.name(), driver.maxFrameSize() - 14);
            tap.setCarrier(driver.link().up());
            bridge = new TapBridge(driver, tap, wakeup);
            TapBridge b = bridge;
            driver.onReceive(b::toTap);
            driver.onLinkChange(b::linkChanged);
            if (options.bringUp()) InterfaceIoctl.setUp(tap.name(), true);
            bridge.thread = Thread.ofPlatform().daemon().name("tap-" + tap.name()).start(bridge::run);
            log.info("{} bridged to {} (offloads {})", tap.name(), driver, options.offloads() ? "on" : "off");
            return bridge;
        } catch (IOException | RuntimeException e) {
            if (bridge != null) bridge.close();
            else {
                tap.close();
                if (wakeup != null) wakeup.close();
            }
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
        return new Stats(toNic.sum(), toNicBytes.sum(), segmented.sum(), checksummed.sum(), toTap.sum(), toTapBytes.sum(), tapDrops.sum(),
                fullWaits.sum(), dropped.sum());
    }

    // ---- NIC -> TAP, on the driver's poll thread ----

    private void toTap(ByteBuffer frame, int queue) {
        int length = frame.remaining();
        synchronized (tapLock) {
            if (!tapOpen) return;
            if (headerBytes > 0) VnetHeader.writeNone(writeBuffer, 0);
            MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, writeBuffer, headerBytes, length);
            try {
                if (tap.write(writeBuffer, headerBytes + length)) {
                    toTap.increment();
                    toTapBytes.add(length);
                } else {
                    tapDrops.increment();
                }
            } catch (IOException e) {
                tapDrops.increment();
                log.warn("{}: {}", tap.name(), e.getMessage());
            }
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

    // ---- TAP -> NIC, on the bridge's thread ----

    private void run() {
        MemorySegment buffer = tap.readBuffer();
        ByteBuffer view = buffer.asByteBuffer();
        try {
            while (running) {
                if (!tap.awaitReadable(wakeup, POLL_MILLIS)) continue;
                int queued = 0, n;
                while (running && queued < BATCH && (n = tap.read()) > 0) {
                    if (forward(buffer, view, n)) queued++;
                }
                if (queued > 0) driver.flush();
            }
        } catch (IOException | RuntimeException e) {
            if (running) log.error("{}: bridge stopped: {}", tap.name(), e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean forward(MemorySegment buffer, ByteBuffer view, int n) throws InterruptedException {
        int length = n - headerBytes;
        TxOffload offload = TxOffload.NONE;
        try {
            if (length < 14) throw new IllegalArgumentException("frame of " + length + " bytes");
            if (headerBytes > 0) offload = VnetHeader.read(buffer, 0).offload(buffer, headerBytes, length);
        } catch (IllegalArgumentException e) {
            dropped.increment();
            log.debug("{}: frame dropped: {}", tap.name(), e.getMessage());
            return false;
        }
        view.clear().position(headerBytes).limit(n);
        while (running) {
            try {
                if (driver.transmit(view, offload, true)) {
                    toNic.increment();
                    toNicBytes.add(length);
                    switch (offload) {
                        case TxOffload.Segmentation tso -> segmented.increment();
                        case TxOffload.Checksum csum -> checksummed.increment();
                        case TxOffload.None none -> { }
                    }
                    return true;
                }
            } catch (IllegalArgumentException e) {
                dropped.increment();
                log.debug("{}: frame refused by the driver: {}", tap.name(), e.getMessage());
                return false;
            }
            fullWaits.increment();
            driver.flush();
            driver.awaitTxSpace(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return false;
    }

    /** Stops bridging and removes the TAP interface; the driver stays open (its owner closes it). */
    @Override public void close() {
        running = false;
        wakeup.signal();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        driver.onReceive(null);
        driver.onLinkChange(null);
        synchronized (tapLock) {
            tapOpen = false;
            tap.close();
        }
        wakeup.close();
        arena.close();
    }
}
