package dev.vpcie.vrc.mpqemu;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Whether KVM works here, found out rather than assumed: {@code /dev/kvm} must open, and a
 * Linux guest must boot under it to its first shell command within the time allowed. Nested
 * virtualisation can offer a {@code /dev/kvm} whose guests stall in early boot (firmware runs,
 * the kernel never gets far), so opening the device proves nothing on its own.
 */
public final class KvmProbe {
    private KvmProbe() {}

    /** The answer, with the reason in words. */
    public record Result(boolean usable, String reason) {}

    static final String MARKER = "vpcie-kvm-probe-ok";

    /**
     * @param kernel a kernel and initramfs that run {@code vpcie.script=} (scripts/guest-image builds them)
     */
    public static Result probe(String qemu, Path kernel, Path initrd, Duration timeout) {
        Path dev = Path.of("/dev/kvm");
        try (FileChannel c = FileChannel.open(dev, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Opened: the module is loaded and we may use it. Whether guests run is the next question.
        } catch (IOException | UnsupportedOperationException e) {
            return new Result(false, "/dev/kvm cannot be opened (" + e.getMessage() + ")");
        }
        String script = Base64.getEncoder().encodeToString(("echo " + MARKER + "\n").getBytes(StandardCharsets.US_ASCII));
        List<String> argv = List.of(qemu, "-accel", "kvm", "-m", "128M", "-nodefaults", "-display", "none", "-serial", "stdio",
                "-no-reboot", "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 quiet panic=-1 vpcie.script=" + script);
        UnixSocket[] out = null;
        ChildProcess p = null;
        QemuConsole console = null;
        try {
            out = UnixSocket.pair();
            p = ChildProcess.spawn(argv, System.getenv(), List.of(), out[1].fd(), ChildProcess.Stdin.DEV_NULL);
            out[1].close();
            console = new QemuConsole(out[0], null, "kvm-probe");
            if (console.awaitLine(0, l -> l.contains(MARKER), timeout) >= 0)
                return new Result(true, "a guest booted under KVM");
            String last = console.lines().isEmpty() ? "no output" : "last output: " + console.lines().getLast();
            return new Result(false, console.ended() ? "QEMU with KVM ended before the guest ran (" + last + ")"
                    : "a guest under KVM made no progress in " + timeout.toSeconds() + " s (" + last + ")");
        } catch (IOException e) {
            return new Result(false, "QEMU could not be started for the KVM probe: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "KVM probe interrupted");
        } finally {
            if (p != null) {
                try {
                    p.kill();
                    p.waitFor();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            if (console != null) console.close();
            else if (out != null) {
                out[0].close();
                out[1].close();
            }
        }
    }
}
