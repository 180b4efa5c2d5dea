package dev.vpcie.vrc.mpqemu;

import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.vrc.DmaWindows;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.Window;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarRead;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.BarWrite;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.DeviceReset;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.PciConfigRead;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.PciConfigWrite;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.Ret;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.SetIrqFd;
import dev.vpcie.vrc.mpqemu.MpqemuMessage.SyncSysmem;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves QEMU's multi-process protocol for one remote function, so that a VM's unmodified
 * driver drives it through {@code -device x-pci-proxy-dev,fd=N} (one bridge per device).
 *
 * <ul>
 *   <li>Configuration reads and writes go to the function through the root complex, as
 *       {@link ProxyConfigSpace} presents it: 256 bytes, 32-bit BARs holding the guest's
 *       addresses, no MSI/MSI-X.</li>
 *   <li>BAR reads become MMIO (or I/O) reads of the function, one round trip each. BAR writes
 *       are acknowledged at once and then forwarded as posted writes; the next request is
 *       read only after that, so reads stay ordered behind writes.</li>
 *   <li>Every SYNC_SYSMEM is mapped ({@link GuestRam}, the previous mapping released) and
 *       becomes the function's DMA memory; its DMA windows are exactly the guest's RAM.</li>
 *   <li>The function's INTx (Assert_INTx) raises the irqfd; when the guest ends the interrupt
 *       (resamplefd) and the function still asserts, the line is raised again.</li>
 *   <li>DEVICE_RESET resets the function ({@link FunctionReset}).</li>
 * </ul>
 *
 * <p>Threads: one serves the socket; one waits on the resamplefd once QEMU sent it; the root
 * complex's interrupt thread raises the irqfd. A malformed message is counted and dropped,
 * and if QEMU waits for a reply it gets all-ones, so its vCPU never hangs on the bridge.
 */
public final class MpqemuBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MpqemuBridge.class);
    private static final int INTX_VECTOR = 0;

    /** @param flrSettle how long to leave a function alone after initiating FLR (PCI Express: 100 ms) */
    public record Options(Duration flrSettle) {
        public static Options defaults() { return new Options(Duration.ofMillis(100)); }
    }

    private final PcieDevice device;
    private final MpqemuChannel channel;
    private final ProxyConfigSpace config;
    private final GuestRam guestRam = new GuestRam();
    private final FunctionReset functionReset;
    private final AtomicLongArray counts = new AtomicLongArray(BridgeCounter.values().length);
    private final AtomicLongArray warned = new AtomicLongArray(BridgeCounter.values().length);
    private final CountDownLatch disconnected = new CountDownLatch(1);
    private final Thread server;
    private List<DmaWindows.Mapping> windows = List.of();
    private volatile IrqFd irq;
    private EventFd resampleWake;
    private Thread resampler;
    private volatile boolean closing;

    private MpqemuBridge(PcieDevice device, UnixSocket socket, Options options) {
        this.device = device;
        this.channel = new MpqemuChannel(socket);
        this.config = new ProxyConfigSpace(ConfigPort.of(device), device.bars(), device.capabilities(), device.interruptPin(),
                device.maxPayloadSize());
        this.functionReset = new FunctionReset(device, options.flrSettle());
        device.rootComplex().dmaMemory(device.bdf(), guestRam);
        if (device.interruptPin() != 0) {
            device.enableIntx();
            device.onInterrupt(INTX_VECTOR, this::raiseIntx);
        }
        this.server = Thread.ofPlatform().daemon().name("mpqemu-" + device.name()).start(this::serve);
    }

    /** Starts serving {@code socket} (the other end goes to QEMU) for {@code device}. */
    public static MpqemuBridge start(PcieDevice device, UnixSocket socket) { return start(device, socket, Options.defaults()); }

    public static MpqemuBridge start(PcieDevice device, UnixSocket socket, Options options) {
        return new MpqemuBridge(device, socket, options);
    }

    public PcieDevice device() { return device; }

    public ProxyConfigSpace configSpace() { return config; }

    public GuestRam guestRam() { return guestRam; }

    public long count(BridgeCounter c) { return counts.get(c.ordinal()); }

    public Map<BridgeCounter, Long> counters() {
        Map<BridgeCounter, Long> out = new EnumMap<>(BridgeCounter.class);
        for (BridgeCounter c : BridgeCounter.values()) out.put(c, count(c));
        return out;
    }

    /** True until QEMU closed its end (or the bridge was closed). */
    public boolean connected() { return disconnected.getCount() > 0; }

    /** Waits for QEMU to close its end; false on timeout. */
    public boolean awaitDisconnect(Duration timeout) throws InterruptedException {
        return disconnected.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---- the socket ----

    private void serve() {
        try {
            while (true) {
                MpqemuMessage m;
                try {
                    m = channel.receive();
                } catch (MalformedMessageException e) {
                    refuse(e.command(), e.getMessage());
                    continue;
                }
                if (m == null) break;
                handle(m);
            }
            log.info("{}: QEMU closed the proxy connection", device.name());
        } catch (IOException e) {
            if (!closing) log.error("{}: proxy connection failed; the guest reads all-ones from now on", device.name(), e);
        } catch (RuntimeException | Error e) {
            log.error("{}: bridge stopped", device.name(), e);
        } finally {
            channel.socket().shutdown(); // QEMU sees end of stream: its accesses read all-ones, none hangs
            disconnected.countDown();
        }
    }

    private void handle(MpqemuMessage m) throws IOException {
        switch (m) {
            case PciConfigRead r -> {
                increment(BridgeCounter.CONFIG_READ);
                channel.reply(guarded(() -> config.read(r.address(), r.length()) & 0xFFFF_FFFFL, r.length()));
            }
            case PciConfigWrite w -> {
                increment(BridgeCounter.CONFIG_WRITE);
                guarded(() -> {
                    config.write(w.address(), w.length(), w.value());
                    return 0L;
                }, 4);
                channel.reply(0);
            }
            case BarRead r -> {
                increment(BridgeCounter.BAR_READ);
                channel.reply(guarded(() -> barRead(r), r.size()));
            }
            case BarWrite w -> {
                increment(BridgeCounter.BAR_WRITE);
                channel.reply(0); // posted: the vCPU goes on while the write travels
                guarded(() -> {
                    barWrite(w);
                    return 0L;
                }, 8);
            }
            case SyncSysmem s -> syncSysmem(s);
            case SetIrqFd s -> setIrqFd(new IrqFd(s.irqfd(), s.resamplefd()));
            case DeviceReset d -> {
                increment(BridgeCounter.DEVICE_RESET);
                guarded(() -> {
                    functionReset.reset();
                    config.reset();
                    return 0L;
                }, 8);
                channel.reply(0);
            }
            case Ret r -> refuse(null, "RET 0x" + Long.toHexString(r.value()) + " without a request (QEMU sends none to a remote)");
        }
    }

    @FunctionalInterface private interface Work { long run(); }

    /** Runs one request's work; a failure is logged and reads as all-ones, so QEMU still gets its reply. */
    private long guarded(Work work, int width) {
        try {
            return work.run();
        } catch (RuntimeException e) {
            log.error("{}: request failed; answered with all-ones", device.name(), e);
            return allOnes(width);
        }
    }

    private void refuse(Command command, String why) throws IOException {
        increment(BridgeCounter.MALFORMED);
        warnRarely(BridgeCounter.MALFORMED, "{}: dropped: {}", device.name(), why);
        if (command != null && command.expectsReply) channel.reply(-1L);
    }

    // ---- BARs ----

    private long barRead(BarRead r) {
        ProxyConfigSpace.Hit hit = config.decode(r.address(), r.size(), r.memory());
        if (hit == null) {
            unmatched(r.address(), r.size(), r.memory(), "read");
            return allOnes(r.size());
        }
        int bar = hit.bar().remote().index();
        // A failed read gives the guest all-ones, as hardware does; the root complex counted it.
        if (!splitNeeded(hit.offset(), r.size())) return device.mmioRead(bar, hit.offset(), r.size()).value();
        long value = 0;
        for (int i = 0; i < r.size(); i++) value |= (device.mmioRead(bar, hit.offset() + i, 1).value() & 0xFF) << (8 * i);
        return value;
    }

    private void barWrite(BarWrite w) {
        ProxyConfigSpace.Hit hit = config.decode(w.address(), w.size(), w.memory());
        if (hit == null) {
            unmatched(w.address(), w.size(), w.memory(), "write");
            return;
        }
        int bar = hit.bar().remote().index();
        long value = w.size() == 8 ? w.value() : w.value() & allOnes(w.size());
        if (!splitNeeded(hit.offset(), w.size())) {
            device.mmioWrite(bar, hit.offset(), w.size(), value);
            return;
        }
        for (int i = 0; i < w.size(); i++) device.mmioWrite(bar, hit.offset() + i, 1, value >>> (8 * i) & 0xFF);
    }

    /** Unaligned accesses (which may cross a DW or 4 KiB boundary) go byte by byte. */
    private static boolean splitNeeded(long offset, int size) { return offset % size != 0; }

    private void unmatched(long address, int size, boolean memory, String what) {
        increment(BridgeCounter.BAR_UNMATCHED);
        warnRarely(BridgeCounter.BAR_UNMATCHED, "{}: {}-byte {} {} at 0x{} hits no BAR", device.name(), size, memory ? "memory" : "I/O",
                what, Long.toHexString(address));
    }

    // ---- guest RAM ----

    private void syncSysmem(SyncSysmem s) {
        increment(BridgeCounter.SYNC_SYSMEM);
        try {
            guestRam.replace(s.regions());
        } catch (IOException | RuntimeException e) {
            increment(BridgeCounter.SYNC_SYSMEM_FAILED);
            log.error("{}: guest RAM layout not mapped; keeping the previous one", device.name(), e);
            return;
        }
        List<DmaWindows.Mapping> next = new ArrayList<>();
        for (Window w : guestRam.sections()) next.add(device.mapDma(w.base(), w.size()));
        for (DmaWindows.Mapping old : windows) device.unmapDma(old);
        windows = next;
        log.debug("{}: guest RAM {}", device.name(), guestRam.sections());
    }

    // ---- interrupts ----

    /** Root complex interrupt thread: the function asserted INTx. */
    private void raiseIntx() {
        IrqFd f = irq;
        if (f == null) return;
        try {
            f.trigger();
            increment(BridgeCounter.INTX_TRIGGER);
        } catch (IOException e) {
            log.error("{}: raising INTx on the irqfd failed", device.name(), e);
        }
    }

    private void setIrqFd(IrqFd next) throws IOException {
        increment(BridgeCounter.SET_IRQFD);
        stopResampler();
        IrqFd old = irq;
        irq = next;
        if (old != null) old.close();
        resampleWake = EventFd.open();
        EventFd wake = resampleWake;
        resampler = Thread.ofPlatform().daemon().name("mpqemu-resample-" + device.name()).start(() -> resample(next, wake));
        if (device.intxAsserted()) raiseIntx();
    }

    private void resample(IrqFd f, EventFd wake) {
        try {
            while (f.awaitResample(wake.fd())) {
                increment(BridgeCounter.INTX_RESAMPLE);
                if (device.intxAsserted() && device.interruptMode() == PcieDevice.InterruptMode.INTX) {
                    f.trigger();
                    increment(BridgeCounter.INTX_REASSERT);
                }
            }
        } catch (IOException e) {
            if (!closing) log.error("{}: resamplefd failed; INTx is no longer re-raised", device.name(), e);
        }
    }

    private void stopResampler() {
        if (resampler == null) return;
        resampleWake.signal();
        try {
            resampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resampleWake.close();
        resampler = null;
    }

    // ---- helpers ----

    private void increment(BridgeCounter c) { counts.incrementAndGet(c.ordinal()); }

    /** The first ten of a kind, then one in 1024, so a guest hammering a bad address cannot flood the log. */
    private void warnRarely(BridgeCounter c, String format, Object... args) {
        long n = warned.incrementAndGet(c.ordinal());
        if (n <= 10 || n % 1024 == 0) log.warn(format, args);
    }

    private static long allOnes(int width) { return width >= 8 ? -1L : (1L << (8 * width)) - 1; }

    /**
     * Disconnects QEMU (its next access reads all-ones), stops the threads, releases guest RAM
     * and gives the function back its host-memory DMA and interrupt handler.
     */
    @Override public void close() {
        closing = true;
        channel.socket().shutdown();
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopResampler();
        IrqFd f = irq;
        irq = null;
        if (f != null) f.close();
        device.onInterrupt(INTX_VECTOR, null);
        for (DmaWindows.Mapping m : windows) device.unmapDma(m);
        windows = List.of();
        device.rootComplex().dmaMemory(device.bdf(), null);
        guestRam.close();
        channel.close();
    }
}
