package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code -V}/{@code --version} on every command of the tree prints this build's version and commit. */
class VersionTest {

    @Test void theBuildWroteAVersionAndACommit() {
        Version v = Version.current();
        assertTrue(v.version().matches("\\d+\\.\\d+\\.\\d+.*"), v.version());
        assertTrue(v.commit().matches("[0-9a-f]{12}(-dirty)?|unknown"), v.commit());
        assertEquals("vpcie " + v.version() + " (commit " + v.commit() + ")", v.text());
    }

    @Test void everyCommandAnswersVersionOptions() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertTrue(paths.size() > 10, "commands found: " + paths);
        for (List<String> path : paths) {
            for (String option : List.of("-V", "--version")) {
                List<String> args = new ArrayList<>(path);
                args.add(option);
                CommandLine cl = Main.commandLine();
                StringWriter out = new StringWriter(), err = new StringWriter();
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                int exit = cl.execute(args.toArray(String[]::new));
                assertEquals(0, exit, args + ": " + err);
                assertTrue(out.toString().startsWith(Version.current().text() + System.lineSeparator()), args + ": " + out);
            }
        }
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> into) {
        if (cl.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) return;
        into.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().name().equals(name)) return; // an alias
            List<String> p = new ArrayList<>(path);
            p.add(name);
            collect(sub, p, into);
        });
    }
}
