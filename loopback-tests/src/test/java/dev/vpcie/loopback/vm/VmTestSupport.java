package dev.vpcie.loopback.vm;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vpcie.vrc.mpqemu.QemuVm;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** What every VM test needs first, and how it reads the guest's answers. */
final class VmTestSupport {
    private VmTestSupport() {}

    /** The guest's serial console goes to the test output too when VPCIE_VM_CONSOLE=1. */
    static OutputStream consoleCopy() { return "1".equals(System.getenv("VPCIE_VM_CONSOLE")) ? System.out : null; }

    /** Skips visibly without QEMU (scripts/test installs qemu-system-x86 as root). */
    static void assumeQemu() {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
            found |= Files.isExecutable(Path.of(dir, GuestKernel.QEMU));
        Assumptions.assumeTrue(found, "VM tests skipped: " + GuestKernel.QEMU + " is not installed (apt-get install qemu-system-x86)");
    }

    static void assumeRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "VM network tests skipped: they need root (namespaces)");
    }

    /** Waits for the guest's script to finish; fails with the console when it does not. */
    static int awaitScript(QemuVm vm, Duration timeout) throws InterruptedException {
        int at = vm.console().awaitLine(0, l -> l.startsWith("vpcie-guest: exit "), timeout);
        if (at < 0) fail("the guest did not finish its script within " + timeout.toSeconds() + " s; console:\n" + vm.console().text());
        // The kernel may print onto the same console line right after the status ("0[   13.31] random: ..."): take the digits.
        String rest = vm.console().lines().get(at).substring("vpcie-guest: exit ".length()).trim();
        int end = 0;
        while (end < rest.length() && Character.isDigit(rest.charAt(end))) end++;
        if (end == 0) fail("the guest's exit line has no status: " + vm.console().lines().get(at));
        return Integer.parseInt(rest.substring(0, end));
    }

    /** The console lines starting with {@code prefix}, prefix removed. */
    static List<String> tagged(QemuVm vm, String prefix) {
        return vm.console().lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }
}
