package dev.vpcie.cli;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.LoopPriority;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How the data path's agent loop spins, the same on the endpoint and the VRC (docs/performance.md). */
final class AgentLoopOptions {

    /**
     * How long the loop keeps spinning after an exchange began (a doorbell, a frame, a TLP from the
     * peer) instead of sleeping, so the exchange's DMA round trips and its answer do not each wait
     * for a sleeping thread to wake.
     */
    @Option(names = "--awake-window-us", paramLabel = "US",
            description = "after a doorbell, a frame or a TLP from the peer, keep the agent loop spinning this long instead of "
                    + "sleeping (0..10000; an idle loop still sleeps; default: 0, off)")
    Long awakeMicros;

    /**
     * The loop thread's nice value: below the other threads', so that a woken loop is not kept
     * waiting by a compiler thread or a build (docs/performance.md, "Scheduling the loops").
     */
    @Option(names = "--loop-nice", paramLabel = "N",
            description = "nice value of the agent loop's thread, -20..19 (default: ${DEFAULT-VALUE}; below 0 needs root or "
                    + "CAP_SYS_NICE, else the loop keeps its nice value and says so)")
    int nice = LoopPriority.LATENCY.nice();

    /** The loop thread's requested slice: a short one lets it preempt at once when it wakes (Linux 6.12+). */
    @Option(names = "--loop-slice-us", paramLabel = "US",
            description = "scheduler slice the agent loop's thread asks for, 100..100000 µs, or 0 for the kernel's "
                    + "(default: ${DEFAULT-VALUE}; Linux 6.12 and later)")
    long sliceMicros = LoopPriority.LATENCY.slice().toNanos() / 1000;

    /** Checks the values (a usage error names the option). */
    void check() {
        if (awakeMicros != null) OptionChecks.range("--awake-window-us", awakeMicros, 0, AgentLoop.MAX_AWAKE_WINDOW.toNanos() / 1000);
        OptionChecks.range("--loop-nice", nice, -20, 19);
        if (sliceMicros != 0) OptionChecks.range("--loop-slice-us", sliceMicros, LoopPriority.MIN_SLICE.toNanos() / 1000,
                LoopPriority.MAX_SLICE.toNanos() / 1000);
    }

    /** Applies what was given to {@code loop} (else its defaults stay). */
    void applyTo(AgentLoop loop) {
        if (loop == null) return;
        if (awakeMicros != null) loop.awakeWindow(Duration.ofNanos(awakeMicros * 1000));
        LoopPriority p = new LoopPriority(nice, Duration.ofNanos(sliceMicros * 1000));
        if (!p.isNormal()) loop.priority(p);
    }
}
