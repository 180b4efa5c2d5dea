package dev.vpcie.cli;

import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpcie vrc}: the Virtual Root Complex on the command line. Each subcommand connects to
 * the endpoints of the group, enumerates them with real configuration requests, does its job,
 * and closes the links.
 */
@Command(name = "vrc", mixinStandardHelpOptions = true,
        description = "Virtual Root Complex: enumerate remote PCIe functions and access them.",
        subcommands = {VrcLspciCommand.class, VrcConfigCommand.class, VrcMmioCommand.class, VrcBenchCommand.class,
                CommandLine.HelpCommand.class})
public final class VrcCommand implements Runnable {

    /** Replaced by tests with in-memory endpoints. */
    static volatile VrcConnector connector = VrcConnector.UNAVAILABLE;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--iface", paramLabel = "IF", description = "interface of the interconnect, e.g. veth0")
    String iface;

    @Option(names = "--group", defaultValue = "0", description = "group ID (VLAN) of the endpoints to use (default: ${DEFAULT-VALUE})")
    int group;

    @Option(names = "--transport", defaultValue = "af_packet", description = "af_packet, pcap or udp (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--discover-timeout-ms", defaultValue = "2000", description = "how long to look for endpoints (default: ${DEFAULT-VALUE})")
    long discoverTimeoutMillis;

    @Option(names = "--completion-timeout-ms", defaultValue = "50",
            description = "completion timeout; a read with no completion by then returns all-ones (default: ${DEFAULT-VALUE})")
    long completionTimeoutMillis;

    @Option(names = "--host-memory-mib", defaultValue = "256", description = "host memory for device DMA (default: ${DEFAULT-VALUE})")
    long hostMemoryMib;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** Connects, enumerates and returns a ready root complex; the caller closes it. */
    RootComplex open() throws Exception {
        if (!transport.equals("af_packet") && !transport.equals("pcap") && !transport.equals("udp"))
            throw new CommandLine.ParameterException(spec.commandLine(), "--transport must be af_packet, pcap or udp: " + transport);
        if (iface == null && connector == VrcConnector.UNAVAILABLE)
            throw new CommandLine.ParameterException(spec.commandLine(), "--iface is required (the interconnect interface)");
        if (completionTimeoutMillis <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "--completion-timeout-ms must be positive");
        RootComplex rc = new RootComplex(RootComplexConfig.defaults().withHostMemorySize(hostMemoryMib << 20)
                .withCompletionTimeout(Duration.ofMillis(completionTimeoutMillis)));
        try {
            for (TlpPort port : connector.connect(new VrcConnector.Target(iface, group, transport, discoverTimeoutMillis)))
                rc.attach(port);
            rc.enumerate();
            return rc;
        } catch (Exception | Error e) {
            rc.close();
            throw e;
        }
    }

    PrintWriter out() { return spec.commandLine().getOut(); }
}
