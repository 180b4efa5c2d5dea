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
 * runs from the same duty cycle.
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

    private final AgentLoop loop;
    private final int fd;
    private final Source source;
    private final Inbound inbound;
    private final String what;
    private final java.util.function.BooleanSupplier holdBack;
    private final Runnable periodic;
    private final long periodNs;
    private long nextPeriodic;
    private volatile boolean stopped;

    private LoopReader(AgentLoop loop, java.util.function.BooleanSupplier holdBack, int fd, Source source, Inbound inbound, String what,
                       Runnable periodic, long periodNs) {
        this.loop = loop;
        this.holdBack = holdBack;
        this.fd = fd;
        this.source = source;
        this.inbound = inbound;
        this.what = what;
        this.periodic = periodic;
        this.periodNs = periodNs;
        this.nextPeriodic = periodic == null ? Long.MAX_VALUE : loop.nowNs() + periodNs;
    }

    /**
     * Starts reading descriptor {@code fd} on {@code host}'s loop (not while it holds back work);
     * {@code periodic} (or null) runs every {@code periodMs}.
     */
    static LoopReader start(FunctionHost host, int fd, Source source, Inbound inbound, String what, Runnable periodic, long periodMs) {
        AgentLoop loop = host.loop();
        LoopReader r = new LoopReader(loop, host::holdingBack, fd, source, inbound, what, periodic, TimeUnit.MILLISECONDS.toNanos(periodMs));
        loop.watch(fd);
        loop.add(r);
        return r;
    }

    @Override public int doWork(long nowNs) {
        if (stopped || holdBack.getAsBoolean()) return 0;
        List<byte[]> batch = new ArrayList<>(4);
        try {
            source.read(batch, MAX_BATCH);
        } catch (IOException | RuntimeException e) {
            if (!stopped) log.error("{}: reading failed, the wire is dead: {}", what, e.toString());
            stopped = true;
            loop.unwatch(fd);
            return 1;
        }
        if (!batch.isEmpty()) {
            loop.stayAwake(); // the device writes the frame to the host and interrupts: stay awake for what follows
            inbound.deliverNow(batch);
        }
        if (periodic != null && nowNs - nextPeriodic >= 0) {
            nextPeriodic = nowNs + periodNs;
            periodic.run();
        }
        return batch.size();
    }

    @Override public long nextDeadlineNs() { return stopped ? Long.MAX_VALUE : nextPeriodic; }

    /**
     * Stops reading and waits until the loop no longer touches the descriptor (so the caller may
     * close it). Returns at once when the loop is closed.
     */
    void stop() {
        stopped = true;
        Runnable detach = () -> {
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
