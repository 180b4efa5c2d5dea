package dev.vpcie.protocol.agent;

import java.time.Duration;

/**
 * How an {@link AgentLoop}'s thread asks the kernel to schedule it, under the normal policy: a
 * nice value (its weight against the other runnable threads) and a requested slice (with the
 * EEVDF scheduler of Linux 6.12 and later, a thread that asks for a shorter slice than the running
 * one preempts it when it wakes; older kernels ignore it).
 *
 * <p>Why a data-path loop wants both (docs/performance.md, "Scheduling the loops"): on a small
 * machine the loop shares its CPUs with the JIT's compiler threads, the garbage collector, builds
 * and the very ping that measures it. With the defaults a woken loop waits for the running thread's
 * slice to end (up to a few ms), and a running loop is preempted for as long: that, not the work,
 * made the p99 of a ping through the NIC several ms.
 *
 * @param nice  -20..19; below the thread's current value needs {@code CAP_SYS_NICE}
 * @param slice 0 for the kernel's default, else 100 µs .. 100 ms
 */
public record LoopPriority(int nice, Duration slice) {
    /** The kernel's bounds for a requested slice (sched_runtime under SCHED_OTHER); first: the constants below use them. */
    public static final Duration MIN_SLICE = Duration.ofNanos(100_000), MAX_SLICE = Duration.ofMillis(100);
    /** Leaves the thread as the JVM started it. */
    public static final LoopPriority NORMAL = new LoopPriority(0, Duration.ZERO);
    /** The data path's default in the CLI: nice -10 (a weight ~9x a normal thread's) and a 100 µs slice. */
    public static final LoopPriority LATENCY = new LoopPriority(-10, Duration.ofNanos(100_000));

    public LoopPriority {
        if (nice < -20 || nice > 19) throw new IllegalArgumentException("nice must be -20..19: " + nice);
        if (slice == null || (!slice.isZero() && (slice.compareTo(MIN_SLICE) < 0 || slice.compareTo(MAX_SLICE) > 0)))
            throw new IllegalArgumentException("slice must be 0 (the kernel's) or 100 µs..100 ms: " + slice);
    }

    /** Whether this asks for nothing (the thread stays as it is). */
    public boolean isNormal() { return nice == 0 && slice.isZero(); }

    @Override public String toString() {
        return "nice " + nice + ", slice " + (slice.isZero() ? "the kernel's" : slice.toNanos() / 1000 + " µs");
    }
}
