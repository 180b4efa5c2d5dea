package dev.vpcie.endpoint.wire;

import dev.vpcie.endpoint.FunctionHost;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.AgentWork;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wire's receive side on the endpoint's agent loop: the loop watches the wire's descriptor while
 * it is idle, and this work reads what arrived (up to {@value #MAX_BATCH} frames a cycle) and
 * hands it to the device right there — the agent's thread is the function's — with no thread and
 * no hand-off between the socket and the model. An optional periodic task (the carrier check)
 * runs from the same duty cycle, and an optional end-of-cycle task (the wire's send flush) from
 * {@link #cycleEnded}.
 *
 * <p>A drain may hold frames back while the device has no room for them (flow control,
 * {@link Drain#holding}): the descriptor is then not watched, so a loop with nothing else to do
 * blocks instead of spinning on a readable socket, and every duty cycle — each one that link
 * traffic, which is what gives the device room, brings — drains again; the descriptor is watched
 * again once the drain takes all it finds.
 */
final class LoopReader implements AgentWork {
    private static final Logger log = LoggerFactory.getLogger(LoopReader.class);
    static final int MAX_BATCH = 64;

    /** Reads the frames waiting now, without blocking. */
    @FunctionalInterface
    interface Source {
        /** Adds up to {@code max} frames to {@code batch}. */
        void read(List<byte[]> batch, int max) throws IOException;
    }

    /** Takes the frames waiting now, without blocking, and hands each to the device itself. */
    @FunctionalInterface
    interface Drain {
        /** Takes up to {@code max} frames; returns how many (delivered or dropped). */
        int drain(int max) throws IOException;

        /**
         * Whether the last {@link #drain} stopped because the device had no room (flow control):
         * frames wait in the socket, or were read and are held, until a later cycle finds room.
         */
        default boolean holding() { return false; }
    }

    private final AgentLoop loop;
    private final int fd;
    private final Drain drain;
    private final String what;
    private final java.util.function.BooleanSupplier holdBack;
    private final Runnable periodic;
    private final long periodNs;
    private final Runnable endOfCycle;
    private long nextPeriodic;
    /** The drain is holding frames back: the descriptor is not watched (it stays readable), every cycle looks again. */
    private boolean holding;
    private volatile boolean stopped;

    private LoopReader(AgentLoop loop, java.util.function.BooleanSupplier holdBack, int fd, Drain drain, String what,
                       Runnable periodic, long periodNs, Runnable endOfCycle) {
        this.loop = loop;
        this.holdBack = holdBack;
        this.fd = fd;
        this.drain = drain;
        this.what = what;
        this.periodic = periodic;
        this.periodNs = periodNs;
        this.endOfCycle = endOfCycle;
        this.nextPeriodic = periodic == null ? Long.MAX_VALUE : loop.nowNs() + periodNs;
    }

    /**
     * Starts reading descriptor {@code fd} on {@code host}'s loop (not while it holds back work);
     * {@code periodic} (or null) runs every {@code periodMs}.
     */
    static LoopReader start(FunctionHost host, int fd, Source source, Inbound inbound, String what, Runnable periodic, long periodMs) {
        List<byte[]> batch = new ArrayList<>(4);
        Drain drain = max -> {
            batch.clear();
            source.read(batch, max);
            if (!batch.isEmpty()) inbound.deliverNow(batch);
            return batch.size();
        };
        return start(host, fd, drain, what, periodic, periodMs, null);
    }

    /**
     * Starts draining descriptor {@code fd} on {@code host}'s loop (not while it holds back work);
     * {@code periodic} (or null) runs every {@code periodMs}, {@code endOfCycle} (or null) at the
     * end of every duty cycle (where the wire sends what the device transmitted during it).
     */
    static LoopReader start(FunctionHost host, int fd, Drain drain, String what, Runnable periodic, long periodMs, Runnable endOfCycle) {
        AgentLoop loop = host.loop();
        LoopReader r = new LoopReader(loop, host::holdingBack, fd, drain, what, periodic, TimeUnit.MILLISECONDS.toNanos(periodMs), endOfCycle);
        loop.watch(fd);
        loop.add(r);
        return r;
    }

    @Override public int doWork(long nowNs) {
        if (stopped || holdBack.getAsBoolean()) return 0;
        int frames;
        try {
            frames = drain.drain(MAX_BATCH);
        } catch (IOException | RuntimeException e) {
            if (!stopped) log.error("{}: reading failed, the wire is dead: {}", what, e.toString());
            stopped = true;
            loop.unwatch(fd);
            return 1;
        }
        if (frames > 0) loop.stayAwake(); // the device writes the frame to the host and interrupts: stay awake for what follows
        if (drain.holding() != holding) {
            // A readable descriptor would wake the loop at once, and it would spin on frames it may
            // not take; room comes back through link traffic (descriptor fetches, tail writes),
            // which wakes the loop, and every cycle looks again.
            holding = !holding;
            if (holding) loop.unwatch(fd);
            else loop.watch(fd);
        }
        if (periodic != null && nowNs - nextPeriodic >= 0) {
            nextPeriodic = nowNs + periodNs;
            periodic.run();
        }
        return frames;
    }

    @Override public void cycleEnded(long nowNs) {
        if (endOfCycle != null) endOfCycle.run();
    }

    @Override public long nextDeadlineNs() { return stopped ? Long.MAX_VALUE : nextPeriodic; }

    /**
     * Stops reading and waits until the loop no longer touches the descriptor (so the caller may
     * close it). Returns at once when the loop is closed.
     */
    void stop() {
        stopped = true;
        Runnable detach = () -> {
            if (endOfCycle != null) endOfCycle.run(); // what the device sent before the stop still leaves
            loop.unwatch(fd);
            loop.remove(this);
        };
        if (loop.inLoop()) {
            detach.run();
            return;
        }
        try {
            loop.call(() -> {
                detach.run();
                return null;
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the loop is closed (the endpoint went first): nothing reads any more
        }
    }
}
