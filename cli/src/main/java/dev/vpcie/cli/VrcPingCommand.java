package dev.vpcie.cli;

import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicException;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import dev.vpcie.vrc.nic.ping.PingSummary;
import dev.vpcie.vrc.nic.ping.Pinger;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc ping BDF DEST}: ICMP echo through a remote NIC with the VRC's own driver and
 * no TAP, for hosts where no TAP can be made. Prints what {@code ping} prints, plus median and
 * 99th percentile. Exit status as ping's: 0 with at least one reply, 1 with none, 2 usage.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Send ICMP echo requests through a NIC (e1000 or igb) without a TAP; ARP for DEST first. "
                + "DEST must be on the NIC's Ethernet segment.")
final class VrcPingCommand implements java.util.concurrent.Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;
    @Mixin VrcAttachDriverOptions driverOptions;
    @Mixin StatsOptions stats;

    @Parameters(index = "0", paramLabel = "BDF", description = "the NIC, e.g. 01:00.0") String bdfText;
    @Parameters(index = "1", paramLabel = "DEST", description = "IPv4 address to ping") String destText;

    @Option(names = "-c", paramLabel = "COUNT", defaultValue = "0", description = "stop after COUNT requests (default: until Ctrl-C)") int count;
    @Option(names = "-i", paramLabel = "INTERVAL", defaultValue = "1", description = "seconds between requests (default: ${DEFAULT-VALUE})")
    double interval;
    @Option(names = "-s", paramLabel = "SIZE", defaultValue = "56", description = "payload bytes (default: ${DEFAULT-VALUE})") int size;
    @Option(names = "-t", paramLabel = "TTL", defaultValue = "64", description = "IP time to live (default: ${DEFAULT-VALUE})") int ttl;
    @Option(names = "-W", paramLabel = "TIMEOUT", defaultValue = "2",
            description = "seconds to wait for replies after the last request (default: ${DEFAULT-VALUE})") double linger;
    @Option(names = "--source", paramLabel = "IP",
            description = "our IPv4 address (default: DEST's /24 with host part 254, or 253 when DEST ends in .254)") String sourceText;
    @Option(names = "--source-mac", paramLabel = "MAC", description = "our Ethernet address (default: the NIC's; another one turns on promiscuous mode)")
    String sourceMacText;

    /** Set by SIGINT/SIGTERM (or tests): stop sending and print the summary. */
    private final AtomicBoolean stop = new AtomicBoolean();

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        Ipv4Address dest = parseIp(cmd, destText, "DEST");
        Ipv4Address source = sourceText != null ? parseIp(cmd, sourceText, "--source") : defaultSource(dest);
        if (count < 0) throw new CommandLine.ParameterException(cmd, "-c must not be negative");
        if (!(interval >= 0) || interval > 3600) throw new CommandLine.ParameterException(cmd, "-i must be 0..3600 seconds: " + interval);
        if (!(linger >= 0) || linger > 3600) throw new CommandLine.ParameterException(cmd, "-W must be 0..3600 seconds: " + linger);
        if (size < 8 || size > 65499) throw new CommandLine.ParameterException(cmd, "-s must be 8..65499 (8 bytes carry the send time): " + size);
        if (ttl < 1 || ttl > 255) throw new CommandLine.ParameterException(cmd, "-t must be 1..255: " + ttl);
        if (dest.isMulticastOrBroadcast()) throw new CommandLine.ParameterException(cmd, "cannot ping broadcast or multicast " + dest);
        MacAddress sourceMac = null;
        if (sourceMacText != null) {
            try {
                sourceMac = MacAddress.parse(sourceMacText);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--source-mac: " + e.getMessage());
            }
            if (sourceMac.isMulticast() || sourceMac.bits() == 0)
                throw new CommandLine.ParameterException(cmd, "--source-mac must be a unicast address: " + sourceMac);
        }
        driverOptions.options(cmd); // usage errors before connecting
        PrintWriter out = vrc.out();
        PrintWriter err = cmd.getErr();
        if (sourceText == null) err.println("ping: no --source given; using " + source);

        // A shutdown waits for the summary and the NIC's reset.
        try (var signals = StopSignals.onStop(this::stop, Duration.ofSeconds(30))) {
            final MacAddress chosenMac = sourceMac;
            return vrc.run(rc -> ping(cmd, rc, dest, source, chosenMac, out, err));
        }
    }

    private int ping(CommandLine cmd, RootComplex rc, Ipv4Address dest, Ipv4Address source, MacAddress sourceMac, PrintWriter out,
                     PrintWriter err) throws InterruptedException {
        PcieDevice device = VrcAttachDriverOptions.device(cmd, rc, bdfText);
        NicDriver driver;
        try {
            driver = driverOptions.open(cmd, device);
        } catch (NicException e) {
            err.println("vpcie: vrc ping: " + e.getMessage());
            return 1;
        }
        try (driver) {
            MacAddress mac = sourceMac != null ? sourceMac : driver.macAddress();
            if (sourceMac != null && !sourceMac.equals(driver.macAddress())) driver.setPromiscuous(true);
            if (!driver.link().up()) err.println("vpcie: vrc ping: " + device.name() + ": " + driver.link() + "; trying anyway");
            Pinger.Settings settings = Pinger.Settings.defaults(dest, source, mac).withCount(count)
                    .withInterval(Duration.ofNanos((long) (interval * 1e9))).withPayloadSize(size).withTtl(ttl)
                    .withLinger(Duration.ofNanos((long) (linger * 1e9)));
            out.printf("PING %s (%s) from %s %s (%s %s): %d(%d) bytes of data.%n", dest, dest, source, device.name(), driver.chip(), mac,
                    size, size + 28);
            out.flush();
            try (Pinger pinger = new Pinger(driver, settings)) {
                try {
                    pinger.resolve();
                } catch (NicException e) {
                    err.println("vpcie: vrc ping: " + e.getMessage());
                    return 1;
                }
                PingSummary summary;
                try (StatsReport report = StatsReport.start(stats.interval, () -> {
                    List<String> lines = new ArrayList<>(List.of(VrcAttachCommand.nicCounters(driver)));
                    lines.addAll(vrc.linkStats());
                    return lines;
                }, out)) {
                    summary = pinger.run(reply -> {
                        out.println(reply.format()); // a whole line at once: the stats thread prints too
                        out.flush();
                    }, stop::get);
                }
                out.println();
                out.print(summary.format());
                out.flush();
                return summary.received() > 0 ? 0 : 1;
            }
        }
    }

    /** Ends the run as Ctrl-C does: the summary is printed and the NIC reset before the JVM exits. */
    void stop() { stop.set(true); }

    static Ipv4Address defaultSource(Ipv4Address dest) {
        return dest.withLastOctet(dest.lastOctet() == 254 ? 253 : 254);
    }

    private static Ipv4Address parseIp(CommandLine cmd, String text, String what) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, what + ": " + e.getMessage());
        }
    }
}
