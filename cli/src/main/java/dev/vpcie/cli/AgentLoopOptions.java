package dev.vpcie.cli;

import dev.vpcie.protocol.agent.AgentLoop;
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

    /** Checks the values (a usage error names the option). */
    void check() {
        if (awakeMicros != null) OptionChecks.range("--awake-window-us", awakeMicros, 0, AgentLoop.MAX_AWAKE_WINDOW.toNanos() / 1000);
    }

    /** Applies what was given to {@code loop} (else its defaults stay). */
    void applyTo(AgentLoop loop) {
        if (loop == null) return;
        if (awakeMicros != null) loop.awakeWindow(Duration.ofNanos(awakeMicros * 1000));
    }
}
