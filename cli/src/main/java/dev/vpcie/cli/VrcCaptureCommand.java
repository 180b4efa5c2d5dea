package dev.vpcie.cli;

import dev.vpcie.protocol.capture.CaptureSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vpcie vrc capture start|stop}: a pcap capture of the interconnect switched on and off
 * in the VRC running on it (through its control socket), with {@code --capture}'s writer.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Start or stop a pcap capture of every interconnect frame in the VRC running on this interconnect (attach, vm, serve).",
        subcommands = {VrcCaptureCommand.Start.class, VrcCaptureCommand.Stop.class})
final class VrcCaptureCommand implements Runnable {
    @ParentCommand VrcCommand vrc;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(spec.commandLine().getOut()); }

    /** The running VRC's capture switch, or null after saying why there is none. */
    RuntimeCapture capture() {
        RuntimeCapture c = vrc.served == null ? null : vrc.served.capture();
        if (c == null) vrc.err().println("vpcie: vrc capture: this VRC's interconnect cannot be captured at run time (in-memory ports)");
        return c;
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start writing every frame, both ways, to FILE (pcap, nanosecond timestamps).")
    static final class Start implements Callable<Integer> {
        @ParentCommand VrcCaptureCommand capture;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE.pcap", description = "the capture file, created or truncated (by the VRC's user)") Path file;
        @Option(names = "--max-size", paramLabel = "MIB", defaultValue = "0",
                description = "largest size of one capture file in MiB; 0 = no limit (default: ${DEFAULT-VALUE})") long sizeMib;
        @Option(names = "--files", paramLabel = "N", defaultValue = "1",
                description = "with --max-size: 1 stops capturing when the file is full, N > 1 rotates FILE, FILE.1 .. FILE.N-1 (default: ${DEFAULT-VALUE})")
        int files;

        @Override public Integer call() throws Exception {
            CommandLine cmd = spec.commandLine();
            if (sizeMib < 0 || sizeMib > 1 << 20) throw new CommandLine.ParameterException(cmd, "--max-size must be 0..1048576 MiB: " + sizeMib);
            if (files < 1 || files > 1000) throw new CommandLine.ParameterException(cmd, "--files must be 1..1000: " + files);
            if (files > 1 && sizeMib == 0) throw new CommandLine.ParameterException(cmd, "--files needs --max-size (rotation happens when a file is full)");
            // The VRC is another process with another working directory: it gets the file's absolute path.
            Path absolute = file.toAbsolutePath();
            List<String> forward = new ArrayList<>(List.of("capture", "start", absolute.toString(), "--max-size", Long.toString(sizeMib),
                    "--files", Integer.toString(files)));
            return capture.vrc.run(rc -> {
                RuntimeCapture c = capture.capture();
                if (c == null) return 1;
                try {
                    c.start(new CaptureSpec(absolute, sizeMib << 20, files));
                } catch (IllegalStateException | java.io.IOException e) {
                    capture.vrc.err().println("vpcie: vrc capture: " + e.getMessage());
                    return 1;
                }
                capture.vrc.out().println("capturing to " + absolute);
                capture.vrc.out().flush();
                return 0;
            }, forward);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the running capture and say what it wrote.")
    static final class Stop implements Callable<Integer> {
        @ParentCommand VrcCaptureCommand capture;

        @Override public Integer call() throws Exception {
            return capture.vrc.run(rc -> {
                RuntimeCapture c = capture.capture();
                if (c == null) return 1;
                RuntimeCapture.Summary s = c.stop();
                if (s == null) {
                    capture.vrc.err().println("vpcie: vrc capture: no capture is running");
                    return 1;
                }
                capture.vrc.out().printf("capture to %s stopped: %d frames%s%s%n", s.spec().file(), s.frames(),
                        s.dropped() == 0 ? "" : ", " + s.dropped() + " not written (file full or failing)",
                        s.rotations() == 0 ? "" : ", rotated " + s.rotations() + " time(s)");
                capture.vrc.out().flush();
                return 0;
            }, List.of("capture", "stop"));
        }
    }
}
