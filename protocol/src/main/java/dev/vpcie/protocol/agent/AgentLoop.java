package dev.vpcie.protocol.agent;

import dev.vpcie.protocol.transport.Errno;
import dev.vpcie.protocol.transport.ErrnoException;
import dev.vpcie.protocol.transport.EventFd;
import dev.vpcie.protocol.transport.Poller;
import dev.vpcie.protocol.transport.SchedAttr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that runs everything one side of the interconnect does (Aeron's shape: an Agrona
 * {@link AgentRunner} with an {@link IdleStrategy}). Each duty cycle reads the clock once, runs the
 * tasks other threads queued, then calls {@link AgentWork#doWork} of every work it serves with that
 * time, then every work's {@link AgentWork#cycleEnded} (where queued output leaves). A cycle that
 * did something is followed at once by the next; after the last work the loop
 * spins (yielding the core, which a 2-CPU machine needs for the peer that will produce our next
 * work) for {@code spin}, then blocks in one {@code ppoll} over every {@linkplain #watch watched}
 * descriptor plus its own eventfd, until the earliest {@link AgentWork#nextDeadlineNs}. An idle
 * loop therefore costs no CPU, and a busy one never sleeps.
 *
 * <h2>Staying awake across an exchange</h2>
 * Waking a blocked loop costs tens of µs on a small VM (the idle vCPU must be woken too), and one
 * exchange through a device (a doorbell, the device's DMA reads and their completions, the frame,
 * the answer) is a chain of such wake-ups on both sides, each shorter than the exchange but longer
 * than the spin after the last work. A work that sees an exchange begin (a doorbell, a frame from
 * a wire or a TAP, a TLP from the peer) calls {@link #stayAwake()}: the loop then spins (yielding)
 * instead of blocking until {@linkplain #awakeWindow(Duration) the awake window} after that call
 * has passed. The window is bounded ({@link #MAX_AWAKE_WINDOW}), so a loop with nothing to do
 * still blocks soon after its last exchange.
 *
 * <h2>Waking the loop</h2>
 * Other threads call {@link #execute}, {@link #call} or {@link #wakeup}; the eventfd is written only
 * while the loop sleeps. Before it blocks the loop publishes that it is about to sleep and then runs
 * one more full cycle, so work that another thread made visible without a wakeup (it saw the loop
 * awake) is found by that cycle instead of being slept on.
 *
 * <h2>Priority</h2>
 * {@link #priority(LoopPriority)} asks the kernel to schedule the loop's thread ahead of ordinary
 * threads (a lower nice value, a short slice): a loop that wakes then runs at once instead of
 * waiting for a compiler thread's or a build's slice to end. Without the privilege to lower its
 * nice value the loop keeps the slice alone and says so once.
 *
 * <h2>Sources without a descriptor</h2>
 * A UDP or in-memory transport has nothing to poll: it registers a {@link Blocker}, and the loop
 * blocks in it instead of {@code ppoll}. If descriptors are watched as well, such a block lasts at
 * most {@value #BLOCKER_SLICE_MS} ms so they are looked at again soon (only test and non-root
 * set-ups mix the two).
 *
 * <p>Thread-safe where documented; {@link AgentWork} calls all happen on the loop thread.
 */
public final class AgentLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentLoop.class);
    /** How long the loop spins after the last work before it blocks, unless told otherwise. */
    public static final Duration DEFAULT_SPIN = Duration.ofNanos(50_000);
    /**
     * How long {@link #stayAwake()} keeps the loop spinning, unless told otherwise: off. On the
     * shared 2-vCPU machine a window made pings slower, not faster (docs/performance.md).
     */
    public static final Duration DEFAULT_AWAKE_WINDOW = Duration.ZERO;
    /** The longest awake window: what bounds the CPU an exchange can make an otherwise idle loop spend. */
    public static final Duration MAX_AWAKE_WINDOW = Duration.ofMillis(10);
    /** Longest block without a deadline: bounds how stale a missed wakeup could ever leave the loop. */
    private static final long MAX_BLOCK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int BLOCKER_SLICE_MS = 1;
    private static final long WARN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final LongSupplier clock;
    private final long spinNs;
    private final ManyToOneConcurrentLinkedQueue<Runnable> tasks = new ManyToOneConcurrentLinkedQueue<>();
    private final EventFd eventFd;
    private final Poller poller;
    private final AgentRunner runner;
    private final Thread thread;

    // loop thread only
    private final ArrayList<AgentWork> works = new ArrayList<>();
    private int[] fds = new int[0];
    private boolean fdsChanged = true;
    private Blocker blocker;
    private long lastWarnNs = Long.MIN_VALUE;

    private volatile LoopPriority priority = LoopPriority.NORMAL;
    private volatile boolean sleeping;
    private volatile boolean closed;
    private volatile long cycles, blocks;
    private volatile long awakeWindowNs = DEFAULT_AWAKE_WINDOW.toNanos();
    /** Until when the loop spins instead of blocking (see {@link #stayAwake()}); a racy maximum is good enough. */
    private volatile long awakeUntilNs = Long.MIN_VALUE;

    private AgentLoop(String name, Duration spin, LongSupplier clock) {
        if (spin.isNegative()) throw new IllegalArgumentException("spin must not be negative: " + spin);
        this.name = Objects.requireNonNull(name);
        this.clock = Objects.requireNonNull(clock);
        this.spinNs = spin.toNanos();
        try {
            this.eventFd = EventFd.open();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot open the loop's eventfd", e);
        }
        this.poller = new Poller("agent loop " + name);
        this.runner = new AgentRunner(new Idle(), this::onError, null, new LoopAgent());
        // This is the data path's one thread (ARCHITECTURE.md, Threads), not a thread beside it:
        // everything the side does runs here, and other threads only queue work for it.
        this.thread = AgentRunner.startOnThread(runner, r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
    }

    /** Starts a loop named {@code name} (its thread's name) that spins {@link #DEFAULT_SPIN} before blocking. */
    public static AgentLoop start(String name) { return start(name, DEFAULT_SPIN); }

    /** Starts a loop that spins {@code spin} after its last work before it blocks. */
    public static AgentLoop start(String name, Duration spin) { return new AgentLoop(name, spin, System::nanoTime); }

    /** Starts a loop on a chosen clock (tests). */
    public static AgentLoop start(String name, Duration spin, LongSupplier clock) { return new AgentLoop(name, spin, clock); }

    public String name() { return name; }

    /** Serves {@code w} from the next cycle on. Any thread. */
    public void add(AgentWork w) {
        Objects.requireNonNull(w);
        runOnLoop(() -> {
            if (!works.contains(w)) works.add(w);
        });
    }

    /** Stops serving {@code w} (its {@link AgentWork#onClose} runs on the loop). Any thread. */
    public void remove(AgentWork w) {
        runOnLoop(() -> {
            if (works.remove(w)) closeQuietly(w);
        });
    }

    /** Polls {@code fd} for input whenever the loop blocks. Any thread. */
    public void watch(int fd) {
        if (fd < 0) throw new IllegalArgumentException("not a descriptor: " + fd);
        runOnLoop(() -> {
            for (int f : fds) if (f == fd) return;
            fds = Arrays.copyOf(fds, fds.length + 1);
            fds[fds.length - 1] = fd;
            fdsChanged = true;
        });
    }

    /** Stops polling {@code fd} (call before closing it). Any thread. */
    public void unwatch(int fd) {
        runOnLoop(() -> {
            int[] kept = Arrays.stream(fds).filter(f -> f != fd).toArray();
            if (kept.length != fds.length) {
                fds = kept;
                fdsChanged = true;
            }
        });
    }

    /** Blocks in {@code b} instead of {@code ppoll} (a source without a descriptor); null to stop. Any thread. */
    public void blockWith(Blocker b) { runOnLoop(() -> blocker = b); }

    /** Runs {@code task} on the loop thread in its next cycle. Any thread; never blocks. */
    public void execute(Runnable task) {
        Objects.requireNonNull(task);
        if (closed) throw new IllegalStateException("agent loop " + name + " is closed");
        tasks.offer(task);
        wakeup();
    }

    /**
     * Runs {@code task} on the loop and completes the future with its result or exception. Any
     * thread; fails at once (exceptionally) when the loop is closed.
     */
    public <T> CompletableFuture<T> call(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(closedException());
            return f;
        }
        tasks.offer(new Call<>(task, f));
        wakeup();
        if (closed) f.completeExceptionally(closedException()); // raced with close: never left hanging
        return f;
    }

    /** Whether the caller is the loop thread. */
    public boolean inLoop() { return Thread.currentThread() == thread; }

    /** Cuts a block short (cheap when the loop is awake). Any thread. */
    public void wakeup() {
        if (sleeping) {
            Blocker b = blocker;
            if (b != null) b.wakeup();
            eventFd.signal();
        }
    }

    /**
     * An exchange began or goes on (a doorbell, a frame, a TLP from the peer): spin instead of
     * blocking until the {@linkplain #awakeWindow(Duration) awake window} from now has passed, so
     * the exchange's next steps find the loop awake. Any thread; cheap (one read of the real
     * clock, whatever the loop's clock is: the window bounds real spinning).
     */
    public void stayAwake() {
        long window = awakeWindowNs;
        if (window == 0) return;
        long until = System.nanoTime() + window; // real time, not the loop's clock: it bounds real spinning
        if (awakeUntilNs == Long.MIN_VALUE || until - awakeUntilNs > 0) awakeUntilNs = until;
    }

    /** Sets how long {@link #stayAwake()} keeps the loop spinning: 0 (off) .. {@link #MAX_AWAKE_WINDOW}. Any thread. */
    public void awakeWindow(Duration window) {
        if (window.isNegative() || window.compareTo(MAX_AWAKE_WINDOW) > 0)
            throw new IllegalArgumentException("awake window must be 0.." + MAX_AWAKE_WINDOW.toNanos() / 1000 + " µs: " + window);
        awakeWindowNs = window.toNanos();
    }

    public Duration awakeWindow() { return Duration.ofNanos(awakeWindowNs); }

    /**
     * Asks the kernel to schedule the loop's thread as {@code p} says (applied on the loop, in its
     * next cycle). Where lowering the nice value is not permitted the loop keeps its nice value,
     * still asks for the slice, and logs that once; where the kernel has no such call it logs
     * and stays as it is. Any thread.
     */
    public void priority(LoopPriority p) {
        Objects.requireNonNull(p);
        runOnLoop(() -> applyPriority(p));
    }

    /** What the loop's thread runs with, as far as the kernel granted it ({@link LoopPriority#NORMAL} until applied). */
    public LoopPriority priority() { return priority; }

    /** The loop's clock (monotonic nanoseconds). */
    public long nowNs() { return clock.getAsLong(); }

    /** CPU time the loop thread has used so far, in nanoseconds; -1 where the JVM cannot tell. */
    public long cpuTimeNs() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return mx.isThreadCpuTimeSupported() ? mx.getThreadCpuTime(thread.threadId()) : -1;
    }

    /** Duty cycles run and blocks entered so far (for tests and status). */
    public long cycles() { return cycles; }

    public long blocks() { return blocks; }

    /** Stops the loop: every work's {@link AgentWork#onClose} runs on it, then its thread ends. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        if (inLoop()) {
            // Closed from a work: AgentRunner ends the loop after this cycle (onClose follows).
            runner.close();
            return;
        }
        eventFd.signal();
        runner.close(AgentRunner.RETRY_CLOSE_TIMEOUT_MS, t -> eventFd.signal());
        // Tasks queued but never run are dropped; calls among them fail so that no caller hangs.
        for (Runnable r; (r = tasks.poll()) != null; ) if (r instanceof Call<?> c) c.future.completeExceptionally(closedException());
        eventFd.close();
    }

    @Override public String toString() { return "AgentLoop[" + name + "]"; }

    private IllegalStateException closedException() { return new IllegalStateException("agent loop " + name + " is closed"); }

    /** A {@link #call}: runs on the loop and completes its future. */
    private record Call<T>(Callable<T> task, CompletableFuture<T> future) implements Runnable {
        @Override public void run() {
            if (future.isDone()) return;
            try {
                future.complete(task.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }
    }

    // ------------------------------------------------------------------ loop thread

    /** Runs {@code r} now on the loop thread, or queues it; dropped once the loop is closed. */
    private void runOnLoop(Runnable r) {
        if (inLoop()) {
            r.run();
        } else if (!closed) {
            tasks.offer(r);
            wakeup();
        }
    }

    private int cycle() {
        long now = clock.getAsLong();
        int work = 0;
        for (Runnable r; (r = tasks.poll()) != null; work++) r.run();
        for (int i = 0; i < works.size(); i++) {
            AgentWork w = works.get(i);
            try {
                work += w.doWork(now);
            } catch (RuntimeException e) {
                onError(e);
                work++;
            }
        }
        for (int i = 0; i < works.size(); i++) {
            try {
                works.get(i).cycleEnded(now);
            } catch (RuntimeException e) {
                onError(e);
            }
        }
        cycles++;
        return work;
    }

    private void prepareDescriptors() {
        if (!fdsChanged) return;
        int[] all = Arrays.copyOf(fds, fds.length + 1);
        all[fds.length] = eventFd.fd();
        poller.setDescriptors(all);
        fdsChanged = false;
    }

    private long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (int i = 0; i < works.size(); i++) d = Math.min(d, works.get(i).nextDeadlineNs());
        return d;
    }

    /** Blocks until a descriptor is readable, another thread wakes us, or the next deadline. */
    private void block() {
        sleeping = true;
        try {
            if (cycle() > 0 || !tasks.isEmpty() || closed) return; // work that slipped in before we published sleeping
            long wait = Math.min(MAX_BLOCK_NS, nextDeadline() - clock.getAsLong());
            if (wait <= 0) return;
            blocks++;
            Blocker b = blocker;
            if (b != null) {
                b.block(fds.length == 0 ? wait : Math.min(wait, TimeUnit.MILLISECONDS.toNanos(BLOCKER_SLICE_MS)));
                eventFd.drain();
                return;
            }
            prepareDescriptors();
            if (poller.poll(wait) > 0 && poller.readable(fds.length)) eventFd.drain();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": waiting for work failed", e);
        } finally {
            sleeping = false;
        }
    }

    private void applyPriority(LoopPriority p) {
        if (!SchedAttr.supported()) {
            if (!p.isNormal()) log.info("{}: cannot set the loop's priority on {}; it runs as a normal thread", name, System.getProperty("os.arch"));
            return;
        }
        long slice = p.slice().toNanos();
        try {
            SchedAttr.set(p.nice(), slice);
            priority = p;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPERM || p.nice() >= 0) {
                log.info("{}: the kernel refused the loop's priority ({}): {}", name, p, e.getMessage());
                return;
            }
            try { // not allowed to lower the nice value (no CAP_SYS_NICE): keep the slice alone
                SchedAttr.Attributes now = SchedAttr.get();
                SchedAttr.set(now.nice(), slice);
                priority = new LoopPriority(now.nice(), p.slice());
                log.info("{}: not permitted to run at nice {} (needs CAP_SYS_NICE); running at nice {} with the slice asked for",
                        name, p.nice(), now.nice());
            } catch (ErrnoException again) {
                log.info("{}: the kernel refused the loop's slice: {}", name, again.getMessage());
            }
        }
    }

    private void closeQuietly(AgentWork w) {
        try {
            w.onClose();
        } catch (RuntimeException e) {
            onError(e);
        }
    }

    private void onError(Throwable t) {
        long now = System.nanoTime();
        if (now - lastWarnNs < WARN_INTERVAL_NS) return; // a failing work must not flood the log
        lastWarnNs = now;
        log.error("{}: work failed", name, t);
    }

    /** The Agrona agent: one duty cycle per doWork. */
    private final class LoopAgent implements Agent {
        @Override public int doWork() { return cycle(); }

        @Override public void onClose() {
            for (AgentWork w : List.copyOf(works)) closeQuietly(w);
            works.clear();
        }

        @Override public String roleName() { return name; }
    }

    /**
     * Whether the loop spins at {@code now} rather than block: within {@code spinNs} of its last
     * work, or before the end of an awake window ({@code awakeUntilNs}, {@link Long#MIN_VALUE}
     * when none was opened).
     */
    static boolean spins(long now, long lastWorkNs, long spinNs, long awakeUntilNs) {
        return now - lastWorkNs < spinNs || (awakeUntilNs != Long.MIN_VALUE && now - awakeUntilNs < 0);
    }

    /** Spin (yielding) for {@code spinNs} after the last work, or while an awake window is open, then block. */
    private final class Idle implements IdleStrategy {
        private long lastWorkNs = System.nanoTime();

        @Override public void idle(int workCount) {
            if (workCount > 0) {
                lastWorkNs = System.nanoTime();
                return;
            }
            idle();
        }

        @Override public void idle() {
            if (spins(System.nanoTime(), lastWorkNs, spinNs, awakeUntilNs)) {
                Thread.yield();
                return;
            }
            if (closed) {
                Thread.yield(); // AgentRunner sees it is stopping after this cycle
                return;
            }
            block();
        }

        @Override public void reset() { lastWorkNs = System.nanoTime(); }

        @Override public String alias() { return "spin-then-ppoll"; }
    }
}
