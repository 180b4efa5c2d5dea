package dev.vpcie.cli;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Debian's tshark with vpcie's dissector, for tests that check captures with it (scripts/test installs it as root). */
final class Tshark {
    private Tshark() {}

    static final Path DISSECTOR = Path.of("..", "tools", "wireshark", "vpcie.lua").toAbsolutePath().normalize();

    static boolean available() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            if (Files.isExecutable(Path.of(p, "tshark"))) return true;
        return false;
    }

    /** tshark's one-line summaries of the frames of {@code capture} that match {@code filter}. */
    static String run(Path capture, String filter) throws Exception {
        Process p = new ProcessBuilder("tshark", "-n", "-X", "lua_script:" + DISSECTOR, "-r", capture.toString(), "-Y", filter)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("tshark failed on " + capture);
        return out;
    }
}
