package dev.vpcie.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * The log level: {@code VPCIE_LOG_LEVEL} (default WARN) sets where it starts, each {@code -v}
 * raises it one step (INFO, DEBUG, TRACE: every TLP on one line), each {@code -q} lowers it
 * (ERROR, OFF). Logs go to standard error (cli/src/main/resources/logback.xml).
 */
final class Logging {
    /** The levels from quietest to most detailed. */
    static final List<Level> LEVELS = List.of(Level.OFF, Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE);
    static final String ENV = "VPCIE_LOG_LEVEL";

    private Logging() {}

    /** The level a {@code VPCIE_LOG_LEVEL} value names (any case), or null when it names none. */
    static Level parse(String name) {
        for (Level l : LEVELS) if (l.levelStr.equalsIgnoreCase(name.trim())) return l;
        return null;
    }

    /** Why a {@code VPCIE_LOG_LEVEL} value is not usable, or null when it is (or unset). */
    static String checkEnvironment(String value) {
        if (value == null || value.isBlank() || parse(value) != null) return null;
        return ENV + " must be one of " + String.join(", ", LEVELS.stream().map(l -> l.levelStr.toLowerCase(Locale.ROOT)).toList())
                + ", not '" + value + "'";
    }

    private static Logger root() { return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME); }

    /** Moves the root level {@code steps} towards TRACE (negative: towards OFF), within the range. */
    static void adjust(int steps) {
        Logger root = root();
        int at = LEVELS.indexOf(root.getEffectiveLevel());
        if (at < 0) at = LEVELS.indexOf(Level.WARN);
        root.setLevel(LEVELS.get(Math.clamp(at + steps, 0, LEVELS.size() - 1)));
    }

    static Level level() { return root().getEffectiveLevel(); }

    static void set(Level level) { root().setLevel(level); }

    /** {@code -v}/{@code -q}, mixed into every command that has no {@code -v} of its own. */
    static final class Options {
        /** picocli calls a repeated option's setter with the values so far: only the new ones count. */
        private int verbose, quiet;

        @Option(names = {"-v", "--verbose"}, description = "more log detail on stderr, repeatable: -v info, -vv debug, -vvv trace "
                + "(every TLP on one line); the start is VPCIE_LOG_LEVEL, default warn")
        void verbose(boolean[] v) {
            adjust(v.length - verbose);
            verbose = v.length;
        }

        @Option(names = {"-q", "--quiet"}, description = "less log detail, repeatable: -q errors only, -qq nothing")
        void quiet(boolean[] q) {
            adjust(quiet - q.length);
            quiet = q.length;
        }
    }
}
