package dev.vpcie.vrc.nic;

import dev.vpcie.protocol.agent.AgentWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver's NAPI poll, one work of the root complex's loop: interrupt handlers (on the loop)
 * mark the vectors that fired, and the next cycle has the driver service them, within its budget;
 * vectors with work left are serviced again the cycle after. With busy polling (NicOptions#busyPoll)
 * it also looks at the rings in host memory for a while after traffic without waiting for an
 * interrupt. Paused while the driver's control thread resets the NIC. Every field is the loop's,
 * except the last activity, which a transmitting thread may set.
 */
final class RingPoll implements AgentWork {
    private static final Logger log = LoggerFactory.getLogger(RingPoll.class);

    /** What the poll drives: the driver's rings. */
    interface Rings {
        /** Services the vectors that fired (bit n for vector n); returns those with work left. */
        long service(long vectors);

        /** One look at the rings without an interrupt; true when it found work. */
        boolean busyPoll();

        /** False while the rings must not be touched (not set up, or the NIC unreachable). */
        boolean ready();
    }

    private final Rings rings;
    private final String name;
    private final long busyPollNs;
    long pending;
    boolean paused;
    /** Counts resets, so answers to reads issued before one are recognised. */
    int generation;
    /** A single MSI/INTx vector's service: masked and polling; a cause read in flight; an interrupt seen meanwhile. */
    boolean polling, causePending, missed;
    /** The last time a frame went out or came in: busy polling lasts {@code busyPollNs} from here. */
    private volatile long lastActivityNs;
    /**
     * The busy-poll window after the last activity has run out: no deadline until the next frame.
     * Without it the window's end stays the loop's deadline after it passed, and the loop never
     * blocks again (an idle NIC cost a whole CPU).
     */
    private volatile boolean windowOver = true;

    RingPoll(Rings rings, String name, long busyPollNs) {
        this.rings = rings;
        this.name = name;
        this.busyPollNs = busyPollNs;
    }

    /** A frame went out (any thread): busy polling watches for its answer. */
    void activity(long nowNs) {
        lastActivityNs = nowNs;
        windowOver = false;
    }

    /** Stops servicing until {@link #resume}; answers to reads issued before are to be dropped. */
    void pause() {
        paused = true;
        generation++;
    }

    /** Services again, forgetting vectors that fired while paused and any single-vector state. */
    void resume() {
        pending = 0;
        paused = false;
        polling = causePending = missed = false;
    }

    @Override public int doWork(long nowNs) {
        if (paused || !rings.ready()) return 0;
        long vectors = pending;
        pending = 0;
        if (vectors != 0) {
            activity(nowNs);
            try {
                pending |= rings.service(vectors);
            } catch (RuntimeException e) {
                log.error("{}: ring poll error", name, e);
            }
            return 1;
        }
        if (busyPollNs > 0 && !windowOver) {
            if (nowNs - lastActivityNs >= busyPollNs) {
                windowOver = true;
            } else if (rings.busyPoll()) {
                activity(nowNs);
                return 1;
            }
        }
        return 0;
    }

    @Override public long nextDeadlineNs() {
        if (paused || !rings.ready()) return Long.MAX_VALUE;
        if (pending != 0) return 0;
        return busyPollNs > 0 && !windowOver ? lastActivityNs + busyPollNs : Long.MAX_VALUE;
    }
}
