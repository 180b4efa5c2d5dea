package dev.vpcie.vrc.mpqemu;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.vrc.Access;
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
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>Threads: the root complex's loop serves the socket (it watches the descriptor and reads
 * without waiting), answers BAR reads when their completions arrive, posts BAR writes, raises the
 * irqfd when the function asserts INTx and watches the resamplefd: the guest's MMIO is data path
 * and takes no hand-off. Configuration requests, I/O BAR accesses, DEVICE_RESET and SYNC_SYSMEM
 * run on one control thread beside it, because they block (a round trip through the loop, or
 * mapping guest RAM) and the loop must not. QEMU waits for each reply, so while one request is
 * served the loop reads no next one, and requests stay in order. A malformed message is counted
 * and dropped, and if QEMU waits for a reply it gets all-ones, so its vCPU never hangs on the bridge.
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
    private final AgentLoop loop;
    /** The slow path's one thread (see the class comment): it blocks, so the loop does not. */
    private final ExecutorService control;
    private final Serve serve = new Serve();
    private List<DmaWindows.Mapping> windows = List.of();
    /** The loop's: QEMU's interrupt line, once it sent one. */
    private IrqFd irq;
    /** The loop's: a request is being answered, so the socket is not read (QEMU waits for each reply). */
    private boolean inService;
    /** The loop's: the connection ended; nothing more is read or answered. */
    private boolean ended;
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
        this.loop = device.rootComplex().loop();
        this.control = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("mpqemu-control-" + device.name()).factory());
        loop.add(serve);
        loop.watch(socket.fd());
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

    // ---- the socket (on the loop) ----

    /** The bridge's work on the loop: the resamplefd, then the socket when no request is in service. */
    private final class Serve implements AgentWork {
        @Override public int doWork(long nowNs) {
            if (ended) return 0;
            int work = 0;
            try {
                if (irq != null && irq.pollResample()) {
                    work++;
                    resampled();
                }
                if (inService) return work;
                MpqemuMessage m;
                try {
                    m = channel.poll();
                } catch (MalformedMessageException e) {
                    refuse(e.command(), e.getMessage());
                    return work + 1;
                }
                if (m != null) {
                    handle(m);
                    return work + 1;
                }
                if (channel.ended()) {
                    log.info("{}: QEMU closed the proxy connection", device.name());
                    end();
                }
            } catch (IOException e) {
                if (!closing) log.error("{}: proxy connection failed; the guest reads all-ones from now on", device.name(), e);
                end();
            } catch (RuntimeException e) {
                log.error("{}: bridge stopped", device.name(), e);
                end();
            }
            return work;
        }
    }

    /** The connection is over: QEMU sees end of stream, so its accesses read all-ones and none hangs. */
    private void end() {
        if (ended) return;
        ended = true;
        loop.unwatch(channel.socket().fd());
        IrqFd f = irq;
        if (f != null) loop.unwatch(f.resampleFd());
        channel.socket().shutdown();
        disconnected.countDown();
    }

    private void handle(MpqemuMessage m) throws IOException {
        switch (m) {
            case PciConfigRead r -> slow(() -> {
                increment(BridgeCounter.CONFIG_READ);
                return guarded(() -> config.read(r.address(), r.length()) & 0xFFFF_FFFFL, r.length());
            }, true);
            case PciConfigWrite w -> slow(() -> {
                increment(BridgeCounter.CONFIG_WRITE);
                guarded(() -> {
                    config.write(w.address(), w.length(), w.value());
                    return 0L;
                }, 4);
                return 0L; // QEMU's reply to a write carries no value
            }, true);
            case BarRead r -> {
                increment(BridgeCounter.BAR_READ);
                barRead(r);
            }
            case BarWrite w -> {
                increment(BridgeCounter.BAR_WRITE);
                channel.reply(0); // posted: the vCPU goes on while the write travels
                barWrite(w);
            }
            case SyncSysmem s -> slow(() -> {
                syncSysmem(s);
                return 0L;
            }, false);
            case SetIrqFd s -> setIrqFd(new IrqFd(s.irqfd(), s.resamplefd()));
            case DeviceReset d -> slow(() -> {
                increment(BridgeCounter.DEVICE_RESET);
                guarded(() -> {
                    functionReset.reset();
                    config.reset();
                    return 0L;
                }, 8);
                return 0L;
            }, true);
            case Ret r -> refuse(null, "RET 0x" + Long.toHexString(r.value()) + " without a request (QEMU sends none to a remote)");
        }
    }

    /**
     * Runs a request that blocks on the control thread; the loop reads nothing more until it is
     * done (and answered, when {@code reply}).
     */
    private void slow(Callable<Long> work, boolean reply) {
        inService = true;
        control.execute(() -> {
            try {
                long value = work.call();
                if (reply) channel.reply(value);
            } catch (Exception e) {
                if (!closing) log.error("{}: answering QEMU failed", device.name(), e);
            } finally {
                loop.execute(() -> inService = false);
            }
        });
    }

    /** Answers the read in service, on the loop, and lets the next request in. */
    private void answer(long value) {
        inService = false;
        if (ended) return;
        try {
            channel.reply(value);
        } catch (IOException e) {
            if (!closing) log.error("{}: answering QEMU failed", device.name(), e);
            end();
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

    /** A memory BAR is read without waiting (answered when the completion arrives); an I/O BAR on the control thread. */
    private void barRead(BarRead r) {
        ProxyConfigSpace.Hit hit = config.decode(r.address(), r.size(), r.memory());
        if (hit == null) {
            unmatched(r.address(), r.size(), r.memory(), "read");
            answer(allOnes(r.size()));
            return;
        }
        int bar = hit.bar().remote().index();
        if (!hit.bar().remote().isMemory()) {
            slow(() -> guarded(() -> ioRead(bar, hit.offset(), r.size()), r.size()), true);
            return;
        }
        inService = true;
        if (!splitNeeded(hit.offset(), r.size())) {
            // A failed read gives the guest all-ones, as hardware does; the root complex counted it.
            device.mmioReadAsync(bar, hit.offset(), r.size())
                    .whenComplete((a, failure) -> answer(failure == null ? a.value() : allOnes(r.size())));
        } else {
            readBytes(bar, hit.offset(), r.size(), 0, 0);
        }
    }

    /** An unaligned read, byte by byte, one after the other: byte {@code i} on, {@code value} holding those before. */
    private void readBytes(int bar, long offset, int size, int i, long value) {
        if (i == size) {
            answer(value);
            return;
        }
        device.mmioReadAsync(bar, offset + i, 1).whenComplete((Access a, Throwable failure) -> {
            long b = failure == null ? a.value() & 0xFF : 0xFF;
            readBytes(bar, offset, size, i + 1, value | b << (8 * i));
        });
    }

    /** Control thread: an I/O BAR read (non-posted, blocking). */
    private long ioRead(int bar, long offset, int size) {
        if (!splitNeeded(offset, size)) return device.mmioRead(bar, offset, size).value();
        long value = 0;
        for (int i = 0; i < size; i++) value |= (device.mmioRead(bar, offset + i, 1).value() & 0xFF) << (8 * i);
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
        if (hit.bar().remote().isMemory()) write(bar, hit.offset(), w.size(), value); // posted: the loop goes on
        else slow(() -> guarded(() -> {
            write(bar, hit.offset(), w.size(), value); // I/O writes are non-posted: they wait for their completion
            return 0L;
        }, 8), false);
    }

    private void write(int bar, long offset, int size, long value) {
        if (!splitNeeded(offset, size)) {
            device.mmioWrite(bar, offset, size, value);
            return;
        }
        for (int i = 0; i < size; i++) device.mmioWrite(bar, offset + i, 1, value >>> (8 * i) & 0xFF);
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

    /** The loop (the root complex's interrupt delivery): the function asserted INTx. */
    private void raiseIntx() {
        IrqFd f = irq;
        if (f == null) return;
        try {
            increment(BridgeCounter.INTX_TRIGGER); // before: whoever sees the line raised sees it counted
            f.trigger();
        } catch (IOException e) {
            log.error("{}: raising INTx on the irqfd failed", device.name(), e);
        }
    }

    /** The loop: QEMU's irqfd pair replaces the one before; the loop watches its resamplefd. */
    private void setIrqFd(IrqFd next) {
        increment(BridgeCounter.SET_IRQFD);
        IrqFd old = irq;
        if (old != null) {
            loop.unwatch(old.resampleFd());
            old.close();
        }
        irq = next;
        loop.watch(next.resampleFd());
        if (device.intxAsserted()) raiseIntx();
    }

    /** The loop: the guest ended the interrupt; a function that still asserts INTx raises it again. */
    private void resampled() throws IOException {
        increment(BridgeCounter.INTX_RESAMPLE);
        if (device.intxAsserted() && device.interruptMode() == PcieDevice.InterruptMode.INTX) {
            increment(BridgeCounter.INTX_REASSERT); // before: whoever sees the line raised sees it counted
            irq.trigger();
        }
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
        control.shutdown();
        try {
            if (!control.awaitTermination(10, TimeUnit.SECONDS)) log.warn("{}: a slow request did not end in 10 s", device.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            loop.call(() -> {
                end();
                loop.remove(serve);
                IrqFd f = irq;
                irq = null;
                if (f != null) f.close();
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | IllegalStateException e) {
            log.debug("{}: the root complex's loop is gone; closing without it", device.name());
            IrqFd f = irq;
            if (f != null) f.close();
            disconnected.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        device.onInterrupt(INTX_VECTOR, null);
        for (DmaWindows.Mapping m : windows) device.unmapDma(m);
        windows = List.of();
        device.rootComplex().dmaMemory(device.bdf(), null);
        guestRam.close();
        channel.close();
    }
}
