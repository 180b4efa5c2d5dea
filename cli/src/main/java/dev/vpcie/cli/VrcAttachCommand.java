package dev.vpcie.cli;

import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicException;
import dev.vpcie.vrc.nic.NicStats;
import dev.vpcie.vrc.tap.TapBridge;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc attach BDF --tap NAME}: brings a remote NIC up with the VRC's own driver and
 * bridges it to a new TAP interface, so the host gains a network interface backed by the NIC.
 * Runs until SIGINT/SIGTERM, printing link changes and, on request, counters; on the way out the
 * NIC is reset and the TAP removed.
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = "Bring a NIC (e1000 or igb) up and bridge it to a TAP interface until Ctrl-C. "
                + "Give the TAP an address afterwards: ip addr add ADDR/LEN dev NAME.")
final class VrcAttachCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;
    @Mixin VrcAttachDriverOptions driverOptions;

    @Parameters(index = "0", paramLabel = "BDF", description = "the NIC, e.g. 01:00.0") String bdfText;

    @Option(names = "--tap", required = true, paramLabel = "NAME",
            description = "TAP interface to create (it must not exist; a pattern such as vpcie%%d is numbered by the kernel)")
    String tapName;
    @Option(names = "--no-offload", description = "plain frames on the TAP: no TSO or checksum offload to the NIC") boolean noOffload;
    @Option(names = "--no-up", description = "leave the TAP administratively down (bring it up yourself)") boolean noUp;
    @Option(names = "--no-gro", description = "hand each received frame to the TAP on its own: no merging of a poll's TCP segments "
            + "into one GSO frame, as the kernel's GRO would (with --no-offload there is none)") boolean noGro;
    @Mixin StatsOptions stats;
    @Option(names = "--trace", paramLabel = "FILE",
            description = "record every frame's points inside the VRC (JFR events) and write them to FILE at exit; "
                    + "`vpcie trace FILE [ENDPOINT-TRACE]` prints the median time per step, with an endpoint's trace the whole way")
    java.nio.file.Path trace;

    @Option(names = VrcService.ATTACH_SERVED, description = "attach the NIC inside the VRC that runs on this interconnect (vrc serve, attach or vm; "
            + "say, after vrc claim) and return: it stays attached until vrc release BDF or until that VRC stops")
    boolean servedOption;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (tapName.isEmpty() || tapName.length() > 15 || tapName.contains("/") || tapName.chars().anyMatch(c -> c <= ' ' || c > '~'))
            throw new CommandLine.ParameterException(cmd, "--tap must be an interface name of 1..15 printable characters: '" + tapName + "'");
        driverOptions.options(cmd);
        if (trace != null) {
            try {
                OptionChecks.fileToWrite("--trace", trace);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
        }
        PrintWriter out = vrc.out();
        PrintWriter err = cmd.getErr();
        // The recording closes (and writes its file) before the stop's registration, which a shutdown waits for.
        try (var signals = StopSignals.onStop(this::stop, Duration.ofSeconds(30));
             HopRecording recording = trace == null ? null : HopRecording.start(trace)) {
            return vrc.run(rc -> vrc.served != null ? attachServed(cmd, rc, out, err) : attach(cmd, rc, out, err));
        }
    }

    /**
     * {@code attach --served}, run by the VRC for a client: brings the NIC up and bridges it as
     * a foreground attach does, then leaves both to the VRC's pool ({@code vrc release} or the
     * VRC's end detaches them) and returns.
     */
    private int attachServed(CommandLine cmd, RootComplex rc, PrintWriter out, PrintWriter err) throws InterruptedException {
        if (trace != null) throw new CommandLine.ParameterException(cmd, "--trace goes with a foreground attach, not with " + VrcService.ATTACH_SERVED);
        PcieDevice device = VrcAttachDriverOptions.device(cmd, rc, bdfText);
        VrcPool pool = vrc.served.pool();
        if (pool.attached(device.bdf())) {
            err.println("vpcie: vrc attach: " + device.name() + " is attached already in this VRC (vrc release " + device.name() + " first)");
            return 1;
        }
        NicDriver driver;
        try {
            driver = driverOptions.open(cmd, device);
        } catch (NicException e) {
            err.println("vpcie: vrc attach: " + e.getMessage());
            return 1;
        }
        TapBridge bridge;
        try {
            bridge = TapBridge.start(driver, tapName, new TapBridge.Options(!noOffload, !noUp, !noOffload && !noGro));
        } catch (IOException | RuntimeException e) {
            driver.close();
            err.println("vpcie: vrc attach: " + e.getMessage());
            return 1;
        }
        pool.attach(device.bdf(), new VrcPool.Attachment(bridge.name(), () -> {
            try (driver) {
                bridge.close();
            }
        }));
        out.printf("%s: %s %s, MTU %d, bridged to %s in the running VRC, offloads %s%s; vrc release %s detaches it%n", device.name(),
                driver.chip(), driver.macAddress(), driver.maxFrameSize() - 14, bridge.name(), noOffload ? "off" : "on",
                noUp ? ", left down" : "", device.name());
        return 0;
    }

    private int attach(CommandLine cmd, RootComplex rc, PrintWriter out, PrintWriter err) throws InterruptedException {
        PcieDevice device = VrcAttachDriverOptions.device(cmd, rc, bdfText);
        vrc.context(rc).pool().hold(device.bdf());
        NicDriver driver;
        // Bring-up takes seconds (reset, NVM, PHY autonegotiation, the link): say so before it starts.
        out.printf("%s: bringing the NIC up (reset, NVM, PHY, rings), waiting up to %d ms for its link%n", device.name(),
                driverOptions.linkWaitMillis);
        out.flush();
        try {
            driver = driverOptions.open(cmd, device);
        } catch (NicException e) {
            err.println("vpcie: vrc attach: " + e.getMessage());
            return 1;
        }
        try (driver) {
            out.printf("%s: %s %s, %d RX queue(s), MTU %d%n", device.name(), driver.chip(), driver.macAddress(), driver.rxQueues(),
                    driver.maxFrameSize() - 14);
            TapBridge bridge;
            try {
                bridge = TapBridge.start(driver, tapName, new TapBridge.Options(!noOffload, !noUp, !noOffload && !noGro));
            } catch (IOException e) {
                err.println("vpcie: vrc attach: " + e.getMessage());
                return 1;
            }
            try (bridge) {
                out.printf("%s: bridged to %s, offloads %s%s; give it an address: ip addr add ADDR/LEN dev %s%n", bridge.name(),
                        device.name(), noOffload ? "off" : "on", noUp ? ", left down" : "", bridge.name());
                out.flush();
                bridge.onLinkChange(state -> {
                    out.println(device.name() + ": " + state);
                    out.flush();
                });
                try (StatsReport report = StatsReport.start(stats.interval, () -> {
                    List<String> lines = new ArrayList<>(List.of(counters(driver, bridge)));
                    lines.addAll(vrc.linkStats());
                    return lines;
                }, out)) {
                    stop.await();
                }
                out.println(counters(driver, bridge));
            }
            out.printf("%s: detached: NIC reset, %s removed%n", device.name(), tapName);
            out.flush();
        }
        return 0;
    }

    static String counters(NicDriver driver, TapBridge bridge) {
        TapBridge.Stats b = bridge.stats();
        return String.format(Locale.ROOT, "%s; %s: to NIC %d (TSO %d, checksum %d), to TAP %d (GRO runs %d), TAP drops %d, dropped %d",
                nicCounters(driver), bridge.name(), b.toNicFrames(), b.toNicSegmented(), b.toNicChecksum(), b.toTapFrames(),
                b.toTapMerged(), b.tapWriteDrops(), b.dropped());
    }

    /** The driver's counters: frames and bytes each way, ring-full waits, RX errors, interrupts, resets, the NIC's missed packets and pauses. */
    static String nicCounters(NicDriver driver) {
        NicStats s = driver.stats();
        return String.format(Locale.ROOT, "%s: tx %d frames %d bytes (ring full %d), rx %d frames %d bytes (errors %d), interrupts %d, "
                        + "resets %d, NIC missed %d, XOFF sent %d", driver.device().name(), s.txFrames(), s.txBytes(), s.txBusy(), s.rxFrames(),
                s.rxBytes(), s.rxErrors(), s.interrupts(), s.resets(), s.hardware("MPC"), s.hardware("XOFFTXC"));
    }

    /** Ends {@link #call} as Ctrl-C does. */
    void stop() { stop.countDown(); }

}
