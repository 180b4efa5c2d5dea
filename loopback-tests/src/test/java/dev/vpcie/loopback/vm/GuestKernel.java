package dev.vpcie.loopback.vm;

import dev.vpcie.vrc.mpqemu.KvmProbe;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * How the tests boot a guest: the accelerator (KVM only when a probe booted a guest under it;
 * {@code VPCIE_VM_KVM=off} skips the probe, {@code on} insists), and QEMU arguments for the guest
 * image running one script.
 */
final class GuestKernel {
    private GuestKernel() {}

    static final String QEMU = "qemu-system-x86_64";
    /** Linux's command line is limited to 2047 bytes; the script travels base64-encoded inside it. */
    static final int MAX_COMMAND_LINE = 2047;
    /**
     * Under TCG no interrupt reaches the guest through the proxy; these make Linux poll every
     * shared handler on each 4 ms tick instead (all three are needed).
     */
    static final String TCG_POLLING = "irqpoll nolapic_timer nohz=off";

    private static KvmProbe.Result kvm;

    /** The accelerator decision for this JVM, probed once, with the reason. */
    static synchronized KvmProbe.Result kvm(GuestImage image) {
        if (kvm != null) return kvm;
        String setting = System.getenv().getOrDefault("VPCIE_VM_KVM", "auto");
        kvm = switch (setting) {
            case "off" -> new KvmProbe.Result(false, "VPCIE_VM_KVM=off");
            case "on" -> new KvmProbe.Result(true, "VPCIE_VM_KVM=on");
            default -> KvmProbe.probe(QEMU, image.kernel(), image.initrd(), Duration.ofSeconds(15));
        };
        System.out.println("[vm] KVM " + (kvm.usable() ? "usable" : "not usable") + ": " + kvm.reason()
                + (kvm.usable() ? " (real INTx through the irqfd)" : " (TCG: the guest polls interrupt handlers; no INTx is delivered)"));
        return kvm;
    }

    static QemuVm.Accel accel(GuestImage image) { return kvm(image).usable() ? QemuVm.Accel.KVM : QemuVm.Accel.TCG; }

    /** QEMU arguments: the image's kernel and initramfs running {@code script}, console on the serial port. */
    static List<String> args(GuestImage image, QemuVm.Accel accel, String script, String... more) {
        String encoded = Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8));
        String cmdline = "console=ttyS0 panic=-1 loglevel=6" + (accel == QemuVm.Accel.TCG ? " " + TCG_POLLING : "")
                + " vpcie.script=" + encoded;
        if (cmdline.length() > MAX_COMMAND_LINE)
            throw new IllegalArgumentException("guest script too long for the kernel command line: " + cmdline.length() + " bytes");
        List<String> args = new java.util.ArrayList<>(List.of("-machine", "pc", "-nodefaults", "-display", "none",
                "-serial", "stdio", "-no-reboot", "-kernel", image.kernel().toString(), "-initrd", image.initrd().toString(),
                "-append", cmdline));
        args.addAll(List.of(more));
        return args;
    }
}
