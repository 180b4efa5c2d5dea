package dev.vpcie.cli;

import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.cli.control.ControlServer;
import dev.vpcie.endpoint.DeviceRegistry;
import dev.vpcie.endpoint.Endpoint;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.endpoint.wire.LinkControl;
import dev.vpcie.endpoint.wire.Nic;
import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.transport.FaultInjectingTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpcie endpoint}: hosts device models behind the interconnect until SIGINT or SIGTERM.
 * Prints one status line when the endpoint is ready and one each time a VRC's session comes up or
 * goes down; logs go to stderr.
 *
 * <p>A NIC's {@code --wire}, {@code --wire-transport} and {@code --mac} belong to the
 * {@code --device} they follow. With NICs, link commands are read on standard input
 * ({@link LinkControl}).
 */
@Command(name = "endpoint", mixinStandardHelpOptions = true, sortOptions = false, subcommands = EndpointStatusCommand.class,
        description = {"Impersonate PCIe devices behind an ExpEther-style bridge: answer discovery in the group, "
                + "serve one VRC at a time, reset the devices when its session ends. Runs until SIGINT/SIGTERM."},
        footer = {"", "A NIC (e1000, igb) needs a --wire after its --device: the interface its frames go to; --wire-transport and --mac "
                + "after the same --device say how and with which address. E.g. --device igb --wire veth2 --device e1000 --wire vnic0 "
                + "--wire-transport tap --mac 02:00:00:00:00:01.",
                "With NICs, commands on stdin: link N down|up (the driver sees the link change), status, help.",
                "Devices: see --list-devices. Exit status: 0 after a clean shutdown (SIGINT or SIGTERM), 1 when the network cannot be used "
                + "(privileges, a failing transport), 2 for a usage error (unknown device, missing interface, bad option)."})
public final class EndpointCommand implements Callable<Integer> {

    /** The transports {@code --transport} accepts. */
    enum Transport { af_packet, pcap, udp }

    /** Replaced by tests with an in-memory network. */
    static volatile EndpointNetwork.Factory networks = EndpointNetworks::open;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    /** Idle-owner timeout without a group key (docs/security.md: squatting). */
    static final long DEFAULT_IDLE_OWNER_TIMEOUT_S = 30;

    @Option(names = "--iface", paramLabel = "IF", description = "interface of the interconnect, e.g. veth1 (af_packet and pcap)")
    String iface;

    @Option(names = "--group", paramLabel = "N", defaultValue = "0",
            description = "group ID = 802.1Q VLAN ID, 1..4094; 0 for untagged frames (default: ${DEFAULT-VALUE})")
    int group;

    @Option(names = "--transport", defaultValue = "af_packet",
            description = "af_packet, pcap or udp (default: ${DEFAULT-VALUE})")
    Transport transport;

    @Option(names = "--udp-listen", paramLabel = "HOST:PORT", description = "local address with --transport udp")
    String udpListen;

    @Option(names = "--udp-peer", paramLabel = "HOST:PORT", description = "the VRC's address with --transport udp (UDP links are point to point)")
    String udpPeer;

    /** The --device options in order, each with the NIC options that followed it. */
    final List<EndpointDevices.DeviceOption> devices = new ArrayList<>();
    /** How many values each per-device option had at its last call (picocli passes the list so far). */
    private final Map<String, Integer> seen = new HashMap<>();
    /** The first per-device option given wrongly (before any --device, or twice for one). */
    private String misplaced;

    @Option(names = "--device", paramLabel = "NAME", description = "a device to host, as the next function (repeatable, 1..8)")
    void device(List<String> names) {
        if (isNew("--device", names)) devices.add(new EndpointDevices.DeviceOption(names.getLast()));
    }

    @Option(names = "--wire", paramLabel = "IF",
            description = "the preceding NIC's wire: an interface (a veth to a peer, a real port), a TAP name, or an echo peer's IPv4 address")
    void wire(List<String> values) { perDevice("--wire", values, (d, v) -> d.wire = v, d -> d.wire); }

    @Option(names = "--wire-transport", paramLabel = "KIND",
            description = "how the preceding NIC's --wire is reached: af_packet (default), pcap, tap (create it), echo (in memory)")
    void wireTransport(List<String> values) { perDevice("--wire-transport", values, (d, v) -> d.wireTransport = v, d -> d.wireTransport); }

    @Option(names = "--mac", paramLabel = "MAC", description = "the preceding NIC's Ethernet address (default: made of the process ID and the function)")
    void mac(List<String> values) { perDevice("--mac", values, (d, v) -> d.mac = v, d -> d.mac); }

    /** Replaced by tests: where link commands come from. */
    InputStream commandInput = System.in;

    @Option(names = "--faults", paramLabel = "SPEC", description = "inject faults on the interconnect, e.g. loss=0.05 (tests and demos)")
    String faults;

    @CommandLine.Mixin CaptureOptions capture;

    @CommandLine.Mixin StatsOptions stats;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve the counters --stats-interval prints in the Prometheus text format at http://HOST:PORT/metrics")
    String metrics;

    @CommandLine.Mixin GroupKeyOption groupKey;

    @CommandLine.Mixin AgentLoopOptions agentLoop;

    @CommandLine.Mixin EncapOptions encap;

    @Option(names = "--idle-owner-timeout-s", paramLabel = "S",
            description = "a VRC that sent no TLP for this long loses the endpoint when another VRC asks for it; 0 = never "
                    + "(default: 30 without --group-key, 0 with it)")
    Long idleOwnerTimeoutSeconds;

    @Option(names = "--completion-timeout-ms", paramLabel = "MS", defaultValue = "250",
            description = "DMA completion timeout when software left the default (default: ${DEFAULT-VALUE})")
    long completionTimeoutMillis;

    @Option(names = "--agents", paramLabel = "N", defaultValue = "1",
            description = "agent threads to spread the functions over, round-robin by function number; the first also runs "
                    + "the link (1..8, default: ${DEFAULT-VALUE})")
    int agents;

    @Option(names = "--identities", paramLabel = "N", defaultValue = "1",
            description = "endpoint identities to host on --iface, each with its own copy of the --device functions (no NICs), "
                    + "its own discovery answer and its own VRC: host instances --instance .. --instance+N-1 of the interface's MAC, "
                    + "all on one agent thread (1..255, default: ${DEFAULT-VALUE})")
    int identities;

    @Option(names = "--instance", paramLabel = "N", defaultValue = "1",
            description = "host-instance ID of the (first) identity, 0..65534: endpoints that share a MAC differ by it; "
                    + "a VRC names one as --endpoint MAC/INSTANCE (default: ${DEFAULT-VALUE})")
    int instance;

    @Option(names = "--list-devices", description = "list the devices --device accepts and exit")
    boolean listDevices;

    @Option(names = "--trace", paramLabel = "FILE",
            description = "record every frame's hops inside the endpoint (JFR events) and write them to FILE at exit; "
                    + "`vpcie trace FILE` prints the median time per hop")
    Path trace;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (listDevices) {
            listDevices(out);
            return 0;
        }
        List<EndpointDevices.Device> planned = checkOptions();
        EndpointDevices hosted;
        try {
            hosted = EndpointDevices.open(planned);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--wire: " + e.getMessage());
        } catch (IOException e) {
            spec.commandLine().getErr().println("vpcie: endpoint: " + e.getMessage());
            return 1;
        }
        try (hosted) {
            return serve(hosted, out, trace == null ? null : HopRecording.start(trace));
        }
    }

    /** Serves until stopped; {@code recording} (or null) is written before a signal's shutdown may end the JVM. */
    private int serve(EndpointDevices hosted, PrintWriter out, HopRecording recording) throws Exception {
        EndpointNetwork network;
        EndpointNetwork.Options options = new EndpointNetwork.Options(iface, group, transport.name(), udpListen, udpPeer, faults, groupKey.file,
                capture.spec(), encap.nettlp() ? 0 : encap.etherType(spec.commandLine()), instance, null);
        try {
            network = encap.nettlp() ? NetTlpNetworks.endpoint(encap.localAddress(spec.commandLine()), encap.peerAddress(spec.commandLine()))
                    : networks.open(options);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (Exception e) {
            spec.commandLine().getErr().println("vpcie: endpoint: " + e.getMessage());
            return 1;
        }
        // Closed in reverse: the network, then the trace's recording (its file written), then the stop's
        // registration, which a shutdown waits for.
        try (var signals = StopSignals.onStop(this::stop, Duration.ofSeconds(30)); HopRecording r = recording; network) {
            EndpointConfig config = EndpointConfig.defaults()
                    .withCompletionTimeout(Duration.ofMillis(completionTimeoutMillis))
                    .withMaxPayloadLimit(EndpointConfig.payloadLimitFor(network.maxTlpLength()));
            Endpoint.Builder b = Endpoint.builder().config(config).agents(agents);
            if (network.loop() != null) b.loop(network.loop()); // one agent thread: link, router, functions
            hosted.addTo(b);
            Duration idleOwner = Duration.ofSeconds(idleOwnerTimeoutSeconds != null ? idleOwnerTimeoutSeconds
                    : groupKey.file == null ? DEFAULT_IDLE_OWNER_TIMEOUT_S : 0);
            try (Endpoint endpoint = b.build()) {
                endpoint.loops().forEach(agentLoop::applyTo);
                LinkControl links = hosted.start(endpoint);
                endpoint.addListener(new StatusLines(endpoint, out, identities > 1 ? " (instance " + instance + ")" : ""));
                endpoint.displaceIdleOwnerAfter(idleOwner);
                network.serve(endpoint);
                EndpointIdentities more;
                try {
                    more = EndpointIdentities.open(identities - 1, networks, options, network, config, fb -> {
                        EndpointDevices.plan(devices).forEach(d -> fb.function(d.function()));
                        return fb;
                    }, id -> {
                        id.endpoint().addListener(new StatusLines(id.endpoint(), out, " (instance " + id.instance() + ")"));
                        id.endpoint().displaceIdleOwnerAfter(idleOwner);
                    });
                } catch (Exception e) {
                    spec.commandLine().getErr().println("vpcie: endpoint: " + e.getMessage());
                    return 1;
                }
                try (more) {
                    if (serve(network, endpoint, more, hosted, links, out) != 0) return 1;
                }
            }
        }
        out.println("endpoint stopped");
        out.flush();
        return 0;
    }

    /** Serves the identities until stopped: status lines, counters, metrics, the control socket. */
    private int serve(EndpointNetwork network, Endpoint endpoint, EndpointIdentities more, EndpointDevices hosted, LinkControl links,
                      PrintWriter out) throws Exception {
        out.println("endpoint ready on " + network.describe() + ": " + endpoint.describeFunctions() + "; waiting for a VRC");
        if (identities > 1)
            out.println("  and " + (identities - 1) + " more identities with the same functions: instances " + (instance + 1) + ".."
                    + (instance + identities - 1) + ", one agent thread for all");
        for (LinkControl.Port p : links.ports())
            out.println("  00." + p.function() + " " + p.nic().model() + " " + p.nic().macAddress() + " wire " + p.wire().describe());
        out.flush();
        Supplier<List<String>> counters = () -> {
            List<String> lines = new ArrayList<>(network.stats());
            lines.addAll(StatsReport.lines(null, endpoint));
            lines.addAll(more.stats());
            return lines;
        };
        StatsReport report = StatsReport.start(stats.interval, counters, out);
        Metrics served;
        try {
            served = metrics == null ? null : Metrics.start(metrics, network::links, endpoint);
        } catch (IllegalArgumentException e) {
            report.close();
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            report.close();
            spec.commandLine().getErr().println("vpcie: endpoint: " + e.getMessage());
            return 1;
        }
        if (served != null) out.println("metrics on http://" + metrics.substring(0, metrics.lastIndexOf(':') + 1) + served.port() + "/metrics");
        out.flush();
        ControlServer control = EndpointStatusCommand.serve(controlSocket(spec.commandLine()), counters);
        try (report; AutoCloseable m = served == null ? () -> { } : served; AutoCloseable c = control == null ? () -> { } : control) {
            waitForStop(hosted, links, counters, out);
        }
        return 0;
    }

    /** Until SIGINT/SIGTERM (or {@link #stop}); with NICs, link commands are read from stdin meanwhile. */
    private void waitForStop(EndpointDevices hosted, LinkControl links, Supplier<List<String>> counters, PrintWriter out)
            throws InterruptedException {
        if (!hosted.hasNics()) {
            stop.await();
            return;
        }
        out.println("  commands on stdin: link N down|up, status, help");
        out.flush();
        EndpointLinkCommands commands = EndpointLinkCommands.start(links, counters, commandInput, out);
        try {
            stop.await();
        } finally {
            commands.close();
        }
    }

    /** The control socket of an endpoint on this interface and group ({@code endpoint status} asks it). */
    java.nio.file.Path controlSocket(CommandLine cl) {
        if (encap.nettlp()) return ControlPaths.socket("endpoint-nettlp-" + encap.local, 0);
        if (transport != Transport.udp && iface == null) throw new CommandLine.ParameterException(cl, "--iface is required with --transport " + transport);
        if (transport == Transport.udp && udpListen == null) throw new CommandLine.ParameterException(cl, "--udp-listen is required with --transport udp");
        return ControlPaths.socket("endpoint-" + (transport == Transport.udp ? "udp-" + udpListen : iface), group);
    }

    /** This endpoint's interconnect and group, for messages. */
    String where() {
        if (encap.nettlp()) return "NetTLP " + encap.local + " <-> " + encap.peer;
        return (transport == Transport.udp ? "udp " + udpListen : iface) + (group == 0 ? " untagged" : " group " + group);
    }

    /** Ends {@link #call} (as SIGINT/SIGTERM does). */
    void stop() { stop.countDown(); }

    private static void checkHostPort(CommandLine cl, String option, String value) {
        if (value == null) throw new CommandLine.ParameterException(cl, option + " HOST:PORT is required with --transport udp");
        int colon = value.lastIndexOf(':');
        String port = colon < 0 ? "" : value.substring(colon + 1);
        if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535)
            throw new CommandLine.ParameterException(cl, option + " must be HOST:PORT, e.g. 192.0.2.1:4791: " + value);
    }

    /** Whether {@code values} (the option's values so far) grew since the last call, i.e. a new one was given. */
    private boolean isNew(String option, List<String> values) {
        int before = seen.getOrDefault(option, 0);
        seen.put(option, values.size());
        return values.size() > before;
    }

    /** Gives a per-device option's new value to the --device before it; notes a misplaced one. */
    private void perDevice(String option, List<String> values, BiConsumer<EndpointDevices.DeviceOption, String> set,
                           java.util.function.Function<EndpointDevices.DeviceOption, String> get) {
        if (!isNew(option, values)) return;
        if (devices.isEmpty()) {
            if (misplaced == null) misplaced = option + " " + values.getLast() + " comes before any --device; it belongs to the --device it follows";
            return;
        }
        EndpointDevices.DeviceOption d = devices.getLast();
        if (get.apply(d) != null && misplaced == null)
            misplaced = option + " given twice for --device " + d.name + " (function " + (devices.size() - 1) + ")";
        set.accept(d, values.getLast());
    }

    private static void listDevices(PrintWriter out) {
        for (DeviceRegistry.DeviceType t : DeviceRegistry.types())
            out.printf("%-10s %s%s%n", t.name(), t.description(), Nic.isNic(t.name()) ? "; needs --wire" : "");
        out.flush();
    }

    private List<EndpointDevices.Device> checkOptions() {
        CommandLine cl = spec.commandLine();
        if (misplaced != null) throw new CommandLine.ParameterException(cl, misplaced);
        if (devices.isEmpty())
            throw new CommandLine.ParameterException(cl, "at least one --device is required; known devices: " + String.join(", ", DeviceRegistry.names()));
        if (devices.size() > 8) throw new CommandLine.ParameterException(cl, "at most 8 devices (functions 0..7 of device 0): " + devices.size() + " given");
        if (group < 0 || group > 4094) throw new CommandLine.ParameterException(cl, "--group must be 0..4094 (a VLAN ID; 0 = untagged): " + group);
        if (agents < 1 || agents > 8) throw new CommandLine.ParameterException(cl, "--agents must be 1..8: " + agents);
        checkIdentities(cl);
        try {
            OptionChecks.range("--completion-timeout-ms", completionTimeoutMillis, 1, VrcCommand.MAX_TIMEOUT_MILLIS);
            if (idleOwnerTimeoutSeconds != null) OptionChecks.range("--idle-owner-timeout-s (0 = never)", idleOwnerTimeoutSeconds, 0, 86_400);
            FaultInjectingTransport.Faults.parse(faults);
            if (groupKey.file != null) GroupKey.load(Path.of(groupKey.file));
            if (metrics != null) Interconnect.checkHostPort("--metrics", metrics);
            if (trace != null) OptionChecks.fileToWrite("--trace", trace);
            agentLoop.check();
            capture.spec();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        encap.check(cl, iface != null || udpListen != null || udpPeer != null || faults != null || group != 0 || capture.file != null
                || groupKey.file != null);
        if (!encap.nettlp()) switch (transport) {
            case af_packet, pcap -> {
                if (iface == null) throw new CommandLine.ParameterException(cl, "--iface is required with --transport " + transport);
                if (udpListen != null || udpPeer != null)
                    throw new CommandLine.ParameterException(cl, "--udp-listen and --udp-peer go with --transport udp only");
            }
            case udp -> {
                checkHostPort(cl, "--udp-listen", udpListen);
                checkHostPort(cl, "--udp-peer", udpPeer);
            }
        }
        try {
            return EndpointDevices.plan(devices);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    /** {@code --identities} and {@code --instance}: many identities share one interface and one thread. */
    private void checkIdentities(CommandLine cl) {
        if (instance < 0 || instance >= 0xFFFF) throw new CommandLine.ParameterException(cl, "--instance must be 0..65534: " + instance);
        if (identities < 1 || identities > 255) throw new CommandLine.ParameterException(cl, "--identities must be 1..255: " + identities);
        if (identities == 1) return;
        if (instance + identities - 1 >= 0xFFFF)
            throw new CommandLine.ParameterException(cl, "--instance " + instance + " with --identities " + identities + " goes past instance 65534");
        String alone = encap.nettlp() ? "--encap nettlp" : transport == Transport.udp ? "--transport udp" : capture.file != null ? "--capture"
                : metrics != null ? "--metrics" : agents > 1 ? "--agents" : devices.stream().anyMatch(d -> Nic.isNic(d.name)) ? "a NIC (--device with a --wire)" : null;
        if (alone != null)
            throw new CommandLine.ParameterException(cl, "--identities " + identities + " cannot go with " + alone
                    + ": identities share one interface and one thread (af_packet or pcap; dmatest and other devices without a wire)");
    }

    /** The one-line status messages. Runs on the link thread: prints and returns. */
    private static final class StatusLines implements Endpoint.SessionListener {
        private final Endpoint endpoint;
        private final PrintWriter out;
        /** Which identity, e.g. {@code " (instance 3)"}; empty when the process hosts one. */
        private final String who;

        StatusLines(Endpoint endpoint, PrintWriter out, String who) {
            this.endpoint = endpoint;
            this.out = out;
            this.who = who;
        }

        @Override public void up(TlpPort port, long epoch) {
            print("link up" + who + ": VRC " + port.describe() + "  epoch " + HexFormat.of().toHexDigits(epoch) + "  devices: " + endpoint.describeFunctions());
        }

        @Override public void down(TlpPort port, String reason) {
            print("link down" + who + ": VRC " + port.describe() + " (" + reason + "); devices reset, waiting for a VRC");
        }

        @Override public void refused(TlpPort port, TlpPort owner) {
            print("refused" + who + " VRC " + port.describe() + ": owned by " + owner.describe());
        }

        private void print(String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }
}
