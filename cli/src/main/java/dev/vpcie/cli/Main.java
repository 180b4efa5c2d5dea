package dev.vpcie.cli;

import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code vpcie} command-line program: one picocli command with a subcommand per job. */
@Command(name = "vpcie", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A PCI Express virtual interconnect in software.",
        subcommands = {CommandLine.HelpCommand.class, TlpCommand.class, VrcCommand.class, EndpointCommand.class, TraceCommand.class,
                NetTlpPerfCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec CommandSpec spec;

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
        // Once per run, so that a log (a journal, a bug report) says which build wrote it.
        LoggerFactory.getLogger(Main.class).info("{}", Version.current().text());
        return commandLine().execute(args);
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() { return commandLine(CommandLine.defaultFactory()); }

    /** The same with the commands made by {@code factory} (a running VRC's control socket gives its subcommands the VRC). */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new Main(), factory).setCaseInsensitiveEnumValuesAllowed(true);
        withVersionEverywhere(cl);
        cl.setParameterExceptionHandler(UserErrors::usage);
        cl.setExecutionExceptionHandler(UserErrors::failure);
        return cl;
    }

    /** Every subcommand answers -V/--version, whether or not its annotation asked for it. */
    private static void withVersionEverywhere(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (!(spec.userObject() instanceof CommandLine.HelpCommand)) {
            spec.versionProvider(new VersionProvider());
            if (spec.findOption("--version") == null) {
                String[] names = spec.findOption('V') == null ? new String[] {"-V", "--version"} : new String[] {"--version"};
                spec.addOption(OptionSpec.builder(names).versionHelp(true)
                        .description("Print version information and exit.").build());
            }
        }
        cl.getSubcommands().values().forEach(Main::withVersionEverywhere);
    }

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }
}
