package dev.vpcie.cli;

import dev.vpcie.cli.control.ControlClient;
import dev.vpcie.cli.control.ControlProtocol;
import dev.vpcie.cli.control.ControlServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie endpoint --iface IF status}: the counters of the endpoint running on this host's
 * interface (its link per VRC, each function's DMA bytes, interrupts and events, the refusals),
 * asked over the endpoint's control socket; the same lines as its {@code status} on stdin.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the counters of the endpoint running on this interface and group (asked over its control socket).")
final class EndpointStatusCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(EndpointStatusCommand.class);

    @ParentCommand EndpointCommand endpoint;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        CommandLine cl = spec.commandLine();
        Path socket = endpoint.controlSocket(cl);
        Optional<ControlProtocol.Response> r;
        try {
            r = ControlClient.call(socket, List.of("status"), Duration.ofSeconds(30));
        } catch (IOException e) {
            cl.getErr().println("vpcie: endpoint status: " + e.getMessage());
            return 1;
        }
        if (r.isEmpty()) {
            cl.getErr().println("vpcie: endpoint status: no endpoint runs here on " + endpoint.where() + " (no control socket " + socket + ")");
            return 1;
        }
        cl.getOut().print(r.get().out());
        cl.getOut().flush();
        cl.getErr().print(r.get().err());
        cl.getErr().flush();
        return r.get().exit();
    }

    /**
     * The running endpoint's side: answers {@code status} with {@code counters}. A socket another
     * endpoint holds is not an error for this one: it serves without a socket and says so.
     */
    static ControlServer serve(Path socket, Supplier<List<String>> counters) {
        try {
            return ControlServer.start(socket, args -> args.equals(List.of("status"))
                    ? new ControlProtocol.Response(0, String.join("\n", counters.get()) + "\n", "")
                    : ControlProtocol.Response.error(2, "an endpoint answers only 'status'"), false);
        } catch (IOException e) {
            log.warn("no control socket, vpcie endpoint status will not find this endpoint: {}", e.getMessage());
            return null;
        }
    }
}
