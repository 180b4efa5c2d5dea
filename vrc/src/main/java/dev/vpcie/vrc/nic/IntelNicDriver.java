package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.HotPlugListener;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.PcieDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the e1000 and igb drivers share: rings, the transmit path with back-pressure, the ring
 * poll that services interrupts (the driver's NAPI), the watchdog (link, statistics, lost
 * interrupts, TX hang, lost configuration), link listeners, statistics, reset and close. The
 * chip-specific steps are the abstract methods, called in the order the Linux drivers use.
 *
 * <p>Threads: the ring poll runs on the root complex's loop ({@link RootComplex#loop}) as one
 * {@link AgentWork}: an interrupt handler (on the loop too) marks its vector, and the next cycle
 * runs {@link #service}, which cleans TX and RX from descriptor write-back in host memory, hands
 * frames to the receiver and re-arms with posted writes, within a budget per cycle; it never
 * waits (a cause register it must read is read with {@link #readAsync}, whose answer continues
 * on the loop). Everything slow (bring-up, link checks over MDIC, the watchdog, reset,
 * statistics) runs on the driver's control thread, woken by requests from the ring poll and by
 * the watchdog deadline; while it resets, the ring poll is paused. The TX ring is shared with
 * the caller of {@link #transmit} under the TX lock.
 */
public abstract class IntelNicDriver implements NicDriver {
    protected static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);
    /** Frames taken from one RX queue per service round before other work gets a turn (NAPI weight). */
    public static final int RX_BUDGET = 64;
    private static final long CLOSE_TIMEOUT_NS = 5_000_000_000L;
    /** More vectors than either chip has (the 82576 has 10 MSI-X vectors). */
    protected static final int MAX_VECTORS = 32;

    protected final PcieDevice device;
    protected final Mmio mmio;
    protected final NicOptions options;
    private final String chip;
    private final RingLayout layout;
    protected MacAddress mac = new MacAddress(0);

    /** The transmit path (null before bring-up and after close). */
    private volatile TxPath tx;
    private RxRing[] rx = new RxRing[0];

    private volatile boolean promiscuous;
    private volatile LinkState link = LinkState.DOWN;
    private volatile LinkListener linkListener;
    private volatile FrameReceiver receiver;
    private final Object linkMonitor = new Object();

    private final AgentLoop loop;
    private final RingPoll ringPoll;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean linkCheckRequested, resetRequested;
    /** Why an access from the ring poll failed (the control thread takes the NIC as unreachable), or null. */
    private volatile String unreachableReason;
    private final long busyPollNs;
    private volatile boolean unreachable;
    /** Why the device was removed by surprise (news for the control thread), or null. */
    private volatile String removalNews;
    /** The device came back after a surprise removal (news for the control thread). */
    private volatile boolean insertionNews;
    /** Between a surprise removal and the re-initialisation after the hot insertion: the control thread leaves the NIC alone. */
    private volatile boolean removed;
    private long nextWatchdog;

    private final LongAdder interrupts = new LongAdder(), linkChanges = new LongAdder(), resets = new LongAdder(), txKicks = new LongAdder();
    private final Map<HwStat, Long> hardware = new EnumMap<>(HwStat.class);

    protected IntelNicDriver(PcieDevice device, String chip, RingLayout layout, NicOptions options) {
        this.device = device;
        this.chip = chip;
        this.layout = layout;
        this.options = options;
        this.mmio = new Mmio(device, 0);
        this.promiscuous = options.promiscuous();
        this.busyPollNs = options.busyPoll().toNanos();
        this.loop = device.rootComplex().loop();
        this.ringPoll = new RingPoll(new RingPoll.Rings() {
            @Override public long service(long vectors) { return IntelNicDriver.this.service(vectors); }

            @Override public boolean busyPoll() { return IntelNicDriver.this.busyPoll(); }

            @Override public boolean ready() { return !unreachable && tx != null; }
        }, device.name(), busyPollNs);
    }

    // ---- chip-specific steps ----

    /** Reset, NVM/EEPROM check, MAC address, PHY and link set-up: everything before the rings exist. */
    protected abstract void probe();

    /** Programs the rings, receive and transmit control (after probe and after every reset). */
    protected abstract void configure();

    /** Chooses the PCI interrupt mechanism and installs handlers (once, before the first {@link #configure}). */
    protected abstract void setupInterrupts();

    /**
     * Programs the chip's interrupt registers and unmasks (after configure), and arranges for
     * the link to be read: by an LSC interrupt (e1000) or a link check request (igb).
     */
    protected abstract void enableInterrupts();

    /** Masks every interrupt cause in the chip. */
    protected abstract void disableInterrupts();

    /**
     * Services the vectors that fired (bit n for vector n), on the root complex's loop and without
     * waiting: cleans TX and RX with {@link #cleanTx} and {@link #cleanRx}, reads causes where the
     * mode needs it with {@link #readAsync}, re-arms with posted writes. Returns the vectors that
     * still have work (left masked; they are serviced again next cycle).
     */
    protected abstract long service(long vectors);

    /** Reads the link from the PHY and STATUS. */
    protected abstract LinkState readLink();

    /** Called on the poll thread when the link comes up (the e1000 enables its transmitter here). */
    protected void linkCameUp(LinkState state) {}

    /** The watchdog's lost-interrupt insurance: makes the NIC raise an interrupt (ICS/EICS). */
    protected abstract void kick();

    protected abstract void txDoorbell(int tail);

    protected abstract void rxDoorbell(int queue, int tail);

    /** Global reset and hardware init (RAR, MTA, PHY, link), as after a TX hang. */
    protected abstract void resetHardware();

    /** True when the NIC lost its set-up (for example it was reset behind the driver's back). */
    protected abstract boolean configurationLost();

    /** Stops RX and TX, resets the chip and powers the PHY down. */
    protected abstract void shutdown();

    protected abstract void applyRxMode(boolean promiscuous);

    // ---- bring-up ----

    /** Runs the whole bring-up; on failure everything acquired so far is released. */
    protected final void open() {
        try {
            enableDevice();
            probe();
            tx = new TxPath(new TxRing(device, options.txDescriptors(), layout.txBufferSize(), layout.tx()), this::txDoorbell,
                    options.maxFrameSize(), chip);
            rx = new RxRing[rxQueues()];
            for (int q = 0; q < rx.length; q++)
                rx[q] = new RxRing(device, q, options.rxDescriptors(), layout.rxBufferSize(), layout.rxCrcBytes(), options.maxFrameSize(), layout.rx());
            setupInterrupts();
            configure();
            enableInterrupts();
            tx.start();
            running = true;
            thread = Thread.ofPlatform().daemon().name("nic-" + device.name()).start(this::run);
            loop.add(ringPoll);
            device.onHotPlug(new HotPlugListener() {
                @Override public void removed(String reason) {
                    removalNews = reason;
                    LockSupport.unpark(thread);
                }

                @Override public void inserted() {
                    insertionNews = true;
                    LockSupport.unpark(thread);
                }
            });
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        awaitLink(options.linkWait().toNanos());
    }

    private void enableDevice() {
        int command = (int) device.configRead(PciConfig.COMMAND, 2).orThrow(device.name() + ": Command read");
        int want = command | PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE
                | (device.bars().stream().anyMatch(b -> !b.isMemory()) ? PciConfig.Command.IO_SPACE_ENABLE : 0);
        if (want != command) device.configWrite(PciConfig.COMMAND, 2, want);
    }

    private void awaitLink(long timeoutNs) {
        long deadline = System.nanoTime() + timeoutNs;
        synchronized (linkMonitor) {
            while (!link.up()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(linkMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    // ---- accessors ----

    @Override public PcieDevice device() { return device; }

    @Override public String chip() { return chip; }

    @Override public MacAddress macAddress() { return mac; }

    @Override public LinkState link() { return link; }

    @Override public int maxFrameSize() { return options.maxFrameSize(); }

    @Override public void onReceive(FrameReceiver r) { this.receiver = r; }

    /** Installed on the poll thread, where link changes are announced, so each state reaches the listener once. */
    @Override public void onLinkChange(LinkListener listener) {
        runOnPollThread(() -> {
            linkListener = listener;
            if (listener != null) listener.linkChanged(link);
        });
    }

    /** Bus address of the TX descriptor ring (for TDBAL/TDBAH). */
    protected final long txRingAddress() { return tx.ringAddress(); }

    /** Length of the TX ring in bytes (for TDLEN). */
    protected final int txRingBytes() { return tx.ringBytes(); }

    protected final long rxRingAddress(int queue) { return rx[queue].ringAddress(); }

    protected final int rxRingBytes(int queue) { return rx[queue].ringBytes(); }

    /** The RX tail to post after the ring was (re-)armed: all buffers but one belong to the NIC. */
    protected final int rxTail(int queue) { return rx[queue].tail(); }

    // ---- transmit ----

    @Override public boolean transmit(ByteBuffer frame, TxOffload offload, boolean more) {
        TxPath t = tx;
        if (t == null || !t.transmit(frame, offload, more)) return false;
        if (busyPollNs > 0) {
            ringPoll.activity(System.nanoTime());
            if (!loop.inLoop()) loop.wakeup(); // watch for the answer from memory
        }
        return true;
    }

    @Override public void flush() {
        TxPath t = tx;
        if (t != null) t.flush();
    }

    @Override public boolean awaitTxSpace(long timeoutNanos) throws InterruptedException {
        TxPath t = tx;
        return t != null && t.awaitSpace(timeoutNanos, () -> running);
    }

    /** Frees completed TX descriptors (DD written back in host memory); wakes waiting senders. */
    protected final void cleanTx() { tx.clean(); }

    // ---- receive ----

    /**
     * Cleans up to {@link #RX_BUDGET} frames from one queue and posts the new tail (one posted
     * write per round, not per frame). Returns true when the budget ran out (more may be waiting).
     */
    protected final boolean cleanRx(int queue) {
        RxRing ring = rx[queue];
        int before = ring.tail();
        int n = ring.clean(RX_BUDGET, safeReceiver());
        if (ring.tail() != before) rxDoorbell(queue, ring.tail());
        return n == RX_BUDGET;
    }

    private FrameReceiver safeReceiver() {
        FrameReceiver r = receiver;
        if (r == null) return null;
        return (frame, q) -> {
            try {
                r.receive(frame, q);
            } catch (RuntimeException e) {
                log.warn("{}: frame receiver failed", device.name(), e);
            }
        };
    }

    // ---- interrupts and the ring poll (on the root complex's loop) ----

    /** The interrupt handler for {@code vector} (on the loop): marks it for the ring poll, nothing more. */
    protected final void interrupt(int vector) {
        interrupts.increment();
        ringPoll.pending |= 1L << vector;
    }

    /**
     * The NAPI service of a single MSI or INTx vector (loop thread): hands over what is in host
     * memory, then reads {@code causeRegister} without waiting. When {@code ours} says the causes
     * are this NIC's (having masked what must be masked), the rings are polled with the vector
     * masked until a cycle finishes within the budget, then {@code rearm} unmasks. Returns the
     * vectors to service again next cycle.
     */
    protected final long serviceSingleVector(int causeRegister, IntPredicate ours, Runnable rearm) {
        RingPoll p = ringPoll;
        if (p.causePending) {
            p.missed = true; // the answer re-runs the service
            return 0;
        }
        if (!p.polling) {
            // What the interrupt announced is already in host memory: hand it over before the cause
            // read's round trip. Anything written after this pass is either seen by the polling
            // pass after the read or raises its cause again once the register has been read.
            cleanAll();
            p.causePending = true;
            readAsync(causeRegister, causes -> {
                p.causePending = false;
                boolean again = p.missed;
                p.missed = false;
                if (ours.test(causes)) {
                    p.polling = true;
                    again = true;
                }
                if (again) pollAgain(1);
            });
            return 0;
        }
        if (cleanAll()) return 1; // budget used up: stay masked and poll again
        p.polling = false;
        rearm.run();
        return 0;
    }

    /** Cleans TX and every RX queue; true when a queue used its whole budget. */
    private boolean cleanAll() {
        cleanTx();
        boolean more = false;
        for (int q = 0; q < rx.length; q++) more |= cleanRx(q);
        return more;
    }

    /** Has the ring poll service {@code vectors} again next cycle, as if they had fired (loop thread). */
    protected final void pollAgain(long vectors) { ringPoll.pending |= vectors; }

    /**
     * Reads a register without waiting (ring poll only): {@code then} runs on the loop with the
     * value once the completion is in. A failed read makes the control thread take the NIC as
     * unreachable.
     */
    protected final void readAsync(int offset, IntConsumer then) {
        int issuedIn = ringPoll.generation;
        mmio.readAsync(offset).whenComplete((Access a, Throwable e) -> {
            // A read from before a reset says nothing about the NIC after it: drop its answer.
            if (issuedIn != ringPoll.generation) return;
            if (e != null || !a.ok()) {
                unreachable("read of register 0x" + Integer.toHexString(offset) + " failed: " + (e != null ? e.getMessage() : a.outcome()));
                return;
            }
            try {
                then.accept((int) a.value());
            } catch (RuntimeException ex) {
                log.error("{}: ring poll error", device.name(), ex);
            }
        });
    }

    private void unreachable(String reason) {
        unreachableReason = reason;
        LockSupport.unpark(thread);
    }

    /** Asks the control thread to read the link state (after an LSC cause); any thread. */
    protected final void requestLinkCheck() {
        linkCheckRequested = true;
        LockSupport.unpark(thread);
    }

    /** Asks the control thread to reset and re-initialise the NIC; any thread. */
    protected final void requestReset(String reason) {
        log.warn("{}: {}; resetting", device.name(), reason);
        resetRequested = true;
        LockSupport.unpark(thread);
    }

    /** Runs {@code task} on the control thread (at once when already on it, or when there is none: not open or closed). */
    protected final void runOnPollThread(Runnable task) {
        Thread t = thread;
        if (Thread.currentThread() == t || t == null || !running) {
            task.run();
            return;
        }
        tasks.add(task);
        LockSupport.unpark(thread);
    }

    /** Runs {@code task} on the loop and waits for it (control thread; at once when the loop is the caller). */
    private void onLoopAndWait(Runnable task) {
        if (loop.inLoop()) {
            task.run();
            return;
        }
        try {
            loop.call(() -> {
                task.run();
                return null;
            }).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new NicException(device.name() + ": the root complex's loop did not run the ring poll's hand-over: " + e);
        }
    }

    /** The control thread: requests from the ring poll, tasks, reset, link checks, the watchdog. */
    private void run() {
        // The link is read as enableInterrupts arranged; the rest of the watchdog can wait a period.
        nextWatchdog = System.nanoTime() + options.watchdog().toNanos();
        while (running) {
            long now = System.nanoTime();
            try {
                Runnable task;
                while ((task = tasks.poll()) != null) task.run();
                String gone = removalNews;
                if (gone != null) {
                    removalNews = null;
                    surpriseRemoval(gone);
                }
                if (insertionNews) {
                    insertionNews = false;
                    hotInsertion();
                }
                String why = unreachableReason;
                if (why != null && !removed) {
                    unreachableReason = null;
                    throw new DeviceUnreachableException(device.name() + ": " + why);
                }
                if (resetRequested && !unreachable && !removed) {
                    resetRequested = false;
                    resetNow();
                }
                if (linkCheckRequested && !unreachable && !removed) {
                    linkCheckRequested = false;
                    updateLink(readLink());
                }
                if (now - nextWatchdog >= 0) {
                    nextWatchdog = now + options.watchdog().toNanos();
                    if (!removed) watchdog(now);
                }
            } catch (DeviceUnreachableException e) {
                // A lost link is a surprise removal, which says so itself: one line per step.
                if (!unreachable && device.link().isUp()) log.warn("{}: NIC unreachable, retrying every watchdog period: {}", device.name(), e.getMessage());
                else if (!unreachable) log.debug("{}: NIC unreachable, its link is down: {}", device.name(), e.getMessage());
                unreachable = true;
                updateLink(LinkState.DOWN);
            } catch (RuntimeException e) {
                log.error("{}: control thread error", device.name(), e);
            }
            if (tasks.isEmpty() && running && !resetRequested && !linkCheckRequested && unreachableReason == null && removalNews == null
                    && !insertionNews)
                LockSupport.parkNanos(this, Math.max(0, nextWatchdog - System.nanoTime()));
        }
    }

    /**
     * One busy-polling pass (NicOptions#busyPoll): look at the rings in host memory without
     * waiting for an interrupt, as Linux's busy polling does. Costs a CPU while it lasts; saves
     * the interrupt's trip for frames that come soon. Returns whether it found work.
     */
    private boolean busyPoll() {
        boolean work = tx.clean();
        for (int q = 0; q < rx.length; q++) {
            RxRing ring = rx[q];
            int before = ring.tail();
            ring.clean(RX_BUDGET, safeReceiver());
            if (ring.tail() != before) {
                rxDoorbell(q, ring.tail());
                work = true;
            }
        }
        return work;
    }

    private void watchdog(long now) {
        if (unreachable) {
            mmio.flush(); // throws again while the device stays unreachable
            unreachable = false;
            log.warn("{}: NIC answers again; resetting it", device.name());
            resetNow();
            return;
        }
        readHardwareStatistics();
        if (configurationLost()) {
            log.warn("{}: NIC lost its configuration (reset behind the driver's back?); resetting it", device.name());
            resetNow();
            return;
        }
        long stalled = tx.stalledFor(now, link.up());
        long period = options.watchdog().toNanos();
        if (stalled > 2 * period) {
            log.warn("{}: Detected Tx Unit Hang (oldest frame waiting {} ms); resetting", device.name(), (now - tx.oldestPendingSince()) / 1_000_000);
            resetNow();
            return;
        }
        if (stalled > period) {
            // A NIC whose descriptor fetch failed (a DMA read lost on the interconnect) waits for the next
            // tail write; ring the doorbell again before calling it a hang.
            txKicks.increment();
            log.debug("{}: TX made no progress for {} ms; ringing the doorbell again", device.name(), stalled / 1_000_000);
            tx.ringAgain();
        }
        kick();
        // Lost-interrupt insurance that needs no new edge: an INTx line the root complex believes
        // still asserted (a Deassert lost to a reset, say) would never interrupt again, so look at
        // every vector once per period as if it had fired.
        long all = allVectors();
        loop.execute(() -> ringPoll.pending |= all);
    }

    /** Bit n set for every interrupt vector the driver services. */
    private long allVectors() {
        int n = Math.max(1, device.vectors());
        return n >= 64 ? -1L : (1L << n) - 1;
    }

    private void updateLink(LinkState now) {
        LinkState was = link;
        if (now.equals(was)) return;
        if (now.up()) {
            tx.progress();
            linkCameUp(now);
        }
        link = now; // published after the link-up work, so whoever waits for the link finds it finished
        if (now.up() != was.up()) linkChanges.increment();
        log.info("{} {}: {}", chip, device.name(), now);
        synchronized (linkMonitor) {
            linkMonitor.notifyAll();
        }
        LinkListener l = linkListener;
        if (l != null) {
            try {
                l.linkChanged(now);
            } catch (RuntimeException e) {
                log.warn("{}: link listener failed", device.name(), e);
            }
        }
    }

    // ---- hot-plug ----

    /** The device is gone (control thread): stop the rings and tell the listeners the link is down; touch nothing on the bus. */
    private void surpriseRemoval(String reason) {
        if (!running) return; // closing: close() deals with the device
        removed = true;
        unreachableReason = null;
        onLoopAndWait(ringPoll::pause);
        tx.stop();
        log.warn("{} {}: surprise removal ({}): rings stopped", chip, device.name(), reason);
        updateLink(LinkState.DOWN);
    }

    /**
     * The same device is back at the same addresses, reset (control thread): interrupts are set
     * up again and the NIC is re-initialised as after a reset; the link check that follows brings
     * the carrier back. A failure leaves it removed until the next insertion.
     */
    private void hotInsertion() {
        if (!running) return;
        log.warn("{} {}: hot insertion: re-initialising", chip, device.name()); // the removal's level: its end is news too
        try {
            enableDevice();
            setupInterrupts();
            removed = false;
            unreachable = false;
            unreachableReason = null;
            resetNow();
        } catch (RuntimeException e) {
            removed = true;
            log.warn("{} {}: re-initialisation after the hot insertion failed ({}); waiting for the next one", chip, device.name(),
                    e.getMessage());
        }
    }

    // ---- reset ----

    @Override public void reset() {
        if (Thread.currentThread() == thread) {
            resetNow();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        runOnPollThread(() -> {
            try {
                resetNow();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new NicException("reset failed", e.getCause());
        } catch (TimeoutException e) {
            throw new NicException(device.name() + ": reset did not finish within 30 s");
        }
    }

    /** The full re-initialisation, on the control thread with the ring poll paused: in-flight traffic is dropped. */
    private void resetNow() {
        resets.increment();
        onLoopAndWait(() -> {
            ringPoll.pause();
        });
        tx.stop();
        disableInterrupts();
        resetHardware();
        tx.reset();
        for (RxRing r : rx) r.arm();
        configure();
        // Forget interrupts from before the reset, but not one raised by enabling (the e1000's
        // ICS=LSC): clearing after enableInterrupts could swallow it and leave INTx asserted.
        onLoopAndWait(() -> {
            ringPoll.resume();
        });
        enableInterrupts();
        tx.start();
        updateLink(LinkState.DOWN);
        linkCheckRequested = true; // besides what enableInterrupts arranged: a reset must not hang on one interrupt
    }

    // ---- statistics ----

    @Override public NicStats stats() {
        try {
            readHardwareStatistics();
        } catch (DeviceUnreachableException e) {
            log.debug("{}: statistics registers unreadable: {}", device.name(), e.getMessage());
        }
        long rxFrames = 0, rxBytes = 0, rxErrors = 0, rxUnclaimed = 0;
        List<Long> perQueue = new ArrayList<>();
        for (RxRing r : rx) {
            rxFrames += r.frames();
            rxBytes += r.bytes();
            rxErrors += r.errors();
            rxUnclaimed += r.unclaimed();
            perQueue.add(r.frames());
        }
        Map<String, Long> hw = new LinkedHashMap<>();
        synchronized (hardware) {
            hardware.forEach((k, v) -> hw.put(k.name(), v));
        }
        TxPath t = tx;
        return new NicStats(t == null ? 0 : t.frames(), t == null ? 0 : t.bytes(), t == null ? 0 : t.busy(), txKicks.sum(),
                t == null ? 0 : t.doorbells(), rxFrames, rxBytes, rxErrors, rxUnclaimed,
                interrupts.sum(), linkChanges.sum(), resets.sum(), mmio.reads(), mmio.writes(), perQueue, hw);
    }

    private void readHardwareStatistics() {
        synchronized (hardware) {
            for (HwStat s : HwStat.values()) hardware.merge(s, s.read(mmio), Long::sum);
        }
    }

    @Override public void setPromiscuous(boolean on) {
        promiscuous = on;
        runOnPollThread(() -> applyRxMode(on));
    }

    /** The receive mode {@link #configure} must program. */
    protected final boolean promiscuous() { return promiscuous; }

    /** Waits at least {@code nanos}: the delays the manuals ask for between register steps. */
    protected static void delay(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) LockSupport.parkNanos(left);
    }

    // ---- close ----

    @Override public void close() {
        Thread t = thread;
        running = false;
        device.onHotPlug(null);
        try {
            onLoopAndWait(() -> {
                ringPoll.pause();
                loop.remove(ringPoll);
            });
        } catch (NicException e) {
            log.warn("{}: {}", device.name(), e.getMessage());
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(CLOSE_TIMEOUT_NS / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        TxPath t0 = tx;
        if (t0 != null) t0.stop();
        try {
            disableInterrupts();
            shutdown();
        } catch (DeviceUnreachableException e) {
            log.warn("{}: could not reset the NIC on close: {}", device.name(), e.getMessage());
        }
        release();
        link = LinkState.DOWN;
    }

    /** Gives back interrupts, bus mastering and DMA memory; safe on a half-opened driver. */
    private void release() {
        try {
            device.disableInterrupts();
            for (int v = 0; v < MAX_VECTORS; v++) device.onInterrupt(v, null);
            int command = (int) device.configRead(PciConfig.COMMAND, 2).orThrow(device.name() + ": Command read");
            device.configWrite(PciConfig.COMMAND, 2, command & ~PciConfig.Command.BUS_MASTER_ENABLE);
        } catch (RuntimeException e) {
            log.warn("{}: could not disable interrupts and bus mastering: {}", device.name(), e.getMessage());
        }
        TxPath t = tx;
        tx = null;
        if (t != null) t.close();
        for (RxRing r : rx) if (r != null) r.close();
        rx = new RxRing[0];
    }

    @Override public String toString() {
        return chip + " " + device.name() + " " + mac;
    }
}
