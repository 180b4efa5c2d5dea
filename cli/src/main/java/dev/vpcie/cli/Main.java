package dev.vpcie.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vpcie} command-line program: one picocli command with a subcommand per job. */
@Command(name = "vpcie", mixinStandardHelpOptions = true, version = "vpcie 0.1.0",
        description = "A PCI Express virtual interconnect in software.",
        subcommands = {CommandLine.HelpCommand.class, TlpCommand.class, VrcCommand.class, EndpointCommand.class, TraceCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(Logging.ENV)));
    }

    /**
     * Runs the command line; {@code logLevel} is {@code VPCIE_LOG_LEVEL}, checked before anything
     * logs (logback would take a bogus level for DEBUG): a bad one is a usage error.
     */
    static int run(String[] args, String logLevel) {
        String bad = Logging.checkEnvironment(logLevel);
        if (bad != null) {
            System.err.println("vpcie: " + bad);
            return CommandLine.ExitCode.USAGE;
        }
        return commandLine().execute(args);
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
