package dev.vpcie.cli;

import dev.vpcie.vrc.Counter;
import dev.vpcie.vrc.RootComplex;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc serve}: the root complex stays up and serves its devices' DMA from host memory
 * until SIGINT/SIGTERM, printing its counters (with {@code --encap nettlp}: per UDP port and tag)
 * every {@code --stats-interval} and on the way out. With {@code --encap nettlp} this is the
 * host that NetTLP software devices (libtlp's dma_read, dma_write, tlpperf) talk to.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Stay up serving the devices' DMA from host memory until Ctrl-C, printing counters; with --encap nettlp, "
                + "the host side for NetTLP software devices (libtlp's dma_read, dma_write, tlpperf).")
final class VrcServeCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "0",
            description = "print counters every SECONDS (default: ${DEFAULT-VALUE}: only when stopping)") long statsSeconds;

    private final CountDownLatch stop = new CountDownLatch(1), stopped = new CountDownLatch(1);

    @Override public Integer call() throws Exception {
        if (statsSeconds < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--stats-interval must not be negative");
        Thread hook = Thread.ofPlatform().unstarted(this::stopFromSignal);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return vrc.run(this::serve);
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running and waits for us
            }
        }
    }

    private int serve(RootComplex rc) throws InterruptedException {
        PrintWriter out = vrc.out();
        out.printf("serving %d function(s) and %d MiB of host memory on %s; Ctrl-C stops%n", rc.devices().size(),
                rc.hostMemory().size() >> 20, rc.links().isEmpty() ? "nothing" : rc.links().getFirst().describe());
        out.flush();
        while (!stop.await(statsSeconds == 0 ? 1_000_000 : statsSeconds, TimeUnit.SECONDS)) print(rc, out);
        print(rc, out);
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

    private void stopFromSignal() {
        stop.countDown();
        try {
            stopped.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
