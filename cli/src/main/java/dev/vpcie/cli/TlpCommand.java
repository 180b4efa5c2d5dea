package dev.vpcie.cli;

import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.tlp.TlpType;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @picocli.CommandLine.Mixin Logging.Options logging;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "decode", sortOptions = false,
            description = {"Decode one TLP given in hex and print its fields, one per line.",
                    "Accepts 32-bit words as a Linux AER log prints them (\"TLP Header: 4a000001 01000004 ...\": "
                            + "a Header Log holds only the header, so the payload is reported absent; the E-E Prefixes "
                            + "and Flit mode forms too) or a plain hex string, with or without 0x, separated by spaces "
                            + "or commas. Without HEX (or with -) it reads standard input, so a pasted AER block works.",
                    "With --pcap, decodes every TLP of every vpcie frame in a capture (vpcie --capture, tcpdump -w)."},
            footer = {"", "Examples:",
                    "  vpcie tlp decode 'TLP Header: 4a000001 01000004 00000100 00000000'",
                    "  vpcie tlp decode --json 40000001 0100000f 000e2000 deadbeef",
                    "  dmesg | grep -A1 'AER:' | vpcie tlp decode",
                    "  vpcie tlp decode --pcap vrc.pcap",
                    "", "Exit status: 0 decoded, 1 malformed TLP, 2 bad input."},
            exitCodeListHeading = "", exitCodeList = {})
    static final class Decode implements Callable<Integer> {
        @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin Logging.Options logging;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(arity = "0..*", paramLabel = "HEX", description = "The TLP: hex words or one hex string; none or - reads standard input.")
        List<String> hex = List.of();

        @Option(names = "--json", description = "Print one JSON object instead of aligned lines (with --pcap, one per TLP).")
        boolean json;

        @Option(names = "--header-only", description = "Decode only the header even if payload bytes follow "
                + "(implied by a 'TLP Header:' label, and chosen by itself when the payload is missing).")
        boolean headerOnly;

        @Option(names = "--pcap", paramLabel = "FILE", description = "Decode the TLPs of every vpcie frame in this pcap file.")
        Path pcap;

        /** Replaced by tests: standard input. */
        InputStream stdin = System.in;

        @Override public Integer call() {
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            if (pcap != null) {
                if (!hex.isEmpty()) return usage(err, "give either --pcap FILE or HEX, not both");
                return PcapDecode.run(pcap, json, out, err);
            }
            HexInput input;
            try {
                boolean fromStdin = hex.isEmpty() || hex.equals(List.of("-"));
                input = fromStdin ? HexInput.parse(new String(stdin.readAllBytes(), StandardCharsets.UTF_8)) : HexInput.parse(hex);
            } catch (IllegalArgumentException | IOException e) {
                return usage(err, e.getMessage());
            }
            if (input.flit()) {
                out.print(print(flitFields(input)));
                out.flush();
                return CommandLine.ExitCode.OK;
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
                List<TlpFields.Field> fields = new ArrayList<>(TlpFields.of(tlp, new TlpFields.Source(raw, TlpType.of(tlp).headerBytes(), header)));
                if (!input.prefixes().isEmpty()) fields.add(new TlpFields.Field("prefixes", words(input.prefixes())
                        + " (End-End TLP Prefixes, logged apart from the header)", words(input.prefixes())));
                out.print(print(fields));
                out.flush();
                return CommandLine.ExitCode.OK;
            } catch (MalformedTlpException e) {
                err.println("vpcie: tlp decode: malformed TLP: " + e.getMessage());
                return CommandLine.ExitCode.SOFTWARE;
            }
        }

        private String print(List<TlpFields.Field> fields) {
            return json ? Json.object(fields) + "\n" : aligned(fields, "");
        }

        private static int usage(PrintWriter err, String message) {
            err.println("vpcie: tlp decode: bad input: " + message + " (see vpcie tlp decode --help)");
            return CommandLine.ExitCode.USAGE;
        }

        /** A Flit mode header log: its layout differs from the non-Flit TLPs vpcie carries, so it is shown, not decoded. */
        private static List<TlpFields.Field> flitFields(HexInput input) {
            byte[] b = input.bytes();
            List<Long> words = new ArrayList<>();
            for (int i = 0; i + 4 <= b.length; i += 4) words.add(Integer.toUnsignedLong(ByteBuffer.wrap(b, i, 4).getInt()));
            return List.of(
                    new TlpFields.Field("kind", "Flit mode TLP header (not decoded: vpcie carries non-Flit TLPs)", "flit"),
                    new TlpFields.Field("typeByte", String.format("0x%02x (the Flit mode Type field)", b[0] & 0xFF), b[0] & 0xFF),
                    new TlpFields.Field("header", words.size() + " DWs: " + words(words), words(words)));
        }

        private static String words(List<Long> words) {
            StringBuilder s = new StringBuilder();
            for (long w : words) s.append(s.isEmpty() ? "" : " ").append(String.format("%08x", w));
            return s.toString();
        }

        /** Fields one per line, values aligned; {@code indent} in front of every line. */
        static String aligned(List<TlpFields.Field> fields, String indent) {
            int width = fields.stream().mapToInt(f -> f.key().length()).max().orElse(0) + 2;
            StringBuilder s = new StringBuilder();
            String continuation = indent + " ".repeat(width);
            for (TlpFields.Field f : fields)
                s.append(indent).append(String.format("%-" + width + "s", f.key())).append(f.human().replace("\n", "\n" + continuation)).append('\n');
            return s.toString();
        }
    }
}
