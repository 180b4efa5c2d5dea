package dev.vpcie.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * How every command reports what went wrong: one line on stderr, prefixed {@code vpcie:}, and the
 * exit status (2 usage, 1 failure). picocli's default would print the whole usage help after a
 * usage error and a Java stack trace after an exception; a user who mistyped a value needs
 * neither, and a script reading stderr wants one line.
 */
final class UserErrors {
    private static final Logger log = LoggerFactory.getLogger(UserErrors.class);

    private UserErrors() {}

    /** A bad option or argument (picocli's or a command's own check): one line, status 2. */
    static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("vpcie: " + oneLine(message(e)) + " (see " + cl.getCommandSpec().qualifiedName() + " --help)");
        cl.getErr().flush();
        return CommandLine.ExitCode.USAGE;
    }

    /**
     * An exception no command turned into a message: still one line, status 1. The stack trace
     * goes to the log at DEBUG ({@code -vv}), where a bug report can pick it up.
     */
    static int failure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        log.debug("{} failed", cl.getCommandSpec().qualifiedName(), e);
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        cl.getErr().println("vpcie: " + cl.getCommandName() + ": " + oneLine(message));
        cl.getErr().flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /**
     * The message to show: an option setter's own IllegalArgumentException rather than picocli's
     * "Could not invoke ... with ..." around it, which names Java methods.
     */
    private static String message(CommandLine.ParameterException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause())
            if (t instanceof IllegalArgumentException && t.getMessage() != null) return t.getMessage();
        return e.getMessage();
    }

    /** Multi-line messages (picocli's, a wrapped cause's) joined, so stderr gets exactly one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
