package dev.vpcie.cli;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.agent.CpuAffinity;
import java.io.IOException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How the data path's agent loop spins and where it runs, the same on the endpoint and the VRC
 * (docs/performance.md, "Staying awake across an exchange").
 */
final class AgentLoopOptions {

    /**
     * How long the loop keeps spinning after an exchange began (a doorbell, a frame, a TLP from the
     * peer) instead of sleeping, so the exchange's DMA round trips and its answer do not each wait
     * for a sleeping thread to wake.
     */
    @Option(names = "--awake-window-us", paramLabel = "US",
            description = "after a doorbell, a frame or a TLP from the peer, keep the agent loop spinning this long instead of "
                    + "sleeping (0..10000; 0 turns it off; an idle loop still sleeps; default: 300)")
    Long awakeMicros;

    @Option(names = "--agent-cpu", paramLabel = "CPU", description = "keep the agent loop's thread on this CPU (default: anywhere)")
    Integer cpu;

    /** Checks the values (a usage error names the option). */
    void check() {
        if (awakeMicros != null) OptionChecks.range("--awake-window-us", awakeMicros, 0, AgentLoop.MAX_AWAKE_WINDOW.toNanos() / 1000);
        if (cpu != null) OptionChecks.range("--agent-cpu", cpu, 0, CpuAffinity.MAX_CPUS - 1);
    }

    /** Applies what was given to {@code loop} (else its defaults stay); fails as pinning did. */
    void applyTo(AgentLoop loop) throws IOException {
        if (loop == null) return;
        if (awakeMicros != null) loop.awakeWindow(Duration.ofNanos(awakeMicros * 1000));
        if (cpu != null) loop.pinTo(cpu);
    }
}
