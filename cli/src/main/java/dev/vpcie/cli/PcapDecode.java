package dev.vpcie.cli;

import dev.vpcie.protocol.capture.PcapReader;
import dev.vpcie.protocol.encap.CloseReason;
import dev.vpcie.protocol.encap.EthernetHeader;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.encap.MalformedFrameException;
import dev.vpcie.protocol.tlp.MalformedTlpException;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.tlp.TlpType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * {@code vpcie tlp decode --pcap FILE}: every vpcie frame of a capture on one line (what the
 * Wireshark dissector's Info column shows), then each of its TLPs with the fields
 * {@code tlp decode} prints. Frames of other protocols are skipped and counted.
 */
final class PcapDecode {
    private PcapDecode() {}

    static int run(Path file, boolean json, PrintWriter out, PrintWriter err) {
        int number = 0, other = 0, malformed = 0;
        try (InputStream in = Files.newInputStream(file); PcapReader reader = PcapReader.open(in)) {
            for (PcapReader.Frame f; (f = reader.next()) != null; ) {
                number++;
                ByteBuf b = Unpooled.wrappedBuffer(f.bytes());
                EthernetHeader eth;
                FrameHeader h;
                boolean sealed;
                try {
                    eth = FrameCodec.readEthernet(b);
                    if (eth.etherType() != FrameCodec.DEFAULT_ETHER_TYPE) {
                        other++;
                        continue;
                    }
                    sealed = version(b) == FrameCodec.VERSION_AUTHENTICATED;
                    h = FrameCodec.readHeader(b, version(b));
                } catch (MalformedFrameException e) {
                    malformed++;
                    if (!json) out.println("frame " + number + ": malformed vpcie frame: " + e.getMessage());
                    continue;
                }
                String line = frameLine(number, f.timestampNanos(), eth, h, sealed);
                if (!json) out.println(line);
                if (h.type() != FrameType.DATA) continue;
                int frameNumber = number;
                malformed += eachTlp(h, b, (seq, raw) -> {
                    try {
                        Tlp tlp = TlpCodec.decode(raw);
                        List<TlpFields.Field> fields = TlpFields.of(tlp, new TlpFields.Source(raw, TlpType.of(tlp).headerBytes(), false));
                        if (json) {
                            List<TlpFields.Field> all = new ArrayList<>(List.of(new TlpFields.Field("frame", "", frameNumber),
                                    new TlpFields.Field("src", "", eth.source() + "/" + h.srcInstance()),
                                    new TlpFields.Field("dst", "", eth.destination() + "/" + h.dstInstance()),
                                    new TlpFields.Field("seq", "", seq)));
                            all.addAll(fields);
                            out.println(Json.object(all));
                        } else {
                            out.println("  TLP " + seq);
                            out.print(TlpCommand.Decode.aligned(fields, "    "));
                        }
                        return true;
                    } catch (MalformedTlpException e) {
                        if (!json) out.println("  TLP " + seq + ": malformed: " + e.getMessage());
                        return false;
                    }
                });
            }
        } catch (NoSuchFileException e) {
            err.println("vpcie: tlp decode: no such file: " + file);
            return CommandLine.ExitCode.USAGE;
        } catch (IOException e) {
            err.println("vpcie: tlp decode: " + file + ": " + e.getMessage());
            return CommandLine.ExitCode.SOFTWARE;
        }
        if (!json && other > 0) out.println(other + " frames of other protocols skipped");
        out.flush();
        return malformed == 0 ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
    }

    /**
     * The version of the link header at {@code b}'s reader index, as the header checks should
     * expect it: a sealed frame (version 2, a group key) decodes as a plain one with 16 more
     * bytes after its payload, which the seal's check (it needs the key) would have cut off.
     */
    static int version(ByteBuf b) {
        int v = b.isReadable() ? b.getUnsignedByte(b.readerIndex()) : FrameCodec.VERSION;
        return v == FrameCodec.VERSION_AUTHENTICATED ? v : FrameCodec.VERSION;
    }

    /** What to do with one TLP record of a DATA frame: its sequence number and bytes; false if it was malformed. */
    @FunctionalInterface
    interface TlpVisitor {
        boolean visit(String seq, byte[] raw);
    }

    /** Visits the TLP records of a verified DATA frame whose payload starts at {@code b}'s reader index; returns how many were malformed. */
    static int eachTlp(FrameHeader h, ByteBuf b, TlpVisitor visitor) {
        ByteBuf payload = b.readSlice(h.payloadLength());
        int i = 0, malformed = 0;
        for (ByteBuf record; (record = FrameCodec.readTlpRecord(payload)) != null; i++) {
            byte[] raw = new byte[record.readableBytes()];
            record.getBytes(record.readerIndex(), raw);
            if (!visitor.visit(Integer.toUnsignedString(h.seq() + i), raw)) malformed++;
        }
        return malformed;
    }

    /** {@code frame 3 2026-12-04T22:10:00.000020Z 02:..:01/1 -> 02:..:02/2 group 7 DATA seq 0 ack 0 window 1024, 2 TLPs}. */
    static String frameLine(int number, long timestampNanos, EthernetHeader eth, FrameHeader h, boolean sealed) {
        Instant at = Instant.ofEpochSecond(0, timestampNanos);
        StringBuilder s = new StringBuilder("frame ").append(number).append(' ').append(at).append(' ')
                .append(eth.source()).append('/').append(h.srcInstance()).append(" -> ")
                .append(eth.destination()).append('/').append(h.dstInstance() == FrameCodec.ANY_INSTANCE ? "any" : h.dstInstance())
                .append(eth.tagged() ? " group " + eth.group() : " untagged").append(sealed ? " sealed " : " ").append(h.type())
                .append(" seq ").append(Integer.toUnsignedString(h.seq())).append(" ack ").append(Integer.toUnsignedString(h.ack()))
                .append(" window ").append(h.window());
        switch (h.type()) {
            case CLOSE -> s.append(' ').append(CloseReason.of(h.code()));
            case NAK -> s.append(": resend ").append(Integer.toUnsignedString(h.ack())).append("..").append(Integer.toUnsignedString(h.seq() - 1));
            case DATA -> s.append(", ").append(h.payloadLength()).append(" bytes of TLP records");
            case KEEPALIVE -> { if (h.code() != 0) s.append(" code ").append(h.code()); }
            case HELLO, HELLO_ACK, ACK, DISCOVER, ANNOUNCE -> { }
        }
        return s.toString();
    }
}
