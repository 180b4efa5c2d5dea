package dev.vpcie.cli;

import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code vpcie} command run in this JVM inside a network namespace (its sockets are the
 * namespace's), with its output kept: either to completion ({@link #run}) or, for
 * {@code endpoint}, in the background until {@link #stop()}.
 */
final class NamespacedCommand implements AutoCloseable {
    final StringWriter out = new StringWriter(), err = new StringWriter();
    private final picocli.CommandLine cl = Main.commandLine();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private NamespacedCommand() {
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
    }

    /** Runs {@code args} in {@code ns} to completion. */
    static NamespacedCommand run(NetNamespace ns, String... args) throws Exception {
        NamespacedCommand c = new NamespacedCommand();
        c.exit.complete(ns.call(() -> c.cl.execute(args)));
        return c;
    }

    /** Starts {@code vpcie endpoint ARGS} in {@code ns} on a platform thread of its own (a namespace is per thread). */
    static NamespacedCommand startEndpoint(NetNamespace ns, String... args) {
        NamespacedCommand c = new NamespacedCommand();
        String[] argv = new String[args.length + 1];
        argv[0] = "endpoint";
        System.arraycopy(args, 0, argv, 1, args.length);
        Thread.ofPlatform().start(() -> {
            try {
                c.exit.complete(ns.call(() -> c.cl.execute(argv)));
            } catch (Throwable t) {
                c.exit.completeExceptionally(t);
            }
        });
        return c;
    }

    /** Until the output contains {@code text} or the command ended; whether it does. */
    boolean awaitOutput(String text) {
        Await.until(() -> out.toString().contains(text) || exit.isDone(), "'" + text + "' in the output");
        return out.toString().contains(text);
    }

    /** The exit status of a command that ended. */
    int status() throws Exception { return exit.get(30, TimeUnit.SECONDS); }

    /** Stops a background endpoint as SIGTERM does; its exit status. */
    int stop() throws Exception {
        ((EndpointCommand) cl.getSubcommands().get("endpoint").getCommand()).stop();
        return status();
    }

    @Override public void close() throws Exception {
        if (!exit.isDone()) stop();
    }
}
