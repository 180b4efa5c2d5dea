package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.vrc.HotPlugListener;
import dev.vpcie.vrc.PcieDevice;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver's control part: one platform thread ({@code nic-<device>}) that runs everything slow
 * about the NIC — link checks over MDIC, the watchdog (statistics, lost interrupts, TX hang, lost
 * configuration, an unreachable NIC answering again), reset and re-initialisation, and the
 * reaction to a surprise removal and a hot insertion.
 *
 * <p>Why a thread of its own, off the data path: each of those steps waits — for register reads
 * (a round trip over the interconnect each), for the delays the manuals ask for between steps (up
 * to 100 ms on the 82576's PHY reset) and for the PHY's polls — while the ring poll on the root
 * complex's loop must never wait. The two meet in a few places only:
 * <ul>
 *   <li>the ring poll asks for a link check, a reset or reports the NIC unreachable
 *       ({@link #requestLinkCheck}, {@link #requestReset}, {@link #unreachable}): flags this thread
 *       picks up when it is woken;</li>
 *   <li>this thread pauses and resumes the ring poll on the loop ({@link #onLoopAndWait}) around a
 *       reset, so the rings are never touched by both;</li>
 *   <li>other threads (a caller of {@link #reset}, link listeners, the receive mode, the hot-plug
 *       listener) hand their work over through a queue or a flag ({@link #execute}).</li>
 * </ul>
 * Every other field is this thread's. Link changes are published here only ({@link NicLink}).
 */
final class NicControl {
    /** The driver's logger: the control's messages read as they did before the driver was split. */
    private static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);
    private static final long CLOSE_TIMEOUT_NS = 5_000_000_000L;

    private final PcieDevice device;
    private final String name;
    private final NicOptions options;
    private final Mmio mmio;
    private final AgentLoop loop;
    private final RingPoll ringPoll;
    private final IntelChip chip;
    private final NicLink link;
    private final MacControl mac;
    private final HwStatTotals hardware;
    /** The rings, from {@link #start} on. */
    private TxPath tx;
    private RxRing[] rx;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean linkCheckRequested, resetRequested;
    /** Why an access from the ring poll failed (this thread takes the NIC as unreachable), or null. */
    private volatile String unreachableReason;
    private volatile boolean unreachable;
    /** Why the device was removed by surprise (news for this thread), or null. */
    private volatile String removalNews;
    /** The device came back after a surprise removal (news for this thread). */
    private volatile boolean insertionNews;
    /** Between a surprise removal and the re-initialisation after the hot insertion: this thread leaves the NIC alone. */
    private volatile boolean removed;
    private long nextWatchdog;
    private final LongAdder resets = new LongAdder(), txKicks = new LongAdder();

    NicControl(PcieDevice device, String name, NicOptions options, Mmio mmio, RingPoll ringPoll, IntelChip chip, NicLink link,
            MacControl mac, HwStatTotals hardware) {
        this.device = device;
        this.name = name;
        this.options = options;
        this.mmio = mmio;
        this.loop = device.rootComplex().loop();
        this.ringPoll = ringPoll;
        this.chip = chip;
        this.link = link;
        this.mac = mac;
        this.hardware = hardware;
    }

    /** Starts the thread once the NIC is up (the opening thread), and listens for hot-plug events. */
    void start(TxPath tx, RxRing[] rx) {
        this.tx = tx;
        this.rx = rx;
        running = true;
        // Off the data path (see the class comment): this thread only waits on register round trips
        // and the manuals' delays; the rings stay on the root complex's loop.
        thread = Thread.ofPlatform().daemon().name("nic-" + device.name()).start(this::run);
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
    }

    boolean running() { return running; }

    /** False while the NIC does not answer (the ring poll leaves the rings alone). */
    boolean reachable() { return !unreachable; }

    long resets() { return resets.sum(); }

    long txKicks() { return txKicks.sum(); }

    // ---- requests (any thread) ----

    /** Asks for the link state to be read (after an LSC cause). */
    void requestLinkCheck() {
        linkCheckRequested = true;
        LockSupport.unpark(thread);
    }

    /** Asks for the NIC to be reset and re-initialised. */
    void requestReset(String reason) {
        log.warn("{}: {}; resetting", device.name(), reason);
        resetRequested = true;
        LockSupport.unpark(thread);
    }

    /** An access from the ring poll failed: this thread takes the NIC as unreachable. */
    void unreachable(String reason) {
        unreachableReason = reason;
        LockSupport.unpark(thread);
    }

    /** Runs {@code task} on this thread (at once when already on it, or when there is none: not started or stopped). */
    void execute(Runnable task) {
        Thread t = thread;
        if (Thread.currentThread() == t || t == null || !running) {
            task.run();
            return;
        }
        tasks.add(task);
        LockSupport.unpark(t);
    }

    /** Resets the NIC on this thread and waits for it (see {@link NicDriver#reset}). */
    void reset() {
        if (Thread.currentThread() == thread) {
            resetNow();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
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

    /** First half of close: no more hot-plug news, and the thread ends its round. */
    void stop() {
        running = false;
        device.onHotPlug(null);
    }

    /** Second half of close (after the ring poll left the loop): waits for the thread to end. */
    void join() {
        Thread t = thread;
        if (t == null) return;
        LockSupport.unpark(t);
        try {
            t.join(CLOSE_TIMEOUT_NS / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code task} on the loop and waits for it (this thread; at once when the loop is the caller). */
    void onLoopAndWait(Runnable task) {
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

    // ---- the thread ----

    /** Requests from the ring poll, tasks, hot-plug news, reset, link checks, the watchdog. */
    private void run() {
        // The link is read as the interrupts' enable arranged; the rest of the watchdog can wait a period.
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
                    updateLink(PhyLink.read(mmio, chip.phy()));
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

    private void watchdog(long now) {
        if (unreachable) {
            mmio.flush(); // throws again while the device stays unreachable
            unreachable = false;
            log.warn("{}: NIC answers again; resetting it", device.name());
            resetNow();
            return;
        }
        hardware.read(mmio);
        if (mac.configurationLost()) {
            log.warn("{}: NIC lost its configuration (reset behind the driver's back?); resetting it", device.name());
            resetNow();
            return;
        }
        long stalled = tx.stalledFor(now, link.state().up());
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
        chip.interrupts().kick();
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

    /** Publishes a new link state, after the link-up work (TX progress, flow control, the transmitter). */
    private void updateLink(LinkState now) {
        if (now.equals(link.state())) return;
        if (now.up()) {
            tx.progress();
            PhyLink.flowControlAfterLinkUp(mmio, chip.phy(), now);
            mac.linkUp();
        }
        link.publish(now);
    }

    // ---- hot-plug ----

    /** The device is gone: stop the rings and tell the listeners the link is down; touch nothing on the bus. */
    private void surpriseRemoval(String reason) {
        if (!running) return; // closing: close() deals with the device
        removed = true;
        unreachableReason = null;
        onLoopAndWait(ringPoll::pause);
        tx.stop();
        log.warn("{}: surprise removal ({}): rings stopped", name, reason);
        updateLink(LinkState.DOWN);
    }

    /**
     * The same device is back at the same addresses, reset: interrupts are set up again and the
     * NIC is re-initialised as after a reset; the link check that follows brings the carrier
     * back. A failure leaves it removed until the next insertion.
     */
    private void hotInsertion() {
        if (!running) return;
        log.warn("{}: hot insertion: re-initialising", name); // the removal's level: its end is news too
        try {
            IntelNicDriver.enableDevice(device);
            chip.interrupts().setup();
            removed = false;
            unreachable = false;
            unreachableReason = null;
            resetNow();
        } catch (RuntimeException e) {
            removed = true;
            log.warn("{}: re-initialisation after the hot insertion failed ({}); waiting for the next one", name, e.getMessage());
        }
    }

    // ---- reset ----

    /** The full re-initialisation, on this thread with the ring poll paused: in-flight traffic is dropped. */
    private void resetNow() {
        resets.increment();
        onLoopAndWait(ringPoll::pause);
        tx.stop();
        chip.interrupts().disable();
        chip.resetHardware();
        tx.reset();
        for (RxRing r : rx) r.arm();
        chip.configure();
        // Forget interrupts from before the reset, but not one raised by enabling (the e1000's
        // ICS=LSC): clearing after the enable could swallow it and leave INTx asserted.
        onLoopAndWait(ringPoll::resume);
        chip.interrupts().enable();
        tx.start();
        updateLink(LinkState.DOWN);
        linkCheckRequested = true; // besides what the enable arranged: a reset must not hang on one interrupt
    }
}
