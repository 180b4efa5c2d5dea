package dev.vpcie.cli;

import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc serve}: holds the endpoints of the group, serves their DMA from host memory and
 * serves them to the other {@code vrc} commands of this host through its control socket, until
 * SIGINT/SIGTERM; so {@code lspci}, {@code config}, {@code mmio}, {@code dmatest}, {@code status}
 * and {@code capture} share one session instead of each taking the endpoints over. Prints its
 * counters (with {@code --encap nettlp}: per UDP port and tag) every {@code --stats-interval} and
 * on the way out. With {@code --encap nettlp} this is the host that NetTLP software devices
 * (libtlp's dma_read, dma_write, tlpperf) talk to.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Hold the endpoints and serve lspci, config, mmio, dmatest, status and capture to other commands on this host "
                + "through a control socket (/run/vpcie/IFACE-GROUP.sock as root, else under $XDG_RUNTIME_DIR), and the devices' DMA "
                + "from host memory, until Ctrl-C; with --encap nettlp, the host side for NetTLP software devices (libtlp's dma_read, "
                + "dma_write, tlpperf)."})
final class VrcServeCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "0",
            description = "print counters every SECONDS (default: ${DEFAULT-VALUE}: only when stopping)") long statsSeconds;

    @Option(names = "--no-endpoints", description = "start with no endpoint, as a host of the pool: take them with vrc claim "
            + "(without it every free endpoint that answers discovery, or those of --endpoint)") boolean noEndpoints;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override public Integer call() throws Exception {
        if (statsSeconds < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--stats-interval must not be negative");
        if (noEndpoints && !vrc.endpoints.isEmpty())
            throw new CommandLine.ParameterException(spec.commandLine(), "--no-endpoints and --endpoint exclude each other");
        vrc.noEndpoints = noEndpoints;
        // The socket is removed and the endpoints released before a shutdown lets the JVM go.
        try (var signals = StopSignals.onStop(this::stop, Duration.ofSeconds(30))) {
            return vrc.run(this::serve);
        }
    }

    private int serve(RootComplex rc) throws InterruptedException {
        PrintWriter out = vrc.out();
        java.nio.file.Path socket = vrc.socket();
        out.printf("serving %d function(s) (%s) and %d MiB of host memory on %s%s; Ctrl-C stops%n", rc.devices().size(),
                String.join(", ", rc.devices().stream().map(PcieDevice::name).toList()), rc.hostMemory().size() >> 20,
                rc.links().isEmpty() ? "nothing" : rc.links().getFirst().describe(), socket == null ? "" : ", control socket " + socket);
        out.flush();
        while (!stop.await(statsSeconds == 0 ? 1_000_000 : statsSeconds, TimeUnit.SECONDS)) print(rc, out);
        print(rc, out);
        out.println("stopped serving");
        out.flush();
        return 0;
    }

    private void print(RootComplex rc, PrintWriter out) {
        out.printf("dma reads %d (completions %d, refused %d), dma writes %d (refused %d), completion timeouts %d%n",
                rc.counters().get(Counter.DMA_READ), rc.counters().get(Counter.DMA_READ_COMPLETION), rc.counters().get(Counter.DMA_READ_REFUSED),
                rc.counters().get(Counter.DMA_WRITE), rc.counters().get(Counter.DMA_WRITE_REFUSED), rc.counters().get(Counter.COMPLETION_TIMEOUT));
        for (String line : vrc.linkStats()) out.println(line);
        out.flush();
    }

    /** Ends {@link #call} as Ctrl-C does. */
    void stop() { stop.countDown(); }
}
