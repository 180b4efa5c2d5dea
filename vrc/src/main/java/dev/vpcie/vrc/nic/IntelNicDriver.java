package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import dev.vpcie.protocol.pci.PciConfig;
import dev.vpcie.vrc.Access;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.PcieDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The e1000 and igb drivers, one class composed of parts: the chip's own register sequences and
 * interrupt mechanism ({@link IntelChip}, {@link NicInterrupts}) and its values ({@link ChipSpec}:
 * ring layout, tail registers); the transmit path ({@link TxPath}) and RX rings; the ring poll
 * ({@link RingPoll}, the driver's NAPI); the control part ({@link NicControl}: link checks,
 * watchdog, reset, hot-plug); the link ({@link NicLink}), RCTL/TCTL ({@link MacControl}) and
 * statistics ({@link HwStatTotals}). This class wires them, runs the bring-up and close, and holds
 * the fast path the ring poll runs.
 *
 * <p>Threads: the ring poll runs on the root complex's loop ({@link RootComplex#loop}) as one
 * {@link AgentWork}: an interrupt handler (on the loop too) marks its vector, and the next cycle
 * has the chip's interrupts service it, cleaning TX and RX from descriptor write-back in host
 * memory, handing frames to the receiver and re-arming with posted writes, within a budget per
 * cycle; it never waits (a cause register it must read is read with {@link #readAsync}, whose
 * answer continues on the loop). Everything slow runs on the control part's thread, woken by
 * requests from the ring poll and by the watchdog deadline; while it resets, the ring poll is
 * paused. The TX ring is shared with the caller of {@link #transmit} under the TX lock.
 */
public final class IntelNicDriver implements NicDriver {
    private static final Logger log = LoggerFactory.getLogger(IntelNicDriver.class);
    /** Frames taken from one RX queue per service round before other work gets a turn (NAPI weight). */
    public static final int RX_BUDGET = 64;
    /** More vectors than either chip has (the 82576 has 10 MSI-X vectors). */
    private static final int MAX_VECTORS = 32;

    private final PcieDevice device;
    private final Mmio mmio;
    private final NicOptions options;
    private final ChipSpec spec;
    private final int[] rxTails;
    private final IntelChip chip;
    private MacAddress mac = new MacAddress(0);

    /** The transmit path (null before bring-up and after close). */
    private volatile TxPath tx;
    private RxRing[] rx = new RxRing[0];

    /** The user's receiver behind a guard that logs what it throws; null when none is installed. */
    private volatile GuardedReceiver receiver;
    private final AgentLoop loop;
    private final RingPoll ringPoll;
    private final long busyPollNs;
    private final NicLink link;
    private final MacControl macControl;
    private final HwStatTotals hardware = new HwStatTotals();
    private final NicControl control;
    private final LongAdder interrupts = new LongAdder();

    /**
     * @param rxQueues RX queues to set up (one unless the chip has RSS)
     * @param chip     makes the chip's part, given this driver for the registers, rings and services it uses
     */
    @SuppressWarnings("this-escape") // the chip's part keeps the driver for later; it calls nothing during construction
    private IntelNicDriver(PcieDevice device, NicOptions options, ChipSpec spec, int rxQueues, Function<IntelNicDriver, IntelChip> chip) {
        this.device = device;
        this.options = options;
        this.spec = spec;
        this.mmio = new Mmio(device, 0);
        this.rxTails = new int[rxQueues];
        for (int q = 0; q < rxQueues; q++) rxTails[q] = spec.rxTail().applyAsInt(q);
        this.busyPollNs = options.busyPoll().toNanos();
        this.loop = device.rootComplex().loop();
        this.ringPoll = new RingPoll(new RingPoll.Rings() {
            @Override public long service(long vectors) { return IntelNicDriver.this.chip.interrupts().service(vectors); }

            @Override public boolean busyPoll() { return IntelNicDriver.this.busyPoll(); }

            @Override public boolean ready() { return control.reachable() && tx != null; }
        }, device.name(), busyPollNs);
        this.link = new NicLink(spec.name() + " " + device.name());
        this.macControl = new MacControl(mmio, options.promiscuous());
        this.chip = chip.apply(this);
        this.control = new NicControl(device, spec.name() + " " + device.name(), options, mmio, ringPoll, this.chip, link, macControl, hardware);
    }

    /**
     * Probes and opens a NIC with the chip's part; returns once the link is up or
     * {@link NicOptions#linkWait()} has passed. On failure everything acquired is released.
     */
    public static IntelNicDriver open(PcieDevice device, NicOptions options, ChipSpec spec, int rxQueues,
            Function<IntelNicDriver, IntelChip> chip) {
        IntelNicDriver d = new IntelNicDriver(device, options, spec, rxQueues, chip);
        d.open();
        return d;
    }

    // ---- bring-up ----

    private void open() {
        try {
            enableDevice(device);
            mac = chip.probe();
            tx = new TxPath(new TxRing(device, options.txDescriptors(), spec.layout().txBufferSize(), spec.layout().tx()),
                    tail -> mmio.write(spec.txTail(), tail), options.maxFrameSize(), spec.name());
            rx = new RxRing[rxTails.length];
            for (int q = 0; q < rx.length; q++)
                rx[q] = new RxRing(device, q, options.rxDescriptors(), spec.layout().rxBufferSize(), spec.layout().rxCrcBytes(),
                        options.maxFrameSize(), spec.layout().rx());
            chip.interrupts().setup();
            chip.configure();
            chip.interrupts().enable();
            tx.start();
            control.start(tx, rx);
            loop.add(ringPoll);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
        link.await(options.linkWait().toNanos());
    }

    /** Memory space, bus mastering and (for a NIC with an I/O BAR) I/O space on (bring-up, and again after a hot insertion). */
    static void enableDevice(PcieDevice device) {
        int command = (int) device.configRead(PciConfig.COMMAND, 2).orThrow(device.name() + ": Command read");
        int want = command | PciConfig.Command.MEMORY_SPACE_ENABLE | PciConfig.Command.BUS_MASTER_ENABLE
                | (device.bars().stream().anyMatch(b -> !b.isMemory()) ? PciConfig.Command.IO_SPACE_ENABLE : 0);
        if (want != command) device.configWrite(PciConfig.COMMAND, 2, want);
    }

    // ---- accessors ----

    @Override public PcieDevice device() { return device; }

    @Override public String chip() { return spec.name(); }

    @Override public MacAddress macAddress() { return mac; }

    @Override public LinkState link() { return link.state(); }

    @Override public int maxFrameSize() { return options.maxFrameSize(); }

    @Override public int rxQueues() { return rxTails.length; }

    /** The interrupt mechanism in use (after any fallback). */
    public IrqMode interruptMode() { return chip.interrupts().mode(); }

    @Override public void onReceive(FrameReceiver r) { this.receiver = r == null ? null : new GuardedReceiver(r); }

    /** Installed on the control thread, where link changes are announced, so each state reaches the listener once. */
    @Override public void onLinkChange(LinkListener listener) {
        control.execute(() -> link.listen(listener));
    }

    // ---- for the chip's parts ----

    /** BAR 0's registers. */
    public Mmio mmio() { return mmio; }

    public NicOptions options() { return options; }

    /** RCTL and TCTL, which the chip's configure writes through this part. */
    public MacControl macControl() { return macControl; }

    /** Bus address of the TX descriptor ring (for TDBAL/TDBAH). */
    public long txRingAddress() { return tx.ringAddress(); }

    /** Length of the TX ring in bytes (for TDLEN). */
    public int txRingBytes() { return tx.ringBytes(); }

    public long rxRingAddress(int queue) { return rx[queue].ringAddress(); }

    public int rxRingBytes(int queue) { return rx[queue].ringBytes(); }

    /** The RX tail to post after the ring was (re-)armed: all buffers but one belong to the NIC. */
    public int rxTail(int queue) { return rx[queue].tail(); }

    /** Asks the control thread to read the link state (after an LSC cause); any thread. */
    public void requestLinkCheck() { control.requestLinkCheck(); }

    /** Asks the control thread to reset and re-initialise the NIC; any thread. */
    public void requestReset(String reason) { control.requestReset(reason); }

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
        return t != null && t.awaitSpace(timeoutNanos, control::running);
    }

    /** Frees completed TX descriptors (DD written back in host memory); wakes waiting senders. */
    public void cleanTx() { tx.clean(); }

    // ---- receive ----

    /**
     * Cleans up to {@link #RX_BUDGET} frames from one queue and posts the new tail (one posted
     * write per round, not per frame). Returns true when the budget ran out (more may be waiting).
     */
    public boolean cleanRx(int queue) {
        RxRing ring = rx[queue];
        int before = ring.tail();
        int n = cleanRing(ring);
        if (ring.tail() != before) mmio.write(rxTails[queue], ring.tail());
        return n == RX_BUDGET;
    }

    /** One poll of {@code ring}: its frames to the receiver, then the poll's end (where a receiver's GRO flushes). */
    private int cleanRing(RxRing ring) {
        GuardedReceiver r = receiver;
        int n = ring.clean(RX_BUDGET, r);
        if (n > 0 && r != null) r.pollEnded(ring.queue());
        return n;
    }

    /** The user's receiver; what it throws is logged, so one bad frame does not stop the poll. */
    private final class GuardedReceiver implements FrameReceiver {
        private final FrameReceiver r;

        GuardedReceiver(FrameReceiver r) { this.r = r; }

        @Override public void receive(ByteBuffer frame, int queue) { receive(frame, queue, false); }

        @Override public void receive(ByteBuffer frame, int queue, boolean l4ChecksumGood) {
            try {
                r.receive(frame, queue, l4ChecksumGood);
            } catch (RuntimeException e) {
                log.warn("{}: frame receiver failed", device.name(), e);
            }
        }

        @Override public void pollEnded(int queue) {
            try {
                r.pollEnded(queue);
            } catch (RuntimeException e) {
                log.warn("{}: frame receiver failed", device.name(), e);
            }
        }
    }

    // ---- interrupts and the ring poll (on the root complex's loop) ----

    /** The interrupt handler for {@code vector} (on the loop): marks it for the ring poll, nothing more. */
    public void interrupt(int vector) {
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
    public long serviceSingleVector(int causeRegister, IntPredicate ours, Runnable rearm) {
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
    private void pollAgain(long vectors) { ringPoll.pending |= vectors; }

    /**
     * Reads a register without waiting (ring poll only): {@code then} runs on the loop with the
     * value once the completion is in. A failed read makes the control thread take the NIC as
     * unreachable.
     */
    public void readAsync(int offset, IntConsumer then) {
        int issuedIn = ringPoll.generation;
        mmio.readAsync(offset).whenComplete((Access a, Throwable e) -> {
            // A read from before a reset says nothing about the NIC after it: drop its answer.
            if (issuedIn != ringPoll.generation) return;
            if (e != null || !a.ok()) {
                control.unreachable("read of register 0x" + Integer.toHexString(offset) + " failed: " + (e != null ? e.getMessage() : a.outcome()));
                return;
            }
            try {
                then.accept((int) a.value());
            } catch (RuntimeException ex) {
                log.error("{}: ring poll error", device.name(), ex);
            }
        });
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
            cleanRing(ring);
            if (ring.tail() != before) {
                mmio.write(rxTails[q], ring.tail());
                work = true;
            }
        }
        return work;
    }

    // ---- control ----

    @Override public void reset() { control.reset(); }

    @Override public void setPromiscuous(boolean on) {
        control.execute(() -> macControl.promiscuous(on));
    }

    // ---- statistics ----

    @Override public NicStats stats() {
        try {
            hardware.read(mmio);
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
        TxPath t = tx;
        return new NicStats(t == null ? 0 : t.frames(), t == null ? 0 : t.bytes(), t == null ? 0 : t.busy(), control.txKicks(),
                t == null ? 0 : t.doorbells(), rxFrames, rxBytes, rxErrors, rxUnclaimed,
                interrupts.sum(), link.changes(), control.resets(), mmio.reads(), mmio.writes(), perQueue, hardware.snapshot());
    }

    /** Waits at least {@code nanos}: the delays the manuals ask for between register steps. */
    public static void delay(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) LockSupport.parkNanos(left);
    }

    // ---- close ----

    @Override public void close() {
        control.stop();
        try {
            control.onLoopAndWait(() -> {
                ringPoll.pause();
                loop.remove(ringPoll);
            });
        } catch (NicException e) {
            log.warn("{}: {}", device.name(), e.getMessage());
        }
        control.join();
        TxPath t0 = tx;
        if (t0 != null) t0.stop();
        try {
            chip.interrupts().disable();
            macControl.stop();
            chip.shutdown();
        } catch (DeviceUnreachableException e) {
            log.warn("{}: could not reset the NIC on close: {}", device.name(), e.getMessage());
        }
        release();
        link.forget();
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
        return spec.name() + " " + device.name() + " " + mac;
    }
}
