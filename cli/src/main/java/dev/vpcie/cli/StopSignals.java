package dev.vpcie.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM as a request to stop a long-running command: the command's own
 * stop action runs, the command cleans up and returns, and the process exits with the command's
 * status (0 after a clean stop). The JVM's default would start its shutdown at once and exit
 * 130 or 143 whatever the command did, which scripts and systemd read as a failure.
 *
 * <p>{@code sun.misc.Signal} is the JDK's supported way (module jdk.unsupported) to replace the
 * default handlers; there is no java.* equivalent. A second signal while the first stop is still
 * under way goes to the default handler: the JVM's shutdown (hooks still clean up) with 128 +
 * the signal's number, so a stuck clean-up can always be interrupted.
 */
final class StopSignals {
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> SIGNALS = List.of("INT", "TERM");
    private static final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private static final Map<String, SignalHandler> defaults = new HashMap<>();
    private static volatile boolean stopping;

    private StopSignals() {}

    /**
     * Runs {@code stop} on SIGINT or SIGTERM until the returned handle is closed; and on any other
     * shutdown of the JVM meanwhile (System.exit, SIGHUP, a second signal), runs it too and waits
     * up to {@code cleanUp} for the handle to be closed, so the command's clean-up (a NIC reset, a
     * socket removed, a summary printed) finishes before the JVM goes. Close the handle after the
     * clean-up: its close is what that shutdown waits for.
     */
    static Registration onStop(Runnable stop, Duration cleanUp) {
        CountDownLatch cleanedUp = new CountDownLatch(1);
        // Not on the data path (that runs on the agents): a JVM shutdown hook, a thread the JVM
        // starts only while it exits; it asks the command to stop and waits for its clean-up.
        Thread hook = Thread.ofPlatform().name("vpcie-stop").unstarted(() -> {
            stop.run();
            try {
                cleanedUp.await(cleanUp.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        synchronized (StopSignals.class) {
            if (defaults.isEmpty()) install();
            actions.add(stop);
        }
        return () -> {
            remove(stop);
            cleanedUp.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and has just been released
            }
        };
    }

    /** A registered stop action; closing it unregisters it. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override void close();
    }

    private static synchronized void remove(Runnable stop) {
        actions.remove(stop);
        if (actions.isEmpty()) stopping = false;
    }

    private static void install() {
        for (String name : SIGNALS) {
            try {
                defaults.put(name, Signal.handle(new Signal(name), StopSignals::handle));
            } catch (IllegalArgumentException e) { // the JVM keeps this signal (-Xrs): its shutdown hooks still clean up
                log.debug("SIG{} stays with the JVM: {}", name, e.getMessage());
            }
        }
    }

    private static void handle(Signal signal) {
        List<Runnable> now = List.copyOf(actions);
        if (now.isEmpty() || stopping) {
            SignalHandler d = defaults.get(signal.getName());
            if (d != null && d != SignalHandler.SIG_DFL && d != SignalHandler.SIG_IGN) d.handle(signal);
            else Runtime.getRuntime().exit(128 + signal.getNumber());
            return;
        }
        stopping = true;
        log.info("SIG{}: stopping", signal.getName());
        now.forEach(Runnable::run);
    }
}
