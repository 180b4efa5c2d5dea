package dev.vpcie.bench;

import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.transport.AfPacketTransport;
import dev.vpcie.protocol.transport.FrameTransport;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code scripts/bench link}: the reliable link over a veth pair between two fresh network
 * namespaces, for each transport: TLP ping-pong round trips beside kernel {@code ping} on the
 * same veth, then streams of 64- and 256-byte memory writes. The echo side runs in a second JVM
 * inside the other namespace ({@code LinkBench echo ...}); this process measures. Needs root.
 */
public final class LinkBench {
    private LinkBench() {}

    /** What to run; see {@link #usage()}. */
    record Options(List<BenchTransport> transports, int pings, long intervalNanos, int warmup,
                   Map<Integer, Integer> streams, int group, int mtu, Duration busyPoll, AfPacketTransport.Options afPacket) {
        /** The link settings both ends use. */
        LinkConfig linkConfig(int instance) {
            LinkConfig c = LinkConfig.defaults().withGroup(group).withHostInstance(instance);
            return busyPoll == null ? c : c.withBusyPoll(busyPoll);
        }
    }

    record Row(BenchTransport transport, Histogram tlp, Histogram raw, Histogram ping, List<ClientRole.StreamResult> streams, String error) {}

    public static void main(String[] args) {
        try {
            if (args.length > 0 && (args[0].equals("echo") || args[0].equals("raw-echo"))) {
                echo(args[0].equals("raw-echo"), Arrays.copyOfRange(args, 1, args.length));
                return;
            }
            run(parse(args));
        } catch (IllegalArgumentException e) {
            System.err.println("bench link: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("bench link: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    static String usage() {
        return """
                usage: scripts/bench link [--transports af_packet,pcap,udp] [--pings N] [--interval-us N]
                                          [--stream SIZE:COUNT,...] [--group G] [--mtu M] [--busy-poll-us N]
                                          [--af-packet-rx ring|recvmsg] [--qdisc-bypass on|off]
                  --transports   which transports to measure (default af_packet,pcap,udp)
                  --pings        round trips per transport, TLP and kernel ping alike (default 2000)
                  --interval-us  spacing of the round trips, as ping -i (default 1000)
                  --stream       write streams as payload bytes:count (default 64:1000000,256:400000)
                  --group        group ID = VLAN ID of the link's frames, 0 for untagged (default 0)
                  --mtu          MTU of the veth pair (default 1500)
                  --busy-poll-us how long the link threads spin for work before blocking (default: the link's default)
                  --af-packet-rx how AF_PACKET receives: memory-mapped ring or recvmsg (default ring)
                  --qdisc-bypass AF_PACKET sends past the queueing discipline (default off)""";
    }

    static Options parse(String[] args) {
        List<BenchTransport> transports = List.of(BenchTransport.values());
        int pings = 2000, group = 0, mtu = 1500;
        Duration busyPoll = null;
        AfPacketTransport.Options afPacket = AfPacketTransport.Options.DEFAULT;
        long interval = 1_000_000;
        Map<Integer, Integer> streams = new LinkedHashMap<>(Map.of());
        streams.put(64, 1_000_000);
        streams.put(256, 400_000);
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (key.equals("-h") || key.equals("--help")) {
                System.out.println(usage());
                System.exit(0);
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(key + " needs a value");
            String value = args[++i];
            switch (key) {
                case "--transports" -> transports = Arrays.stream(value.split(",")).map(BenchTransport::parse).toList();
                case "--pings" -> pings = positive(key, value);
                case "--interval-us" -> interval = positive(key, value) * 1000L;
                case "--group" -> group = Integer.parseInt(value);
                case "--mtu" -> mtu = positive(key, value);
                case "--busy-poll-us" -> busyPoll = Duration.ofNanos(Long.parseLong(value) * 1000);
                case "--af-packet-rx" -> afPacket = switch (value) {
                    case "ring" -> afPacket.withRxRing(true);
                    case "recvmsg" -> afPacket.withRxRing(false);
                    default -> throw new IllegalArgumentException("--af-packet-rx is ring or recvmsg, not '" + value + "'");
                };
                case "--qdisc-bypass" -> afPacket = switch (value) {
                    case "on" -> afPacket.withQdiscBypass(true);
                    case "off" -> afPacket.withQdiscBypass(false);
                    default -> throw new IllegalArgumentException("--qdisc-bypass is on or off, not '" + value + "'");
                };
                case "--stream" -> {
                    streams = new LinkedHashMap<>();
                    for (String s : value.split(",")) {
                        String[] p = s.split(":");
                        if (p.length != 2) throw new IllegalArgumentException("--stream wants SIZE:COUNT, got '" + s + "'");
                        int size = positive("--stream size", p[0]);
                        if (size % 4 != 0 || size > 4096) throw new IllegalArgumentException("stream payload must be 4..4096 bytes in whole DWs: " + size);
                        streams.put(size, positive("--stream count", p[1]));
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + key);
            }
        }
        if (group < 0 || group > 4094) throw new IllegalArgumentException("--group must be 0..4094");
        return new Options(transports, pings, interval, 20_000, streams, group, mtu, busyPoll, afPacket);
    }

    private static int positive(String key, String value) {
        int v;
        try {
            v = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " wants a number, got '" + value + "'");
        }
        if (v <= 0) throw new IllegalArgumentException(key + " must be positive: " + v);
        return v;
    }

    static void run(Options o) throws Exception {
        String why = NetNamespace.unavailableReason();
        if (why != null) throw new IllegalStateException("the link benchmark " + why + "; run it as root");
        String header = header(o);
        System.err.println(header);
        List<Row> rows = new ArrayList<>();
        try (VethTestbed testbed = VethTestbed.create("bench")) {
            if (o.mtu() != 1500) testbed.veth().mtu(o.mtu());
            for (BenchTransport t : o.transports()) {
                System.err.println("bench link: " + t.label + " ...");
                rows.add(measure(testbed, t, o));
            }
        }
        System.out.println();
        System.out.println(header);
        System.out.println(table(rows, o));
    }

    private static Row measure(VethTestbed testbed, BenchTransport kind, Options o) {
        try {
            Histogram raw = measureRaw(testbed, kind, o);
            return measureLink(testbed, kind, o, raw);
        } catch (IOException | RuntimeException e) {
            return new Row(kind, null, null, null, List.of(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Row(kind, null, null, null, List.of(), "interrupted");
        }
    }

    /** The transport alone: frames bounced by a second process, no link. */
    private static Histogram measureRaw(VethTestbed testbed, BenchTransport kind, Options o) throws IOException, InterruptedException {
        Process echo = startEcho(testbed, kind, o, "raw-echo");
        try {
            String[] ready = awaitReady(echo, kind);
            try (FrameTransport transport = kind.openIn(testbed.a(), testbed.interfaceA(), VethTestbed.ADDRESS_A, VethTestbed.ADDRESS_B, o.afPacket())) {
                return RawEcho.pingPong(transport, MacAddress.parse(ready[1]), o.warmup(), o.pings(), o.intervalNanos());
            }
        } finally {
            stop(echo);
        }
    }

    private static Row measureLink(VethTestbed testbed, BenchTransport kind, Options o, Histogram raw) throws IOException, InterruptedException {
        Process echo = startEcho(testbed, kind, o, "echo");
        try {
            String[] ready = awaitReady(echo, kind);
            MacAddress echoMac = MacAddress.parse(ready[1]);
            int echoInstance = Integer.parseInt(ready[2]);
            try (FrameTransport transport = kind.openIn(testbed.a(), testbed.interfaceA(), VethTestbed.ADDRESS_A, VethTestbed.ADDRESS_B, o.afPacket());
                 LinkEndpoint endpoint = LinkEndpoint.start(transport, o.linkConfig(1))) {
                Link link = endpoint.connect(echoMac, echoInstance);
                if (!link.awaitUp(Duration.ofSeconds(10)))
                    throw new IOException("no link session with the echo side over " + transport.name());
                ClientRole client = new ClientRole(link);
                // Warm-up, so that both JVMs have compiled the paths being measured.
                client.pingPong(o.warmup(), 0, 0);
                client.stream(200_000, 64);
                Histogram ping = KernelPing.run(testbed.a(), VethTestbed.ADDRESS_B, o.pings(), o.intervalNanos());
                Histogram tlp = client.pingPong(0, o.pings(), o.intervalNanos());
                List<ClientRole.StreamResult> streams = new ArrayList<>();
                for (Map.Entry<Integer, Integer> s : o.streams().entrySet()) {
                    LinkCounters before = link.counters();
                    streams.add(client.stream(s.getValue(), s.getKey()));
                    LinkCounters after = link.counters();
                    System.err.printf(Locale.ROOT, "bench link: %s %d B: %d frames for %d TLPs, %d retransmitted, %d timeouts, %d NAKs received%n",
                            kind.label, s.getKey(), after.framesSent() - before.framesSent(), after.tlpsSent() - before.tlpsSent(),
                            after.retransmits() - before.retransmits(), after.timeouts() - before.timeouts(),
                            after.naksReceived() - before.naksReceived());
                }
                return new Row(kind, tlp, raw, ping, streams, null);
            }
        } finally {
            stop(echo);
        }
    }

    private static void stop(Process echo) {
        try {
            echo.getOutputStream().close();
            if (!echo.waitFor(10, TimeUnit.SECONDS)) echo.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            echo.destroyForcibly();
        } catch (InterruptedException e) {
            echo.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Process startEcho(VethTestbed testbed, BenchTransport kind, Options o, String role) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The same JVM settings, except recording, profiling and debugging, which belong to the measuring side.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (!arg.startsWith("-XX:StartFlightRecording") && !arg.startsWith("-agent") && !arg.startsWith("-javaagent")
                    && !arg.startsWith("-Xrunjdwp")) argv.add(arg);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), LinkBench.class.getName(), role,
                "--transport", kind.cliName(), "--device", testbed.interfaceB(), "--local", VethTestbed.ADDRESS_B,
                "--peer", VethTestbed.ADDRESS_A, "--group", Integer.toString(o.group()),
                "--busy-poll-us", Long.toString(o.linkConfig(EchoRole.INSTANCE).busyPoll().toNanos() / 1000),
                "--af-packet-rx", o.afPacket().rxRing() ? "ring" : "recvmsg", "--qdisc-bypass", o.afPacket().qdiscBypass() ? "on" : "off"));
        Path log = Files.createTempFile("vpcie-bench-echo-", ".log");
        log.toFile().deleteOnExit();
        return new ProcessBuilder(testbed.b().command(argv)).redirectError(log.toFile()).start();
    }

    private static String[] awaitReady(Process echo, BenchTransport kind) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null && !l.startsWith("READY ")) {
                    // Anything the JVM prints before the echo side is up.
                }
                return l;
            } catch (IOException e) {
                return null;
            }
        });
        String ready;
        try {
            ready = line.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            ready = null;
        }
        if (ready == null || !ready.startsWith("READY ")) {
            echo.destroyForcibly();
            throw new IOException("the " + kind.label + " echo process did not start" + (ready == null ? "" : ": " + ready));
        }
        return ready.split(" ");
    }

    private static void echo(boolean raw, String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
        AfPacketTransport.Options afPacket = AfPacketTransport.Options.DEFAULT
                .withRxRing(!"recvmsg".equals(a.get("--af-packet-rx"))).withQdiscBypass("on".equals(a.get("--qdisc-bypass")));
        BenchTransport kind = BenchTransport.parse(a.getOrDefault("--transport", "af_packet"));
        if (raw) {
            RawEcho.run(kind, a.get("--device"), a.get("--local"), a.get("--peer"), afPacket);
            return;
        }
        LinkConfig config = LinkConfig.defaults().withGroup(Integer.parseInt(a.getOrDefault("--group", "0")))
                .withHostInstance(EchoRole.INSTANCE);
        if (a.containsKey("--busy-poll-us")) config = config.withBusyPoll(Duration.ofNanos(Long.parseLong(a.get("--busy-poll-us")) * 1000));
        EchoRole.run(kind, a.get("--device"), a.get("--local"), a.get("--peer"), afPacket, config);
    }

    static String header(Options o) {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException e) {
            // Leave it unknown.
        }
        String load = "?";
        try {
            load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            // Leave it unknown.
        }
        return String.format(Locale.ROOT, "vpcie link benchmark, %s; Linux %s, %d CPUs (%s), load %s; JDK %s%n"
                        + "veth between two namespaces, MTU %d, %s; link threads busy-poll %d µs; AF_PACKET %s%s;%n"
                        + "round trips %s, %d of each",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), System.getProperty("os.version"),
                Runtime.getRuntime().availableProcessors(), cpu, load, Runtime.version(), o.mtu(),
                o.group() == 0 ? "untagged" : "group " + o.group() + " (802.1Q tagged)", o.linkConfig(1).busyPoll().toNanos() / 1000,
                o.afPacket().rxRing() ? "rx ring" : "recvmsg", o.afPacket().qdiscBypass() ? ", qdisc bypass" : "",
                o.intervalNanos() > 0 ? o.intervalNanos() / 1000 + " µs apart" : "back to back", o.pings());
    }

    static String table(List<Row> rows, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nRound trip, median / p99 (µs)   TLP through the link | raw frame, no link |      kernel ping | TLP / ping%n"));
        for (Row r : rows) {
            if (r.error() != null) {
                sb.append(String.format(Locale.ROOT, "  %-30s failed: %s%n", r.transport().label, r.error()));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "  %-30s %9.1f / %7.1f | %7.1f / %7.1f | %6.1f / %6.1f | %8.1fx%n",
                    r.transport().label, micros(r.tlp(), 50), micros(r.tlp(), 99), micros(r.raw(), 50), micros(r.raw(), 99),
                    micros(r.ping(), 50), micros(r.ping(), 99), micros(r.tlp(), 50) / micros(r.ping(), 50)));
        }
        sb.append(String.format(Locale.ROOT, "%nStreaming MemWr through the link"));
        for (int size : o.streams().keySet()) sb.append(String.format(Locale.ROOT, " | %5d B: TLPs/s   Gbit/s", size));
        sb.append(System.lineSeparator());
        for (Row r : rows) {
            if (r.error() != null) continue;
            sb.append(String.format(Locale.ROOT, "  %-30s  ", r.transport().label));
            for (ClientRole.StreamResult s : r.streams())
                sb.append(String.format(Locale.ROOT, " | %,14.0f %8.2f", s.tlpsPerSecond(), s.payloadGbps()));
            int disorder = r.streams().stream().mapToInt(ClientRole.StreamResult::outOfOrder).sum();
            if (disorder > 0) sb.append("  (").append(disorder).append(" out of order!)");
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static double micros(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }
}
