package dev.vpcie.cli;

import dev.vpcie.protocol.capture.CaptureSpec;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --capture FILE} and its limits, for every command that joins the interconnect. */
final class CaptureOptions {

    @Option(names = "--capture", paramLabel = "FILE.pcap",
            description = "write every interconnect frame, both ways, to this pcap file (tshark/Wireshark: tools/wireshark/vpcie.lua)")
    Path file;

    @Option(names = "--capture-size", paramLabel = "MIB", defaultValue = "0",
            description = "largest size of one capture file in MiB; 0 = no limit (default: ${DEFAULT-VALUE})")
    long sizeMib;

    @Option(names = "--capture-files", paramLabel = "N", defaultValue = "1",
            description = "with --capture-size: 1 stops capturing when the file is full, N > 1 rotates FILE, FILE.1 .. FILE.N-1 "
                    + "keeping the newest frames (default: ${DEFAULT-VALUE})")
    int files;

    /** The capture asked for, or null; a bad value is an IllegalArgumentException naming the option. */
    CaptureSpec spec() {
        if (file == null) {
            if (sizeMib != 0 || files != 1) throw new IllegalArgumentException("--capture-size and --capture-files go with --capture FILE");
            return null;
        }
        if (sizeMib < 0 || sizeMib > 1 << 20) throw new IllegalArgumentException("--capture-size must be 0..1048576 MiB: " + sizeMib);
        if (files < 1 || files > 1000) throw new IllegalArgumentException("--capture-files must be 1..1000: " + files);
        if (files > 1 && sizeMib == 0) throw new IllegalArgumentException("--capture-files needs --capture-size (rotation happens when a file is full)");
        return new CaptureSpec(OptionChecks.fileToWrite("--capture", file), sizeMib << 20, files);
    }
}
