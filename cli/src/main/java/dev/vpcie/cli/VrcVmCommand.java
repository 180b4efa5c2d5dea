package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.vrc.PcieDevice;
import dev.vpcie.vrc.RootComplex;
import dev.vpcie.vrc.mpqemu.BridgeCounter;
import dev.vpcie.vrc.mpqemu.ChildProcess;
import dev.vpcie.vrc.mpqemu.KvmProbe;
import dev.vpcie.vrc.mpqemu.MpqemuBridge;
import dev.vpcie.vrc.mpqemu.QemuVm;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc vm --device BDF … -- QEMU-ARGS…}: boots QEMU with remote functions as PCI
 * devices of the guest, each through QEMU's {@code x-pci-proxy-dev} and an
 * {@link MpqemuBridge}, so the guest's unmodified drivers drive them. Adds the shared-memory RAM
 * options the bridges need, picks KVM only when a guest is seen to boot under it, forwards
 * QEMU's console and stops with it (its exit status is the command's).
 */
@Command(name = "vm", mixinStandardHelpOptions = true,
        description = {"Boot QEMU with remote functions as PCI devices of the guest (x-pci-proxy-dev); the guest's own drivers drive them.",
                "Under TCG no interrupt reaches the guest: boot Linux with 'irqpoll nolapic_timer nohz=off' so it polls."},
        footer = {"", "Example:", "  vpcie vrc --iface veth0 vm --device 01:00.0 -- -kernel vmlinuz -initrd initrd.gz \\",
                "      -append 'console=ttyS0 irqpoll nolapic_timer nohz=off' -nographic",
                "", "Exit status: QEMU's; 0 when stopped by Ctrl-C or SIGTERM (QEMU is stopped with it); 1 when the endpoints cannot be reached or QEMU cannot start; 2 usage error."})
final class VrcVmCommand implements Callable<Integer> {
    enum Kvm { auto, on, off }

    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin Logging.Options logging;

    @CommandLine.Mixin StatsOptions stats;

    @Option(names = "--device", paramLabel = "BDF", required = true,
            description = "a function to give the guest, e.g. 01:00.0 (repeatable; one proxy device each)")
    List<String> devices;

    @Option(names = "--memory-mib", paramLabel = "MIB", defaultValue = "512",
            description = "guest RAM, a shared memfd the bridges map for DMA (default: ${DEFAULT-VALUE})")
    long memoryMib;

    @Option(names = "--kvm", defaultValue = "auto",
            description = "auto: KVM only if a probe guest boots under it; on; off (TCG) (default: ${DEFAULT-VALUE})")
    Kvm kvm;

    @Option(names = "--probe-image", paramLabel = "DIR",
            description = "kernel (vmlinuz) and initramfs (initrd.cpio.gz) for the KVM probe (default: $VPCIE_GUEST_CACHE, "
                    + "else ~/.cache/vpcie/guest, as scripts/guest-image builds them)")
    Path probeImage;

    @Option(names = "--qemu", paramLabel = "PROGRAM", defaultValue = "qemu-system-x86_64", description = "QEMU to run (default: ${DEFAULT-VALUE})")
    String qemu;

    @Option(names = "--no-stdin", description = "give QEMU /dev/null as standard input instead of this terminal")
    boolean noStdin;

    @Parameters(paramLabel = "QEMU-ARGS", description = "the rest of QEMU's command line, after --")
    List<String> qemuArgs = new ArrayList<>();

    @Override public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        List<Integer> bdfs = new ArrayList<>();
        for (String d : devices) {
            try {
                bdfs.add(Bdf.parse(d));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--device: " + e.getMessage());
            }
        }
        if (bdfs.stream().distinct().count() != bdfs.size()) throw new CommandLine.ParameterException(cl, "--device: a function listed twice");
        if (qemu.isBlank()) throw new CommandLine.ParameterException(cl, "--qemu must name a program");
        if (probeImage != null && !Files.isDirectory(probeImage))
            throw new CommandLine.ParameterException(cl, "--probe-image: no directory " + probeImage);
        if (memoryMib < 64 || memoryMib > 65536) throw new CommandLine.ParameterException(cl, "--memory-mib must be 64..65536: " + memoryMib);
        QemuVm.Spec probeSpec;
        try {
            probeSpec = new QemuVm.Spec(qemu, memoryMib, QemuVm.Accel.TCG, qemuArgs);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return vrc.run(rc -> boot(rc, bdfs, probeSpec));
    }

    private int boot(RootComplex rc, List<Integer> bdfs, QemuVm.Spec tcgSpec) throws Exception {
        PrintWriter err = vrc.err();
        List<PcieDevice> functions = new ArrayList<>();
        for (int bdf : bdfs) {
            try {
                functions.add(rc.device(bdf));
            } catch (IllegalArgumentException e) {
                err.println("vpcie: vrc vm: " + e.getMessage());
                return 1;
            }
        }
        for (PcieDevice f : functions) vrc.context(rc).pool().hold(f.bdf()); // the VM's: vrc release refuses them
        QemuVm.Accel accel = accelerator(err);
        if (accel == QemuVm.Accel.TCG && tcgSpec.args().stream().noneMatch(a -> a.contains("irqpoll")))
            err.println("vpcie: vrc vm: note: under TCG no INTx reaches the guest; a Linux guest needs 'irqpoll nolapic_timer nohz=off' "
                    + "on its command line to poll for its devices");
        QemuVm.Spec spec = new QemuVm.Spec(tcgSpec.qemu(), tcgSpec.memoryMib(), accel, tcgSpec.args());
        QemuVm vm;
        try {
            vm = QemuVm.start(spec, functions, MpqemuBridge.Options.defaults(), System.out,
                    noStdin ? ChildProcess.Stdin.DEV_NULL : ChildProcess.Stdin.INHERIT);
        } catch (java.io.IOException e) {
            err.println("vpcie: vrc vm: cannot start " + qemu + ": " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("ENOENT") ? " (apt-get install qemu-system-x86)" : ""));
            return 1;
        }
        err.println("vpcie: vrc vm: QEMU pid " + vm.pid() + ", " + accel + ", " + functions.size() + " proxied function(s): "
                + functions.stream().map(PcieDevice::toString).toList());
        err.flush();
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        // A shutdown closes the VM too and waits until it has.
        try (var signals = StopSignals.onStop(() -> {
            stopped.set(true);
            vm.close();
        }, java.time.Duration.ofSeconds(30))) {
            int status;
            try (StatsReport report = StatsReport.start(stats.interval, () -> {
                List<String> lines = new ArrayList<>(vrc.linkStats());
                for (MpqemuBridge b : vm.bridges()) lines.add("stats " + bridgeCounters(b));
                return lines;
            }, err)) {
                status = vm.exit().get();
            }
            for (MpqemuBridge b : vm.bridges()) err.println("vpcie: vrc vm: " + bridgeCounters(b));
            return stopped.get() ? 0 : status; // stopped by Ctrl-C/SIGTERM: QEMU's status is that of its kill
        } finally {
            vm.close();
        }
    }

    /** A bridge's counters that are not zero, e.g. {@code 01:00.0: bar_reads=12 bar_writes=40}. */
    private static String bridgeCounters(MpqemuBridge b) {
        StringBuilder s = new StringBuilder(b.device().name() + ":");
        for (BridgeCounter c : BridgeCounter.values()) if (b.count(c) > 0) s.append(' ').append(c.name().toLowerCase()).append('=').append(b.count(c));
        return s.toString();
    }

    private QemuVm.Accel accelerator(PrintWriter err) {
        switch (kvm) {
            case on -> { return QemuVm.Accel.KVM; }
            case off -> { return QemuVm.Accel.TCG; }
            case auto -> { }
        }
        Path dir = probeImage != null ? probeImage : Path.of(System.getenv().getOrDefault("VPCIE_GUEST_CACHE",
                System.getProperty("user.home") + "/.cache/vpcie/guest"));
        Path kernel = dir.resolve("vmlinuz"), initrd = dir.resolve("initrd.cpio.gz");
        if (!Files.isReadable(kernel) || !Files.isReadable(initrd)) {
            err.println("vpcie: vrc vm: KVM not probed (no probe guest in " + dir + "; scripts/guest-image builds one): using TCG");
            return QemuVm.Accel.TCG;
        }
        KvmProbe.Result r = KvmProbe.probe(qemu, kernel, initrd, Duration.ofSeconds(15));
        err.println("vpcie: vrc vm: KVM " + (r.usable() ? "works" : "not usable") + ": " + r.reason() + (r.usable() ? "" : "; using TCG"));
        return r.usable() ? QemuVm.Accel.KVM : QemuVm.Accel.TCG;
    }
}
