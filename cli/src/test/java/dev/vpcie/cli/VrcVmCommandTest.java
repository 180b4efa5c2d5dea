package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code vpcie vrc vm}: its options, and a real QEMU guest that sees the test endpoint's function. */
class VrcVmCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();

    private int run(String... args) {
        VrcTestEndpoint endpoint = new VrcTestEndpoint();
        VrcCommand.connector = target -> VrcConnector.Connection.of(List.of(endpoint), 1400);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @AfterEach void restore() { VrcCommand.connector = VrcNetworks::connect; }

    @Test void optionsAreChecked() {
        assertEquals(2, run("vrc", "--iface", "t", "vm"));
        assertTrue(err.toString().contains("Missing required option: '--device=BDF'"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "vm", "--device", "1:2"));
        assertTrue(err.toString().contains("not a bus:device.function"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "vm", "--device", "01:00.0", "--device", "01:00.0"));
        assertTrue(err.toString().contains("listed twice"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "vm", "--device", "01:00.0", "--", "-m", "1G"));
        assertTrue(err.toString().contains("QEMU option -m is set by vpcie"), err.toString());
        assertEquals(2, run("vrc", "--iface", "t", "vm", "--device", "01:00.0", "--memory-mib", "8"));
        assertTrue(err.toString().contains("--memory-mib must be 64..65536"), err.toString());
    }

    @Test void unknownFunctionOrMissingQemuAreClearFailures() {
        assertEquals(1, run("vrc", "--iface", "t", "vm", "--device", "02:00.0", "--kvm", "off"));
        assertTrue(err.toString().contains("no function 02:00.0"), err.toString());
        assertEquals(1, run("vrc", "--iface", "t", "vm", "--device", "01:00.0", "--kvm", "off", "--no-stdin", "--qemu", "/nonexistent/qemu"));
        assertTrue(err.toString().contains("cannot start /nonexistent/qemu: posix_spawnp(/nonexistent/qemu): ENOENT"), err.toString());
    }

    @Test void kvmIsNotAssumedWithoutAProbeGuest(@org.junit.jupiter.api.io.TempDir Path empty) {
        assertEquals(1, run("vrc", "--iface", "t", "vm", "--device", "01:00.0", "--no-stdin", "--probe-image", empty.toString(),
                "--qemu", "/nonexistent/qemu"));
        assertTrue(err.toString().contains("KVM not probed (no probe guest in " + empty), err.toString());
        assertTrue(err.toString().contains("using TCG"), err.toString());
    }

    /** A guest boots, finds the function the endpoint offers, and powers off; the command ends with QEMU's status. */
    @Test @Timeout(300) void guestSeesTheRemoteFunctionAndTheCommandEndsWithQemu() throws Exception {
        Path[] image = guestImage();
        boolean qemu = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) qemu |= Files.isExecutable(Path.of(dir, "qemu-system-x86_64"));
        Assumptions.assumeTrue(qemu, "skipped: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
        String script = "cat /sys/bus/pci/devices/0000:00:02.0/vendor /sys/bus/pci/devices/0000:00:02.0/device\n";
        List<String> args = new ArrayList<>(List.of("vrc", "--iface", "t", "vm", "--device", "01:00.0", "--kvm", "off", "--no-stdin",
                "--memory-mib", "128", "--", "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
                "-kernel", image[0].toString(), "-initrd", image[1].toString(), "-append",
                "console=ttyS0 quiet irqpoll nolapic_timer nohz=off vpcie.script="
                        + Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.US_ASCII))));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int status;
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        try {
            status = run(args.toArray(String[]::new));
        } finally {
            System.setOut(saved);
        }
        String text = console.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err + "\n" + text);
        assertTrue(text.contains("0x8086\n0x100e") || text.contains("0x8086\r\n0x100e"), "the guest reads the function's IDs:\n" + text);
        assertTrue(text.contains("vpcie-guest: exit 0"), text);
        assertTrue(err.toString().contains("QEMU pid"), err.toString());
        assertTrue(err.toString().matches("(?s).*01:00\\.0:.* config_read=\\d+.*"), "bridge counters reported: " + err);
    }

    /** scripts/guest-image's kernel and initramfs (built or taken from its cache; QEMU installed too when root). */
    private static Path[] guestImage() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (root != null && !Files.isExecutable(root.resolve("scripts/guest-image"))) root = root.getParent();
        Assumptions.assumeTrue(root != null, "skipped: no scripts/guest-image");
        Process p = new ProcessBuilder(root.resolve("scripts/guest-image").toString(), "--need-qemu").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String vars = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES) && p.exitValue() == 0, "scripts/guest-image failed");
        String kernel = null, initrd = null;
        for (String l : vars.split("\n")) {
            if (l.startsWith("VPCIE_GUEST_KERNEL=")) kernel = l.substring(l.indexOf('=') + 1);
            if (l.startsWith("VPCIE_GUEST_INITRD=")) initrd = l.substring(l.indexOf('=') + 1);
        }
        return new Path[] {Path.of(kernel), Path.of(initrd)};
    }
}
