package dev.vpcie.cli;

import dev.vpcie.cli.control.ControlClient;
import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.cli.control.ControlProtocol;
import dev.vpcie.cli.control.ControlServer;
import dev.vpcie.endpoint.EndpointConfig;
import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.capture.CaptureSpec;
import dev.vpcie.protocol.link.GroupKey;
import dev.vpcie.protocol.link.TlpPort;
import dev.vpcie.protocol.transport.FaultInjectingTransport;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.RootComplexConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpcie vrc}: the Virtual Root Complex on the command line. Each subcommand connects to
 * the endpoints of the group, enumerates them with real configuration requests, does its job,
 * and closes the links.
 */
@Command(name = "vrc", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Virtual Root Complex: enumerate remote PCIe functions and access them.",
        subcommands = {VrcLspciCommand.class, VrcConfigCommand.class, VrcMmioCommand.class, VrcBenchCommand.class,
                VrcDmatestCommand.class, VrcAttachCommand.class, VrcPingCommand.class, VrcVmCommand.class,
                VrcServeCommand.class, VrcStatusCommand.class, VrcCaptureCommand.class, VrcPoolCommands.Release.class,
                VrcPoolCommands.Claim.class, VrcPoolCommands.Pool.class, VrcPoolCommands.Tree.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success; 1 the endpoints cannot be reached (none answered, the interface cannot be used) "
                + "or an access failed; 2 usage error."})
public final class VrcCommand implements Runnable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VrcCommand.class);

    /** The longest timeout any option takes: an hour, far beyond any use, far below an overflow. */
    static final long MAX_TIMEOUT_MILLIS = 3_600_000;

    /** The transports {@code --transport} accepts. */
    enum Transport { af_packet, pcap, udp }

    /** The connection {@link #run} works on, for {@link #linkStats}. */
    private volatile VrcConnector.Connection connection;
    /** The pool share of the VRC {@link #run} runs. */
    private volatile VrcPool pool;
    /** Set by {@code vrc serve --no-endpoints}: start with no endpoint, take them with {@code vrc claim}. */
    boolean noEndpoints;
    private long startedNs;

    /**
     * Set when this command runs inside a VRC for a client of its control socket: the subcommand
     * works on that VRC's root complex instead of connecting.
     */
    VrcService.Served served;

    /** How long a command waits for the running VRC it goes through (a dmatest there may take its whole timeout). */
    static final Duration CONTROL_TIMEOUT = Duration.ofMinutes(10);

    /** Replaced by tests with in-memory endpoints. */
    static volatile VrcConnector connector = VrcNetworks::connect;

    /** A subcommand's work on a connected, enumerated root complex. */
    @FunctionalInterface
    interface Task {
        int run(RootComplex rc) throws Exception;
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Option(names = "--iface", paramLabel = "IF", description = "interface of the interconnect, e.g. veth0 (af_packet and pcap)")
    String iface;

    @Option(names = "--group", paramLabel = "N", defaultValue = "0",
            description = "group ID = 802.1Q VLAN ID of the endpoints to use, 1..4094; 0 for untagged frames (default: ${DEFAULT-VALUE})")
    int group;

    @Option(names = "--transport", defaultValue = "af_packet", description = "af_packet, pcap or udp (default: ${DEFAULT-VALUE})")
    Transport transport;

    @Option(names = "--udp-listen", paramLabel = "HOST:PORT", description = "local address with --transport udp")
    String udpListen;

    @Option(names = "--udp-peer", paramLabel = "HOST:PORT", description = "the endpoint's address with --transport udp (UDP links are point to point)")
    String udpPeer;

    @Option(names = "--faults", paramLabel = "SPEC", description = "inject faults on the interconnect, e.g. loss=5 (tests and demos)")
    String faults;

    @CommandLine.Mixin CaptureOptions capture;

    @Option(names = "--discover-timeout-ms", paramLabel = "MS", defaultValue = "2000",
            description = "how long to look for endpoints, and to wait for their sessions (default: ${DEFAULT-VALUE})")
    long discoverTimeoutMillis;

    @CommandLine.Mixin GroupKeyOption groupKey;

    @CommandLine.Mixin AgentLoopOptions agentLoop;

    @CommandLine.Mixin EncapOptions encap;

    @Option(names = "--nettlp-split", paramLabel = "BYTES", defaultValue = "0",
            description = "with --encap nettlp: answer DMA reads that start on a DW boundary in CplDs of at most BYTES (128..4096); "
                    + "0: one CplD per MRd, which libtlp needs for unaligned reads (default: ${DEFAULT-VALUE})")
    int nettlpSplit;

    @Option(names = "--endpoint", paramLabel = "MAC[/INSTANCE]",
            description = "use only this endpoint (repeat for several, buses 01, 02, ... in this order); "
                    + "without it every free endpoint that answers discovery, by MAC")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--bus", paramLabel = "MAC[/INSTANCE]=N",
            description = "put this endpoint on bus N (1..255), whatever else answers and across restarts (its BARs are placed per bus); "
                    + "repeat for several; the others take the lowest bus that is neither used nor pinned")
    List<String> buses = new ArrayList<>();

    @Option(names = "--completion-timeout-ms", paramLabel = "MS", defaultValue = "500",
            description = "completion timeout; a read with no completion by then returns all-ones (default: ${DEFAULT-VALUE})")
    long completionTimeoutMillis;

    @Option(names = "--host-memory-mib", paramLabel = "MIB", defaultValue = "256", description = "host memory for device DMA (default: ${DEFAULT-VALUE})")
    long hostMemoryMib;

    @Option(names = "--force", description = "connect even when a VRC already runs on this interconnect (it loses the endpoints this one takes); "
            + "without it lspci, config, mmio, dmatest, status and capture go through the running VRC and the others refuse")
    boolean force;

    @Option(names = "--host-memory", paramLabel = "SIZE",
            description = "host memory for device DMA as a size: 64M, 1G, 131072 (bytes); instead of --host-memory-mib")
    String hostMemory;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /**
     * Connects, enumerates, runs {@code task} and closes everything. When the endpoints cannot be
     * reached it says why on stderr and returns 1; bad options are usage errors (status 2).
     */
    int run(Task task) throws Exception {
        CommandLine.ParseResult sub = spec.commandLine().getParseResult().subcommand();
        if (sub == null) return run(task, List.of("vrc")); // the Java API without a subcommand (tests): a session of its own
        List<String> args = new ArrayList<>();
        args.add(sub.commandSpec().name());
        args.addAll(absolutePaths(sub.commandSpec(), sub.expandedArgs()));
        return run(task, args);
    }

    /**
     * {@code args} with the values of {@code command}'s file options made absolute: a running VRC
     * that runs the command for us has a working directory of its own.
     */
    static List<String> absolutePaths(CommandLine.Model.CommandSpec command, List<String> args) {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            String token = out.get(i);
            int eq = token.indexOf('=');
            CommandLine.Model.OptionSpec o = token.startsWith("-") ? command.findOption(eq < 0 ? token : token.substring(0, eq)) : null;
            if (o == null || o.type() != java.nio.file.Path.class) continue;
            if (eq >= 0) out.set(i, token.substring(0, eq + 1) + java.nio.file.Path.of(token.substring(eq + 1)).toAbsolutePath());
            else if (i + 1 < out.size()) out.set(i + 1, java.nio.file.Path.of(out.get(++i)).toAbsolutePath().toString());
        }
        return out;
    }

    /**
     * Like {@link #run(Task)}; when a VRC already runs on this interconnect, a subcommand it
     * serves goes to it as {@code forward} (the subcommand's own arguments), and any other is
     * refused (it would take the endpoints over) unless {@code --force}.
     */
    int run(Task task, List<String> forward) throws Exception {
        if (served != null) return task.run(served.rc());
        CommandLine cl = spec.commandLine();
        checkOptions(cl);
        String name = forward.getFirst();
        java.nio.file.Path socket = socket();
        boolean needsRunning = VrcService.NEED_RUNNING.contains(name) || name.equals("attach") && forward.contains(VrcService.ATTACH_SERVED);
        if (!force) {
            if (VrcService.served(forward)) {
                java.util.Optional<ControlProtocol.Response> r;
                try {
                    r = ControlClient.call(socket, forward, CONTROL_TIMEOUT);
                } catch (java.io.IOException e) {
                    cl.getErr().println("vpcie: vrc: " + e.getMessage());
                    return 1;
                }
                if (r.isPresent()) {
                    out().print(r.get().out());
                    out().flush();
                    err().print(r.get().err());
                    err().flush();
                    return r.get().exit();
                }
            } else if (ControlClient.listening(socket)) {
                cl.getErr().println("vpcie: vrc: a VRC already runs on " + where() + " (control socket " + socket + "); " + name
                        + " would take its endpoints over: stop it, or give --force");
                return 1;
            }
        }
        if (name.equals("capture")) { // a capture of a session of its own would end with the command: --capture does that
            cl.getErr().println("vpcie: vrc capture: no VRC runs on " + where() + " (start one: vrc serve, attach or vm; "
                    + "or give any vrc command --capture FILE)");
            return 1;
        }
        if (needsRunning) { // the pool's commands act on a running VRC's endpoints; a session of their own would end with them
            cl.getErr().println("vpcie: vrc " + name + ": no VRC runs on " + where() + " (start one: vrc serve, attach or vm"
                    + (force ? "; and without --force" : "") + ")");
            return 1;
        }
        boolean serving = VrcService.SERVING.contains(name);
        if (serving) {
            StatsOptions.requested = true; // frames and TLPs each way for vrc status
            RuntimeCapture.offered = true;
        }
        // One loop runs the VRC's data path: the links, the root complex, the drivers' rings.
        try (AgentLoop loop = AgentLoop.start("vrc")) {
            agentLoop.applyTo(loop);
            return run(task, loop, socket, serving, name);
        }
    }

    /**
     * Every session listens on the socket while it holds the endpoints: the serving subcommands
     * to run the others' commands, the rest only to turn them away (a second session would take
     * the endpoints over mid-way).
     */
    private int run(Task task, AgentLoop loop, java.nio.file.Path socket, boolean serving, String name) throws Exception {
        startedNs = System.nanoTime();
        VrcConnector.Connection connection = connect(loop);
        if (connection == null) return 1;
        this.connection = connection;
        try (connection) {
            RootComplex rc = new RootComplex(config(connection), loop);
            try (rc) {
                BusPins pins = busPins(spec.commandLine());
                for (TlpPort port : connection.ports()) rc.attach(port, pins.busFor(port, rc, 0));
                try {
                    connection.awaitUp();
                } catch (Exception e) {
                    spec.commandLine().getErr().println("vpcie: vrc: " + e.getMessage());
                    return 1;
                }
                List<dev.vpcie.vrc.PcieDevice> found = rc.enumerate();
                if (encap.nettlp()) NetTlpHost.prepare(rc, found, nettlpSplit);
                pool = new VrcPool(rc, connection, pins, Duration.ofMillis(discoverTimeoutMillis));
                ControlServer.Handler handler = serving ? new VrcService(new VrcService.Served(rc, connection, socket, where(), System.nanoTime(), pool))
                        : args -> ControlProtocol.Response.error(1, "a vrc " + name + " holds the endpoints on " + where() + " until it ends; try again then");
                ControlServer server;
                try {
                    server = ControlServer.start(socket, handler, force);
                } catch (ControlServer.AlreadyServedException e) { // another VRC started meanwhile
                    spec.commandLine().getErr().println("vpcie: vrc: " + e.getMessage());
                    return 1;
                } catch (java.io.IOException e) {
                    log.warn("no control socket {}: {}; other commands on this host will not find this VRC", socket, e.getMessage());
                    server = null;
                }
                try (VrcPool attachedForClients = pool; AutoCloseable ignored = server == null ? () -> { } : server) {
                    return task.run(rc);
                }
            }
        }
    }

    /** The VRC a subcommand works on: the running one it was sent to, or this command's own session. */
    VrcService.Served context(RootComplex rc) {
        return served != null ? served : new VrcService.Served(rc, connection, null, where(), startedNs, pool);
    }

    /** The control socket of a VRC on this command's interconnect and group. */
    java.nio.file.Path socket() {
        if (encap.nettlp()) return ControlPaths.socket("nettlp-" + encap.local, 0);
        return ControlPaths.socket(transport == Transport.udp ? "udp-" + udpPeer : iface, group);
    }

    /** This command's interconnect and group, for messages. */
    String where() {
        if (encap.nettlp()) return "NetTLP " + encap.local + " <-> " + encap.peer;
        return (transport == Transport.udp ? "udp " + udpPeer : iface) + (group == 0 ? " untagged" : " group " + group);
    }

    private VrcConnector.Connection connect(AgentLoop loop) throws Exception {
        CommandLine cl = spec.commandLine();
        checkOptions(cl);
        Interconnect.Options o = new Interconnect.Options(iface, group, transport.name(), udpListen, udpPeer, faults, groupKey.file,
                captureSpec(cl), encap.etherType(cl));
        List<EndpointSelector> selected = selectors(cl);
        VrcConnector used = encap.nettlp() ? NetTlpNetworks.connector(encap.localAddress(cl), encap.peerAddress(cl))
                : noEndpoints ? VrcNetworks::connectNone : connector;
        try {
            return used.connect(new VrcConnector.Target(o, discoverTimeoutMillis, selected, loop));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        } catch (Exception e) { // unreachable endpoints, privileges, a busy port: said plainly, status 1
            cl.getErr().println("vpcie: vrc: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return null;
        }
    }

    private CaptureSpec captureSpec(CommandLine cl) {
        try {
            return capture.spec();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private List<EndpointSelector> selectors(CommandLine cl) {
        List<EndpointSelector> list = new ArrayList<>();
        try {
            for (String e : endpoints) list.add(EndpointSelector.parse(e));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        if (list.size() > RootComplex.MAX_BUSES)
            throw new CommandLine.ParameterException(cl, "at most " + RootComplex.MAX_BUSES + " --endpoint options (one bus each)");
        return list;
    }

    private BusPins busPins(CommandLine cl) {
        try {
            return BusPins.parse(buses);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private RootComplexConfig config(VrcConnector.Connection connection) {
        // MPS: at most 256 bytes (the benchmarks' TLP size), and never more than the link carries.
        int mps = Math.min(256, EndpointConfig.payloadLimitFor(connection.maxTlpLength()));
        return RootComplexConfig.defaults().withHostMemorySize(hostMemoryBytes(spec.commandLine()))
                .withCompletionTimeout(Duration.ofMillis(completionTimeoutMillis)).withPayloadSizes(mps, 512);
    }

    private void checkOptions(CommandLine cl) {
        if (group < 0 || group > 4094) throw new CommandLine.ParameterException(cl, "--group must be 0..4094 (a VLAN ID; 0 = untagged): " + group);
        try {
            OptionChecks.range("--completion-timeout-ms", completionTimeoutMillis, 1, MAX_TIMEOUT_MILLIS);
            OptionChecks.range("--discover-timeout-ms", discoverTimeoutMillis, 1, MAX_TIMEOUT_MILLIS);
            FaultInjectingTransport.Faults.parse(faults);
            BusPins.parse(buses);
            if (groupKey.file != null) GroupKey.load(Path.of(groupKey.file));
            agentLoop.check();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        // Host memory sits at bus address 0 and must end below the 32-bit MMIO window at 0xe0000000.
        if (hostMemoryMib <= 0 || hostMemoryMib > 3072) throw new CommandLine.ParameterException(cl, "--host-memory-mib must be 1..3072: " + hostMemoryMib);
        hostMemoryBytes(cl);
        encap.check(cl, iface != null || udpListen != null || udpPeer != null || faults != null || group != 0 || !endpoints.isEmpty()
                || capture.file != null || groupKey.file != null);
        if (nettlpSplit != 0 && (!encap.nettlp() || nettlpSplit < 128 || nettlpSplit > 4096 || Integer.bitCount(nettlpSplit) != 1))
            throw new CommandLine.ParameterException(cl, "--nettlp-split goes with --encap nettlp and is 128, 256, ... 4096: " + nettlpSplit);
        if (encap.nettlp()) return;
        try {
            switch (transport) {
                case af_packet, pcap -> {
                    if (iface == null) throw new IllegalArgumentException("--iface is required with --transport " + transport + " (the interconnect interface)");
                    if (udpListen != null || udpPeer != null) throw new IllegalArgumentException("--udp-listen and --udp-peer go with --transport udp only");
                }
                case udp -> {
                    Interconnect.checkHostPort("--udp-listen", udpListen);
                    Interconnect.checkHostPort("--udp-peer", udpPeer);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    /** Host memory in bytes: {@code --host-memory SIZE} when given (K, M, G suffixes; a multiple of 4 KiB, 128 KiB..3 GiB), else {@code --host-memory-mib}. */
    long hostMemoryBytes(CommandLine cl) {
        if (hostMemory == null) return hostMemoryMib << 20;
        if (cl.getParseResult() != null && cl.getParseResult().hasMatchedOption("--host-memory-mib"))
            throw new CommandLine.ParameterException(cl, "give --host-memory or --host-memory-mib, not both");
        String v = hostMemory.trim().toUpperCase(java.util.Locale.ROOT);
        int shift = v.endsWith("K") ? 10 : v.endsWith("M") ? 20 : v.endsWith("G") ? 30 : 0;
        long bytes;
        try {
            bytes = Long.parseLong(shift == 0 ? v : v.substring(0, v.length() - 1)) << shift;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "--host-memory takes a size such as 64M, 1G or a number of bytes: '" + hostMemory + "'");
        }
        if (bytes < 128 << 10 || bytes > 3L << 30 || (bytes & 4095) != 0)
            throw new CommandLine.ParameterException(cl, "--host-memory must be a multiple of 4 KiB from 128K to 3G: '" + hostMemory + "'");
        return bytes;
    }

    /** The interconnect's counters while {@link #run} runs, as {@code stats} lines. */
    List<String> linkStats() {
        VrcConnector.Connection c = connection;
        return c == null ? List.of() : c.stats();
    }

    PrintWriter out() { return spec.commandLine().getOut(); }

    PrintWriter err() { return spec.commandLine().getErr(); }
}
