package dev.vpcie.cli;

import ch.qos.logback.classic.Level;
import dev.vpcie.cli.control.ControlProtocol.Response;
import dev.vpcie.cli.control.ControlServer;
import dev.vpcie.vrc.RootComplex;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/**
 * What a running VRC ({@code attach}, {@code vm}, {@code serve}) answers on its control socket:
 * the {@code vrc} subcommands that only look and poke ({@link #SERVED}), run on its own root
 * complex instead of a second session that would take the endpoints over. Each request is a
 * fresh command line, parsed and run as the user's own would be, with its output returned.
 */
final class VrcService implements ControlServer.Handler {
    /** The subcommands a running VRC runs for others. */
    static final Set<String> SERVED = Set.of("lspci", "config", "mmio", "dmatest", "status", "capture", "release", "claim", "pool", "tree");
    /** The subcommands that work only on a running VRC (without one they fail; they have no session of their own). */
    static final Set<String> NEED_RUNNING = Set.of("capture", "release", "claim", "pool", "tree");
    /** {@code attach} with this option attaches the NIC inside the running VRC instead of running one. */
    static final String ATTACH_SERVED = "--served";
    /** The subcommands that hold the endpoints and serve the others while they run. */
    static final Set<String> SERVING = Set.of("attach", "vm", "serve");

    /** The running VRC the served subcommands work on. */
    record Served(RootComplex rc, VrcConnector.Connection connection, Path socket, String where, long startedNs, VrcPool pool) {
        RuntimeCapture capture() {
            Interconnect net = connection.interconnect();
            return net == null ? null : net.runtimeCapture();
        }
    }

    private final Served served;

    VrcService(Served served) { this.served = served; }

    /** Whether a running VRC runs {@code args} (a subcommand and its arguments) for a client. */
    static boolean served(List<String> args) {
        return SERVED.contains(args.getFirst()) || args.getFirst().equals("attach") && args.contains(ATTACH_SERVED);
    }

    @Override public Response handle(List<String> args) {
        if (!served(args))
            return Response.error(2, "'" + args.getFirst() + "' does not run through a running VRC (these do: "
                    + String.join(", ", SERVED.stream().sorted().toList()) + ", and attach " + ATTACH_SERVED + ")");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine(new CommandLine.IFactory() {
            @Override public <K> K create(Class<K> cls) throws Exception {
                K k = CommandLine.defaultFactory().create(cls);
                if (k instanceof VrcCommand vrc) vrc.served = served;
                return k;
            }
        });
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // A request's -v/-q would move this process's log level: it is the request's for its run only.
        Level level = Logging.level();
        try {
            int exit = cl.execute(java.util.stream.Stream.concat(java.util.stream.Stream.of("vrc"), args.stream()).toArray(String[]::new));
            return new Response(exit, out.toString(), err.toString());
        } finally {
            Logging.set(level);
        }
    }
}
