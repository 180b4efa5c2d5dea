package dev.vpcie.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks shared by options of several commands; each failure is an {@link IllegalArgumentException}
 * whose message names the option, which the commands turn into a usage error (status 2).
 */
final class OptionChecks {
    private OptionChecks() {}

    /** {@code value} within {@code min..max}; an unbounded timeout would overflow the clock arithmetic it feeds. */
    static long range(String option, long value, long min, long max) {
        if (value < min || value > max) throw new IllegalArgumentException(option + " must be " + min + ".." + max + ": " + value);
        return value;
    }

    /** A file the command will write later: its directory must exist now, so the mistake shows before any work. */
    static Path fileToWrite(String option, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IllegalArgumentException(option + ": no directory " + dir + " for " + file);
        if (Files.isDirectory(file)) throw new IllegalArgumentException(option + ": " + file + " is a directory");
        return file;
    }
}
