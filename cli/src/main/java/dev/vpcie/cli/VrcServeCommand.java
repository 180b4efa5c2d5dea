package dev.vpcie.cli;

import dev.vpcie.vrc.PcieDevice;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc serve}: holds the endpoints of the group and serves them to the other
 * {@code vrc} commands of this host through its control socket, until SIGINT/SIGTERM; so
 * {@code lspci}, {@code config}, {@code mmio}, {@code dmatest}, {@code status} and
 * {@code capture} share one session instead of each taking the endpoints over.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Hold the endpoints and serve lspci, config, mmio, dmatest, status and capture to other commands on this host "
                + "through a control socket (/run/vpcie/IFACE-GROUP.sock as root, else under $XDG_RUNTIME_DIR), until Ctrl-C.")
final class VrcServeCommand implements Callable<Integer> {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    private final CountDownLatch stop = new CountDownLatch(1), stopped = new CountDownLatch(1);

    @Override public Integer call() throws Exception {
        Thread hook = Thread.ofPlatform().unstarted(() -> {
            stop.countDown();
            try {
                stopped.await(30, TimeUnit.SECONDS); // the socket is removed and the endpoints released before the JVM goes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return vrc.run(rc -> {
                vrc.out().printf("serving %d function(s) (%s) on %s; Ctrl-C to stop%n", rc.devices().size(),
                        String.join(", ", rc.devices().stream().map(PcieDevice::name).toList()), vrc.socket());
                vrc.out().flush();
                stop.await();
                vrc.out().println("stopped serving");
                vrc.out().flush();
                return 0;
            });
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running and waits for the clean-up
            }
        }
    }

    /** Ends {@link #call} as Ctrl-C does (tests). */
    void stop() { stop.countDown(); }
}
