package dev.vpcie.loopback.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The guest kernel and initramfs that {@code scripts/guest-image} builds from Debian packages
 * (cached between runs), found once per test JVM. Asking for it also installs QEMU when it is
 * missing and the tests run as root.
 */
record GuestImage(Path kernel, Path initrd, String kernelVersion) {

    private static GuestImage built;
    private static String failure;

    /** The repository root: the first directory upwards holding scripts/guest-image. */
    static Path repositoryRoot() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isExecutable(p.resolve("scripts/guest-image"))) return p;
        throw new IllegalStateException("no scripts/guest-image above " + System.getProperty("user.dir"));
    }

    /** Builds or reuses the image; throws with the script's own words when it cannot. */
    static synchronized GuestImage get() throws IOException, InterruptedException {
        if (built != null) return built;
        if (failure != null) throw new IOException(failure);
        Path log = Files.createTempFile("vpcie-guest-image", ".log");
        // --need-qemu: as root, QEMU is installed too when missing (CI machines start without it).
        Process p = new ProcessBuilder(repositoryRoot().resolve("scripts/guest-image").toString(), "--need-qemu")
                .redirectError(log.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            failure = "scripts/guest-image did not finish in 10 minutes";
            throw new IOException(failure);
        }
        String err = Files.readString(log);
        Files.delete(log);
        Map<String, String> vars = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) vars.put(line.substring(0, eq), line.substring(eq + 1));
        }
        if (p.exitValue() != 0 || !vars.containsKey("VPCIE_GUEST_KERNEL")) {
            failure = "scripts/guest-image failed (exit " + p.exitValue() + "): " + err.strip();
            throw new IOException(failure);
        }
        built = new GuestImage(Path.of(vars.get("VPCIE_GUEST_KERNEL")), Path.of(vars.get("VPCIE_GUEST_INITRD")), vars.get("VPCIE_GUEST_KVER"));
        return built;
    }
}
