package dev.vpcie.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import picocli.CommandLine;

/** Base of tests that run {@code vpcie vrc ...} against an in-memory endpoint ({@link VrcTestEndpoint}), fresh for each call. */
abstract class InMemoryVrcCommand {
    protected final StringWriter out = new StringWriter(), err = new StringWriter();

    /** Runs the command line against a new endpoint; its output is in {@link #out} and {@link #err}. */
    protected int run(String... args) {
        VrcTestEndpoint endpoint = new VrcTestEndpoint();
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(endpoint), 1400);
        CommandLine cl = Main.commandLine();
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @AfterEach void restoreConnector() { VrcCommand.connector = VrcNetworks::connect; }
}
