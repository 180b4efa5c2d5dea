package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.nic.IrqMode;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicDrivers;
import dev.vpcie.vrc.nic.NicOptions;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The NIC driver options {@code vrc attach} and {@code vrc ping} share (a picocli mixin). */
final class VrcAttachDriverOptions {
    @Option(names = "--driver", defaultValue = "auto", description = "auto, e1000 or igb (default: ${DEFAULT-VALUE}: by device ID)")
    NicDrivers.Kind driver;

    @Option(names = "--irq", defaultValue = "auto", description = "auto, msix, msi or intx (default: ${DEFAULT-VALUE}; the e1000 has INTx only)")
    IrqMode irq;

    @Option(names = "--queues", defaultValue = "1", description = "RX queues spread by RSS, igb only, 1..8 (default: ${DEFAULT-VALUE})")
    int queues;

    @Option(names = "--mtu", defaultValue = "1500", description = "MTU 1500..9000; above 1500 enables jumbo frames (default: ${DEFAULT-VALUE})")
    int mtu;

    @Option(names = "--ring", defaultValue = "256", description = "descriptors per TX and RX ring, a multiple of 8 in 32..4096 (default: ${DEFAULT-VALUE})")
    int ring;

    @Option(names = "--itr", defaultValue = "0",
            description = "interrupt moderation, interrupts per second per vector; 0 is none (default: ${DEFAULT-VALUE})")
    int interruptRate;

    // 200 µs: measured at load 0.5-1.5, ping through igb 360 -> 280 µs and e1000 307 -> 251 µs median
    // (docs/performance.md); it spins only after a frame, so an idle NIC still costs nothing.
    @Option(names = "--busy-poll-us", defaultValue = "200",
            description = "after traffic, watch the rings this long before waiting for an interrupt: lower latency for a CPU "
                    + "while frames flow; 0 is off (default: ${DEFAULT-VALUE})")
    long busyPollMicros;

    @Option(names = "--link-wait-ms", defaultValue = "5000", description = "how long bring-up waits for the link (default: ${DEFAULT-VALUE})")
    long linkWaitMillis;

    /** The function at {@code bdfText}, or a usage error naming what was found. */
    static PcieDevice device(CommandLine cmd, RootComplex rc, String bdfText) {
        try {
            return rc.device(Bdf.parse(bdfText));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /** The driver options, checked; usage errors name the option. */
    NicOptions options(CommandLine cmd) {
        if (mtu < 1500 || mtu > 9000) throw new CommandLine.ParameterException(cmd, "--mtu must be 1500..9000: " + mtu);
        if (linkWaitMillis < 0 || linkWaitMillis > VrcCommand.MAX_TIMEOUT_MILLIS)
            throw new CommandLine.ParameterException(cmd, "--link-wait-ms must be 0.." + VrcCommand.MAX_TIMEOUT_MILLIS + ": " + linkWaitMillis);
        if (busyPollMicros < 0 || busyPollMicros > 1_000_000)
            throw new CommandLine.ParameterException(cmd, "--busy-poll-us must be 0..1000000: " + busyPollMicros);
        try {
            return NicOptions.defaults().withRings(ring, ring).withMaxFrameSize(mtu + 14).withIrqMode(irq).withRxQueues(queues)
                    .withInterruptRate(interruptRate).withLinkWait(Duration.ofMillis(linkWaitMillis))
                    .withBusyPoll(Duration.ofNanos(busyPollMicros * 1000));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    NicDriver open(CommandLine cmd, PcieDevice device) {
        return NicDrivers.open(device, driver, options(cmd));
    }
}
