package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.bench.LatencySummary;
import dev.vpcie.vrc.bench.NetTlpReaders;
import dev.vpcie.vrc.bench.NetTlpResponders;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vpcie nettlp-perf}: DMA read throughput as NetTLP's {@code tlpperf -d read} measures it,
 * parallel readers (one tag each) on the device side's address against a NetTLP host: a VRC in
 * NetTLP mode started in this process ({@code vrc}), the bare responder beside it as a baseline
 * ({@code bare}), or a host already running elsewhere ({@code external}: {@code vpcie vrc --encap
 * nettlp serve}, or a NetTLP adapter).
 */
@Command(name = "nettlp-perf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DMA read throughput through NetTLP's encapsulation, tlpperf-style: N readers, one tag and UDP port each, "
                + "one MRd in flight per reader. Prints Gbit/s, reads/s and the read latency per target, with the load average."})
final class NetTlpPerfCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Option(names = "--local", paramLabel = "ADDR", defaultValue = "127.0.0.2", description = "the readers' address (default: ${DEFAULT-VALUE})")
    String local;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "the NetTLP host's address (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--targets", paramLabel = "LIST", defaultValue = "bare,vrc", split = ",",
            description = "what to measure, in order: bare (baseline), vrc (a VRC in this process), external (a host at --host) "
                    + "(default: ${DEFAULT-VALUE})")
    List<String> targets;

    @Option(names = {"-N", "--threads"}, paramLabel = "N", defaultValue = "16", description = "readers (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--readers", paramLabel = "HOW", defaultValue = "threads",
            description = "threads: a thread per reader, as tlpperf; loop: every reader on one thread with epoll and recvmmsg, "
                    + "as the endpoint runs its reads (default: ${DEFAULT-VALUE})")
    String readers;

    @Option(names = {"-L", "--length"}, paramLabel = "BYTES", defaultValue = "4096", description = "bytes per MRd (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--region", paramLabel = "BYTES", defaultValue = "16777216", description = "bytes the reads walk over (default: ${DEFAULT-VALUE})")
    long region;

    @Option(names = {"-t", "--seconds"}, paramLabel = "S", defaultValue = "3", description = "seconds per target (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = {"-b", "--requester"}, paramLabel = "BB:DD", defaultValue = "01:00", description = "requester ID (default: ${DEFAULT-VALUE})")
    String requester;

    @Option(names = "--spin-us", paramLabel = "US", defaultValue = "50",
            description = "how long the host's loop spins after its last work before it blocks (default: ${DEFAULT-VALUE})")
    long spinUs;

    @Override public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        InetAddress localAddress = EncapOptions.address(cl, "--local", local), hostAddress = EncapOptions.address(cl, "--host", host);
        int rid = requesterId(cl);
        if (threads < 1 || threads > 256) throw new CommandLine.ParameterException(cl, "--threads must be 1..256: " + threads);
        if (length < 4 || length > 4096 || (length & 3) != 0)
            throw new CommandLine.ParameterException(cl, "--length must be 4..4096 whole DWs: " + length);
        if (region < 4096 || region > 3L << 30) throw new CommandLine.ParameterException(cl, "--region must be 4096..3 GiB: " + region);
        if (seconds <= 0) throw new CommandLine.ParameterException(cl, "--seconds must be positive");
        if (spinUs < 0 || spinUs > 1_000_000) throw new CommandLine.ParameterException(cl, "--spin-us must be 0..1000000: " + spinUs);
        NetTlpReaders.Mode mode = switch (readers) {
            case "threads" -> NetTlpReaders.Mode.THREADS;
            case "loop" -> NetTlpReaders.Mode.LOOP;
            default -> throw new CommandLine.ParameterException(cl, "--readers must be threads or loop: '" + readers + "'");
        };
        for (String t : targets)
            if (!List.of("bare", "vrc", "external").contains(t))
                throw new CommandLine.ParameterException(cl, "--targets takes bare, vrc and external: '" + t + "'");
        out.printf(Locale.ROOT, "nettlp-perf: %d readers (%s) x %d-byte MRd, %s -> %s, %.1f s per target, requester %s%n", threads, readers, length,
                local, host, seconds, Bdf.toString(rid));
        for (String target : targets) {
            String before = loadAverage();
            NetTlpReaders.Result r;
            try (NetTlpResponders.Host h = switch (target) {
                case "bare" -> NetTlpResponders.bare(hostAddress, localAddress, java.time.Duration.ofNanos(spinUs * 1000));
                case "vrc" -> NetTlpResponders.vrc(hostAddress, localAddress, rid, Math.max(1L << 20, region + 4095 & ~4095L),
                        java.time.Duration.ofNanos(spinUs * 1000));
                default -> () -> { };
            }) {
                r = NetTlpReaders.run(mode, localAddress, hostAddress, rid, threads, length, 0, region, seconds);
            } catch (java.io.IOException | IllegalArgumentException e) {
                cl.getErr().println("vpcie: nettlp-perf: " + target + ": " + e.getMessage());
                return 1;
            }
            LatencySummary l = r.latency();
            out.printf(Locale.ROOT, "%-8s %6.2f Gbit/s  %8.0f reads/s  read latency median %.1f us, p99 %.1f us  timeouts %d, errors %d  (load %s -> %s)%n",
                    target, r.gbitPerSecond(), r.readsPerSecond(), l.medianMicros(), l.p99Micros(), r.timeouts(), r.errors(), before, loadAverage());
            out.flush();
        }
        return 0;
    }

    private int requesterId(CommandLine cl) {
        String[] parts = requester.split(":");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            int bus = Integer.parseInt(parts[0], 16), devfn = Integer.parseInt(parts[1], 16);
            if (bus < 0 || bus > 255 || devfn < 0 || devfn > 255) throw new NumberFormatException();
            return bus << 8 | devfn;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cl, "--requester must be BB:DD in hex, e.g. 01:00: '" + requester + "'");
        }
    }


    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
