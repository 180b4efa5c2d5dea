package dev.vpcie.vrc.mpqemu;

import dev.vpcie.vrc.PcieDevice;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QEMU process whose remote PCI devices are functions behind the root complex: one
 * {@link MpqemuBridge} per device, each on a socket pair whose other end QEMU inherits as
 * {@code -device x-pci-proxy-dev,fd=N}. Guest RAM is a shared memfd (which the bridges map
 * for DMA). QEMU's output goes to a {@link QemuConsole}.
 *
 * <p>Stopping: {@link #stop} asks QEMU to quit (SIGTERM), then kills it after a grace period;
 * {@link #close} stops it and closes the bridges.
 */
public final class QemuVm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QemuVm.class);
    /** The memory backend the bridges' DMA reaches; the id is ours, so user options cannot clash with it. */
    static final String RAM_ID = "vpcie-ram";

    /** How the guest's CPU runs. */
    public enum Accel { KVM, TCG }

    /**
     * @param qemu      program to run (looked up on PATH), e.g. {@code qemu-system-x86_64}
     * @param memoryMib guest RAM, shared with the bridges
     * @param accel     KVM (real INTx through irqfd) or TCG (no interrupt reaches the guest: boot it with
     *                  {@code irqpoll nolapic_timer nohz=off})
     * @param args      the rest of QEMU's command line (kernel, console, other devices)
     */
    public record Spec(String qemu, long memoryMib, Accel accel, List<String> args) {
        public Spec {
            if (memoryMib < 16) throw new IllegalArgumentException("guest memory must be at least 16 MiB: " + memoryMib);
            args = List.copyOf(args);
            for (String a : args) {
                String option = a.startsWith("--") ? a.substring(1) : a; // QEMU takes -opt and --opt alike
                if (option.equals("-m") || option.equals("-accel") || option.equals("-enable-kvm") || option.equals("-no-kvm"))
                    throw new IllegalArgumentException("QEMU option " + a + " is set by vpcie (guest memory and accelerator options)");
            }
        }
    }

    private final ChildProcess process;
    private final List<MpqemuBridge> bridges;
    private final QemuConsole console;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final List<String> commandLine;

    private QemuVm(ChildProcess process, List<MpqemuBridge> bridges, QemuConsole console, List<String> commandLine) {
        this.process = process;
        this.bridges = bridges;
        this.console = console;
        this.commandLine = commandLine;
        Thread.ofPlatform().daemon().name("qemu-wait-" + process.pid()).start(() -> {
            try {
                exit.complete(process.waitFor());
            } catch (IOException | RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
    }

    /**
     * Starts QEMU with one proxy device per function.
     *
     * @param copyConsole where QEMU's output is copied as it comes (null: only kept)
     * @param stdin       QEMU's standard input: the caller's terminal, or /dev/null
     */
    public static QemuVm start(Spec spec, List<PcieDevice> devices, MpqemuBridge.Options bridgeOptions, OutputStream copyConsole,
                               ChildProcess.Stdin stdin) throws IOException {
        List<MpqemuBridge> bridges = new ArrayList<>();
        List<UnixSocket> theirs = new ArrayList<>();
        UnixSocket[] out = null;
        try {
            List<String> argv = new ArrayList<>(List.of(spec.qemu(), "-accel", spec.accel() == Accel.KVM ? "kvm" : "tcg",
                    "-m", spec.memoryMib() + "M",
                    "-object", "memory-backend-memfd,id=" + RAM_ID + ",size=" + spec.memoryMib() + "M,share=on",
                    "-machine", "memory-backend=" + RAM_ID));
            for (int i = 0; i < devices.size(); i++) {
                UnixSocket[] pair = UnixSocket.pair();
                theirs.add(pair[1]);
                bridges.add(MpqemuBridge.start(devices.get(i), pair[0], bridgeOptions));
                argv.addAll(List.of("-device", "x-pci-proxy-dev,id=vpcie" + i + ",fd=" + (3 + i)));
            }
            argv.addAll(spec.args());
            out = UnixSocket.pair();
            ChildProcess p = ChildProcess.spawn(argv, System.getenv(), theirs.stream().map(UnixSocket::fd).toList(), out[1].fd(), stdin);
            log.info("started {}: {}", p, String.join(" ", argv));
            QemuConsole console = new QemuConsole(out[0], copyConsole, Integer.toString(p.pid()));
            return new QemuVm(p, bridges, console, argv);
        } catch (IOException | RuntimeException | Error e) {
            for (MpqemuBridge b : bridges) b.close();
            if (out != null) out[0].close();
            throw e;
        } finally {
            for (UnixSocket s : theirs) s.close(); // QEMU has its copies; ours would keep the bridges from seeing EOF
            if (out != null) out[1].close();
        }
    }

    public List<MpqemuBridge> bridges() { return bridges; }

    public QemuConsole console() { return console; }

    public int pid() { return process.pid(); }

    public List<String> commandLine() { return commandLine; }

    /** QEMU's exit status, once it has exited (128 + signal if a signal ended it). */
    public CompletableFuture<Integer> exit() { return exit; }

    /** Waits for QEMU to exit; its status, or -1 on timeout. */
    public int waitFor(Duration timeout) throws InterruptedException {
        try {
            return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return -1;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for QEMU failed", e.getCause());
        }
    }

    /** Asks QEMU to quit, and kills it if it has not within {@code grace}; returns its exit status. */
    public int stop(Duration grace) throws IOException, InterruptedException {
        if (!exit.isDone()) process.terminate();
        int status = waitFor(grace);
        if (status < 0) {
            log.warn("{} did not stop within {} ms; killing it", process, grace.toMillis());
            process.kill();
            status = waitFor(Duration.ofSeconds(10));
        }
        return status;
    }

    /** Stops QEMU (if still running), closes the bridges and the console. */
    @Override public void close() {
        try {
            stop(Duration.ofSeconds(5));
            console.join(Duration.ofSeconds(5));
        } catch (IOException e) {
            log.warn("stopping {} failed", process, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (MpqemuBridge b : bridges) b.close();
        console.close();
    }
}
