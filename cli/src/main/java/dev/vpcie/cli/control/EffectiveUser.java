package dev.vpcie.cli.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process runs as root, which decides where its control sockets live. */
final class EffectiveUser {
    private EffectiveUser() {}

    /**
     * From {@code /proc/self/status}: its {@code Uid:} line lists the real, effective, saved and
     * file-system uids, and the effective one (the second) is what permissions are checked against.
     */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
        } catch (IOException e) {
            // no /proc: not Linux as vpcie knows it, so not the root it would need either
        }
        return false;
    }
}
