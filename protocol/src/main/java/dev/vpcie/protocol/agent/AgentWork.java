package dev.vpcie.protocol.agent;

/**
 * A source of work that an {@link AgentLoop} polls on every duty cycle: a transport, a link, a
 * device's timers, a NIC's wire, a TAP. Every method is called on the loop's thread only, so an
 * implementation is single-threaded and never needs a lock for what only the loop touches.
 *
 * <p>{@code doWork} must not block: it looks at its source (a non-blocking read, a queue poll, a
 * clock comparison), does all the work it finds (bounded per call where a source could bring
 * unbounded work, so the other sources are not starved) and says how much it did. The loop blocks
 * only when a whole cycle found nothing, and then at most until the earliest
 * {@link #nextDeadlineNs}.
 */
public interface AgentWork {

    /** Polls this source without blocking and does the work it brings; returns how much (0 = idle). */
    int doWork(long nowNs);

    /** The earliest time this source needs {@link #doWork} without an event; {@code Long.MAX_VALUE} if none. */
    default long nextDeadlineNs() { return Long.MAX_VALUE; }

    /**
     * Every work's {@link #doWork} of this duty cycle has run: send what this work queued during
     * the cycle — also on behalf of the others, as a NIC's wire queues the frames a device
     * transmits from another work's callback — so that nothing waits past the cycle it was made
     * in. Must not block. Called once per cycle, busy or idle, so an idle call must be cheap.
     */
    default void cycleEnded(long nowNs) {}

    /** The loop is stopping or the work was removed: release what the loop thread owns. */
    default void onClose() {}
}
