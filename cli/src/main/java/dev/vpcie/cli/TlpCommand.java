package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.tlp.TlpType;
import io.netty.buffer.Unpooled;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vpcie tlp}: tools for PCIe Transaction Layer Packets. */
@Command(name = "tlp", description = "Work with PCIe Transaction Layer Packets.",
        subcommands = {TlpCommand.Decode.class})
public final class TlpCommand implements Runnable {
    @Spec CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "decode", sortOptions = false,
            description = {"Decode one TLP given in hex and print its fields, one per line.",
                    "Accepts 32-bit words as a Linux AER log prints them (\"TLP Header: 4a000001 01000004 ...\": "
                            + "a Header Log holds only the header, so the payload is reported absent) "
                            + "or a plain hex string, with or without 0x."},
            footer = {"", "Examples:",
                    "  vpcie tlp decode 'TLP Header: 4a000001 01000004 00000100 00000000'",
                    "  vpcie tlp decode --json 40000001 0100000f 000e2000 deadbeef",
                    "", "Exit status: 0 decoded, 1 malformed TLP, 2 bad input."},
            exitCodeListHeading = "", exitCodeList = {})
    static final class Decode implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(arity = "1..*", paramLabel = "HEX", description = "The TLP: hex words or one hex string.")
        List<String> hex;

        @Option(names = "--json", description = "Print one JSON object instead of aligned lines.")
        boolean json;

        @Option(names = "--header-only", description = "Decode only the header even if payload bytes follow "
                + "(implied by a 'TLP Header:' label, and chosen by itself when the payload is missing).")
        boolean headerOnly;

        @Override public Integer call() {
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            HexInput input;
            try {
                input = HexInput.parse(hex);
            } catch (IllegalArgumentException e) {
                err.println("vpcie tlp decode: bad input: " + e.getMessage());
                err.println("Try 'vpcie tlp decode --help'.");
                return CommandLine.ExitCode.USAGE;
            }
            byte[] raw = input.bytes();
            try {
                boolean header = headerOnly || input.headerLog();
                Tlp tlp;
                if (header) {
                    tlp = TlpCodec.decodeHeader(Unpooled.wrappedBuffer(raw));
                } else {
                    try {
                        tlp = TlpCodec.decode(raw);
                    } catch (MalformedTlpException e) {
                        // a header whose payload was not captured: show the header, say the payload is absent
                        if (e.reason() != MalformedTlpException.Reason.LENGTH_MISMATCH) throw e;
                        Tlp headerOnlyTlp = TlpCodec.decodeHeader(Unpooled.wrappedBuffer(raw));
                        if (raw.length >= TlpCodec.encodedLength(headerOnlyTlp)) throw e;
                        tlp = headerOnlyTlp;
                        header = true;
                    }
                }
                List<TlpFields.Field> fields = TlpFields.of(tlp, new TlpFields.Source(raw, TlpType.of(tlp).headerBytes(), header));
                out.print(json ? Json.object(fields) + "\n" : aligned(fields));
                out.flush();
                return CommandLine.ExitCode.OK;
            } catch (MalformedTlpException e) {
                err.println("vpcie tlp decode: malformed TLP: " + e.getMessage());
                return CommandLine.ExitCode.SOFTWARE;
            }
        }

        private static String aligned(List<TlpFields.Field> fields) {
            int width = fields.stream().mapToInt(f -> f.key().length()).max().orElse(0) + 2;
            StringBuilder s = new StringBuilder();
            String indent = " ".repeat(width);
            for (TlpFields.Field f : fields)
                s.append(String.format("%-" + width + "s", f.key())).append(f.human().replace("\n", "\n" + indent)).append('\n');
            return s.toString();
        }
    }
}
