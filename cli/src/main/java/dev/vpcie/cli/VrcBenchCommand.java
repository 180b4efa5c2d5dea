package dev.vpcie.cli;

import dev.vpcie.protocol.link.LinkCounters;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.Bar;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.bench.DmaBench;
import dev.vpcie.vrc.bench.MmioBench;
import dev.vpcie.vrc.drivers.DmaTestDriver;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code vpcie vrc bench mmio|dma}: latency and bandwidth, each with the raw TLP ping-pong of the same run beside it. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "bench mmio: MMIO read round trip (median, p99, max); bench dma: dmatest bandwidth 64 B .. 1 MiB.")
final class VrcBenchCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Parameters(index = "0", paramLabel = "mmio|dma") String what;
    @Option(names = "-s", paramLabel = "BDF", description = "function to use (default: the first; for dma the first dmatest)") String slot;
    @Option(names = "--iterations", defaultValue = "20000", description = "MMIO reads to time (default: ${DEFAULT-VALUE})") int iterations;
    @Option(names = "--bar", description = "BAR for the MMIO reads (default: the first memory BAR)") Integer barIndex;
    @Option(names = "--offset", defaultValue = "0", description = "offset of the MMIO reads (default: ${DEFAULT-VALUE})") long offset;
    @Option(names = "--mode", split = ",", defaultValue = "read,write,copy", description = "DMA modes (default: ${DEFAULT-VALUE})")
    List<DmaBench.Mode> modes;
    @Option(names = "--bytes-per-size", defaultValue = "67108864", description = "bytes moved per size at most (default: ${DEFAULT-VALUE})")
    long bytesPerSize;
    @Option(names = "--seconds-per-size", defaultValue = "3", description = "seconds per size at most (default: ${DEFAULT-VALUE})")
    double secondsPerSize;
    @Option(names = "--sizes", split = ",", paramLabel = "BYTES", description = "command sizes (default: 64, 256, ... 1048576, powers of 4)")
    List<Long> sizes;

    @Override public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (!what.equals("mmio") && !what.equals("dma")) throw new CommandLine.ParameterException(cmd, "bench mmio or bench dma, not " + what);
        if (iterations < 1) throw new CommandLine.ParameterException(cmd, "--iterations must be positive");
        if (bytesPerSize < 1 || bytesPerSize > 1L << 40) throw new CommandLine.ParameterException(cmd, "--bytes-per-size must be 1..1099511627776: " + bytesPerSize);
        if (!(secondsPerSize > 0 && secondsPerSize <= 3600)) throw new CommandLine.ParameterException(cmd, "--seconds-per-size must be above 0, at most 3600: " + secondsPerSize);
        if (sizes != null && sizes.stream().anyMatch(s -> s < 1 || s > 1L << 30))
            throw new CommandLine.ParameterException(cmd, "--sizes must be 1 .. 1073741824 bytes each: " + sizes);
        return vrc.run(rc -> {
            PcieDevice d = pick(cmd, rc);
            PrintWriter out = vrc.out();
            if (what.equals("mmio")) {
                int bar = mmioBar(cmd, d);
                if (iterations >= 10_000) { // seconds of work: say what it is
                    vrc.err().printf("timing %d MMIO reads of %s BAR %d +0x%x, then the raw TLP ping-pong ...%n", iterations, d.name(), bar, offset);
                    vrc.err().flush();
                }
                int warmup = Math.min(1000, iterations);
                return printMmio(out, d, bar, warmup + iterations, MmioBench.run(d, bar, offset, warmup, iterations));
            } else {
                try (DmaTestDriver driver = new DmaTestDriver(d)) {
                    out.printf("dmatest on %s, MPS %d, MRRS %d%n", d.name(), d.maxPayloadSize(), d.maxReadRequestSize());
                    out.printf("%-6s %10s %9s %8s %11s %6s | %-25s %s%n", "mode", "size", "GB/s", "Gbit/s", "TLPs/s", "failed",
                            "VRC link: TLPs/frame out/in", "resent, timeouts, NAKs in/out");
                    out.flush();
                    long[] failed = {0};
                    DmaBench.Result r = DmaBench.run(driver, modes, sizes != null ? sizes : DmaBench.defaultSizes(), bytesPerSize,
                            (long) (secondsPerSize * 1e9), 10_000_000_000L, row -> { // each row as soon as it is measured
                                LinkCounters l = row.link();
                                failed[0] += row.failed();
                                out.printf(Locale.ROOT, "%-6s %10d %9.3f %8.2f %11.0f %6d | %12.1f %12.1f %s%n", row.mode().name().toLowerCase(Locale.ROOT),
                                        row.size(), row.gigabytesPerSecond(), row.gigabitsPerSecond(), row.tlpsPerSecond(), row.failed(),
                                        row.tlpsPerFrameSent(), row.tlpsPerFrameReceived(), l == null ? "-" : String.format(Locale.ROOT,
                                                " %d, %d, %d/%d", l.retransmits(), l.timeouts(), l.naksReceived(), l.naksSent()));
                                out.flush();
                            });
                    out.printf("raw TLP ping-pong (same run): %s%n", r.tlpPingPong());
                    if (failed[0] > 0) {
                        out.printf("FAILED: %d dmatest command(s) failed; the rows count them%n", failed[0]);
                        out.flush();
                        return 1;
                    }
                }
            }
            out.flush();
            return 0;
        });
    }

    /** The BAR to read: --bar or the first memory BAR; it and --offset checked against what enumeration found. */
    private int mmioBar(CommandLine cmd, PcieDevice d) {
        Bar bar;
        if (barIndex == null) {
            bar = d.bars().stream().filter(b -> b.isMemory() && b.assigned()).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(cmd, d.name() + " has no memory BAR"));
        } else {
            bar = d.bars().stream().filter(b -> b.index() == barIndex).findFirst().orElseThrow(() -> new CommandLine.ParameterException(cmd,
                    "--bar: " + d.name() + " has no BAR " + barIndex + " (it has " + d.bars().stream().map(Bar::index).toList() + ")"));
            if (!bar.isMemory() || !bar.assigned()) throw new CommandLine.ParameterException(cmd, "--bar: BAR " + barIndex + " of " + d.name()
                    + " is " + (bar.isMemory() ? "not assigned" : "an I/O BAR") + "; bench mmio reads a memory BAR");
        }
        if (offset < 0 || offset > bar.size() - 4 || (offset & 3) != 0)
            throw new CommandLine.ParameterException(cmd, String.format("--offset must be a multiple of 4 in 0..0x%x (BAR %d of %s is 0x%x bytes): 0x%x",
                    bar.size() - 4, bar.index(), d.name(), bar.size(), offset));
        return bar.index();
    }

    /**
     * The figures, or none when no read succeeded; failed reads are counted apart (by how they
     * ended) and make the status 1, so a run against a dead or restarted endpoint never passes
     * for a measurement.
     */
    private int printMmio(PrintWriter out, PcieDevice d, int bar, long planned, MmioBench.Result r) {
        if (r.mmioRead().count() > 0) {
            out.printf("MMIO read round trip, %s BAR %d +0x%x, 4 bytes: %s%n", d.name(), bar, offset, r.mmioRead());
            out.printf("raw TLP ping-pong (same run):          %s%n", r.tlpPingPong());
            out.printf("ratio of medians: %.2f%n", r.ratio());
        } else {
            out.printf("MMIO read round trip, %s BAR %d +0x%x, 4 bytes: no read succeeded%n", d.name(), bar, offset);
        }
        long notMade = r.notMade(planned);
        if (r.failed() == 0 && notMade == 0) {
            out.flush();
            return 0;
        }
        if (notMade > 0) out.printf("stopped: the link to %s went down; %d of %d reads (warm-up included) not made%n", d.name(), notMade, planned);
        if (r.failed() > 0) out.printf("FAILED: %d of %d reads failed (%s); they are not in the figures%n", r.failed(), r.made(),
                r.failures().entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                        .collect(java.util.stream.Collectors.joining(", ")));
        out.flush();
        return 1;
    }

    private PcieDevice pick(CommandLine cmd, RootComplex rc) {
        if (slot != null) {
            try {
                return rc.device(Bdf.parse(slot));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
        }
        return rc.devices().stream().filter(d -> !what.equals("dma") || d.vendorId() == 0x1AF4 && d.deviceId() == 0x10F0).findFirst()
                .orElseThrow(() -> new CommandLine.ParameterException(cmd, what.equals("dma")
                        ? "no dmatest function (1af4:10f0) found" : "no function found"));
    }
}
