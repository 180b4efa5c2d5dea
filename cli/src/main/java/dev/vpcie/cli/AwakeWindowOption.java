package dev.vpcie.cli;

import dev.vpcie.protocol.agent.AgentLoop;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --awake-window-us US}, the same on the endpoint and the VRC: how long the agent loop keeps
 * spinning after an exchange began (a doorbell, a frame, a TLP from the peer) instead of sleeping,
 * so that the exchange's DMA round trips and its answer do not each wait for a sleeping thread
 * to wake (docs/performance.md, "Staying awake across an exchange").
 */
final class AwakeWindowOption {

    @Option(names = "--awake-window-us", paramLabel = "US",
            description = "after a doorbell, a frame or a TLP from the peer, keep the agent loop spinning this long instead of "
                    + "sleeping (0..10000; 0 turns it off; an idle loop still sleeps; default: 300)")
    Long micros;

    /** Checks the value (a usage error names the option). */
    void check() {
        if (micros != null) OptionChecks.range("--awake-window-us", micros, 0, AgentLoop.MAX_AWAKE_WINDOW.toNanos() / 1000);
    }

    /** Sets the window of {@code loop} when the option was given (else the loop's default stays). */
    void applyTo(AgentLoop loop) {
        if (micros != null && loop != null) loop.awakeWindow(Duration.ofNanos(micros * 1000));
    }
}
