package dev.vpcie.protocol.agent;

/** Something the duty cycle polls; all calls on the loop's thread. */
public interface AgentWork {
    /** Polls this source without blocking, does all the work it brings; returns how much (0 = idle). */
    int doWork(long nowNs);

    /** Earliest time this source needs doWork again without an event; Long.MAX_VALUE if none. */
    default long nextDeadlineNs() { return Long.MAX_VALUE; }

    /** The loop is stopping (on the loop's thread). */
    default void onClose() {}
}
