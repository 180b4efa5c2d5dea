package dev.vpcie.devices.spi;

/**
 * Deferred work on the function's own thread, with time passed in rather than read from the wall:
 * the host supplies the clock, so tests drive a fake one (see {@link TimerQueue}).
 *
 * <p>A task runs on the function's thread no earlier than its deadline, between two other calls
 * into the function (never during one), and in deadline order; tasks with equal deadlines run in
 * the order they were scheduled. {@code schedule(0, task)} therefore means "after the events
 * already queued": models use it to break long work (a large DMA) into steps so MMIO accesses
 * interleave with it.
 */
public interface Timers {

    /** The host's monotonic time in nanoseconds (the clock deadlines are measured against). */
    long nowNs();

    /** Runs {@code task} on the function's thread {@code delayNs} (at least 0) from now. */
    Timer schedule(long delayNs, Runnable task);

    /** A scheduled task. */
    interface Timer {
        /** Stops the task from running if it has not run yet; returns whether it was still pending. */
        boolean cancel();

        /** Whether the task is still waiting to run. */
        boolean pending();
    }
}
