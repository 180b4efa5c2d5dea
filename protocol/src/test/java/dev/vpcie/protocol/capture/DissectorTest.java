package dev.vpcie.protocol.capture;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.encap.CloseReason;
import dev.vpcie.protocol.encap.EthernetHeader;
import dev.vpcie.protocol.encap.FrameCodec;
import dev.vpcie.protocol.encap.FrameHeader;
import dev.vpcie.protocol.encap.FrameType;
import dev.vpcie.protocol.tlp.Attributes;
import dev.vpcie.protocol.tlp.Bdf;
import dev.vpcie.protocol.tlp.CfgRead;
import dev.vpcie.protocol.tlp.CfgWrite;
import dev.vpcie.protocol.tlp.Completion;
import dev.vpcie.protocol.tlp.IoRead;
import dev.vpcie.protocol.tlp.IoWrite;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.tlp.MemWrite;
import dev.vpcie.protocol.tlp.Message;
import dev.vpcie.protocol.tlp.Tlp;
import dev.vpcie.protocol.tlp.TlpCodec;
import dev.vpcie.protocol.tlp.TlpType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.File;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/wireshark/vpcie.lua in Debian's real tshark, on a capture with every TLP kind, a lost
 * frame with its NAK and retransmission, tagged and untagged frames: every field tshark shows
 * must be what the Java decoders read from the same bytes, frame by frame and field by field.
 */
class DissectorTest {
    static final Path DISSECTOR = Path.of("..", "tools", "wireshark", "vpcie.lua").toAbsolutePath().normalize();

    @TempDir static Path dir;
    static Path sample;

    @BeforeAll static void makeSample() throws Exception {
        sample = dir.resolve("sample.pcap");
        SampleCapture.write(sample);
    }

    static boolean hasTshark() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            if (Files.isExecutable(Path.of(p, "tshark"))) return true;
        return false;
    }

    /** tshark's JSON for {@code fields}, one map of field to values per frame. */
    static List<Map<String, List<String>>> tshark(Path capture, List<String> fields, String filter) throws Exception {
        Assumptions.assumeTrue(hasTshark(), "tshark is not installed (scripts/test installs it when run as root)");
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-X", "lua_script:" + DISSECTOR, "-r", capture.toString(), "-T", "json"));
        for (String f : fields) cmd.addAll(List.of("-e", f));
        if (filter != null) cmd.addAll(List.of("-Y", filter));
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("tshark.err").toFile()).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tshark finished");
        String err = Files.readString(dir.resolve("tshark.err"));
        assertEquals(0, p.exitValue(), "tshark failed: " + err);
        assertFalse(err.contains("Lua: Error"), err);
        List<Map<String, List<String>>> frames = new ArrayList<>();
        for (Object o : (List<?>) MiniJson.parse(out)) {
            Map<?, ?> layers = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) o).get("_source")).get("layers");
            Map<String, List<String>> m = new LinkedHashMap<>();
            layers.forEach((k, v) -> m.put((String) k, ((List<?>) v).stream().map(x -> normal((String) x)).toList()));
            frames.add(m);
        }
        return frames;
    }

    /** Numbers as decimal, whatever base tshark shows them in; byte strings as lower-case hex without separators. */
    static String normal(String v) {
        if (v.matches("0x[0-9a-fA-F]+")) return new BigInteger(v.substring(2), 16).toString();
        if (v.matches("([0-9a-f]{2}:)+[0-9a-f]{2}")) return v.replace(":", "");
        return v;
    }

    static void put(Map<String, List<String>> m, String field, Object value) {
        m.computeIfAbsent(field, k -> new ArrayList<>()).add(value instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(value));
    }

    /** What every field of the dissector must show, from the Java decoders. */
    static List<Map<String, List<String>>> expected(Path capture) throws Exception {
        List<Map<String, List<String>>> frames = new ArrayList<>();
        Map<String, Integer> highest = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(capture); PcapReader r = PcapReader.open(in)) {
            int number = 0;
            for (PcapReader.Frame f; (f = r.next()) != null; ) {
                Map<String, List<String>> m = new LinkedHashMap<>();
                put(m, "frame.number", ++number);
                ByteBuf b = Unpooled.wrappedBuffer(f.bytes());
                EthernetHeader eth = FrameCodec.readEthernet(b);
                if (eth.tagged()) put(m, "vlan.id", eth.group());
                int start = b.readerIndex(), version = f.bytes()[start] & 0xFF;
                FrameHeader h = FrameCodec.readHeader(b, version);
                put(m, "vpcie.version", version);
                if (version == FrameCodec.VERSION_AUTHENTICATED) {
                    put(m, "vpcie.sealed", 1);
                    int icv = start + FrameCodec.LINK_HEADER_LENGTH + h.payloadLength();
                    put(m, "vpcie.icv", java.util.Arrays.copyOfRange(f.bytes(), icv, icv + FrameCodec.ICV_LENGTH));
                }
                put(m, "vpcie.type", h.type().code());
                put(m, "vpcie.length", h.payloadLength());
                put(m, "vpcie.src_instance", h.srcInstance());
                put(m, "vpcie.dst_instance", h.dstInstance());
                put(m, "vpcie.src_epoch", Long.toUnsignedString(h.srcEpoch()));
                put(m, "vpcie.dst_epoch", Long.toUnsignedString(h.dstEpoch()));
                put(m, "vpcie.seq", Integer.toUnsignedString(h.seq()));
                put(m, "vpcie.ack", Integer.toUnsignedString(h.ack()));
                put(m, "vpcie.window", h.window());
                put(m, "vpcie.code", h.code());
                switch (h.type()) {
                    case CLOSE -> put(m, "vpcie.close_reason", CloseReason.of(h.code()));
                    case NAK -> {
                        put(m, "vpcie.nak.first", Integer.toUnsignedString(h.ack()));
                        put(m, "vpcie.nak.count", h.seq() - h.ack());
                    }
                    case ANNOUNCE -> put(m, "vpcie.announcement", new String(f.bytes(), b.readerIndex(), h.payloadLength(), StandardCharsets.US_ASCII));
                    case DATA -> {
                        ByteBuf payload = b.readSlice(h.payloadLength());
                        int i = 0;
                        for (ByteBuf record; (record = FrameCodec.readTlpRecord(payload)) != null; i++) {
                            put(m, "vpcie.tlp.record_length", record.readableBytes());
                            put(m, "vpcie.tlp.seq", Integer.toUnsignedString(h.seq() + i));
                            byte[] raw = new byte[record.readableBytes()];
                            record.getBytes(record.readerIndex(), raw);
                            tlp(m, raw, TlpCodec.decode(raw));
                        }
                        put(m, "vpcie.tlps", i);
                        String sender = eth.source() + "/" + h.srcInstance() + "/" + h.srcEpoch();
                        Integer before = highest.get(sender);
                        if (before != null && h.seq() - before <= 0) put(m, "vpcie.retransmitted", 1);
                        if (before == null || h.seq() + i - 1 - before > 0) highest.put(sender, h.seq() + i - 1);
                    }
                    case HELLO, HELLO_ACK, ACK, KEEPALIVE, DISCOVER -> { }
                }
                frames.add(m);
            }
        }
        return frames;
    }

    static void tlp(Map<String, List<String>> m, byte[] raw, Tlp tlp) {
        TlpType kind = TlpType.of(tlp);
        put(m, "vpcie.tlp.fmt", (raw[0] & 0xFF) >>> 5);
        put(m, "vpcie.tlp.typecode", raw[0] & 0x1F);
        put(m, "vpcie.tlp.type", kind.mnemonic.replaceAll("(32|64)$", ""));
        put(m, "vpcie.tlp.kind", kind.mnemonic);
        Attributes a = switch (tlp) {
            case MemRead r -> r.attributes();
            case MemWrite w -> w.attributes();
            case Completion c -> c.attributes();
            case Message msg -> msg.attributes();
            case IoRead r -> Attributes.DEFAULT;
            case IoWrite w -> Attributes.DEFAULT;
            case CfgRead r -> Attributes.DEFAULT;
            case CfgWrite w -> Attributes.DEFAULT;
        };
        put(m, "vpcie.tlp.tc", a.trafficClass());
        put(m, "vpcie.tlp.attr", a.attrBits());
        put(m, "vpcie.tlp.td", (raw[2] & 0x80) >>> 7);
        put(m, "vpcie.tlp.ep", a.poisoned() ? 1 : 0);
        switch (tlp) {
            case MemRead r -> {
                put(m, "vpcie.tlp.length", r.length());
                request(m, r.requester(), r.tag(), r.lastBe(), r.firstBe());
                put(m, "vpcie.tlp.address", r.address());
            }
            case MemWrite w -> {
                put(m, "vpcie.tlp.length", w.length());
                request(m, w.requester(), w.tag(), w.lastBe(), w.firstBe());
                put(m, "vpcie.tlp.address", w.address());
                put(m, "vpcie.tlp.data", w.data());
            }
            case IoRead r -> {
                put(m, "vpcie.tlp.length", 1);
                request(m, r.requester(), r.tag(), 0, r.firstBe());
                put(m, "vpcie.tlp.address", r.address());
            }
            case IoWrite w -> {
                put(m, "vpcie.tlp.length", 1);
                request(m, w.requester(), w.tag(), 0, w.firstBe());
                put(m, "vpcie.tlp.address", w.address());
                put(m, "vpcie.tlp.data", w.data());
            }
            case CfgRead r -> {
                put(m, "vpcie.tlp.length", 1);
                request(m, r.requester(), r.tag(), 0, r.firstBe());
                put(m, "vpcie.tlp.target", Bdf.toString(r.target()));
                put(m, "vpcie.tlp.register", r.register());
            }
            case CfgWrite w -> {
                put(m, "vpcie.tlp.length", 1);
                request(m, w.requester(), w.tag(), 0, w.firstBe());
                put(m, "vpcie.tlp.target", Bdf.toString(w.target()));
                put(m, "vpcie.tlp.register", w.register());
                put(m, "vpcie.tlp.data", w.data());
            }
            case Completion c -> {
                put(m, "vpcie.tlp.length", c.length());
                put(m, "vpcie.tlp.completer", Bdf.toString(c.completer()));
                put(m, "vpcie.tlp.status", c.status());
                put(m, "vpcie.tlp.bcm", c.bcm() ? 1 : 0);
                put(m, "vpcie.tlp.byte_count", c.byteCount());
                put(m, "vpcie.tlp.requester", Bdf.toString(c.requester()));
                put(m, "vpcie.tlp.tag", c.tag());
                put(m, "vpcie.tlp.lower_address", c.lowerAddress());
                if (c.hasData()) put(m, "vpcie.tlp.data", c.data());
            }
            case Message msg -> {
                put(m, "vpcie.tlp.length", msg.hasData() ? msg.data().length / 4 : 0);
                put(m, "vpcie.tlp.requester", Bdf.toString(msg.requester()));
                put(m, "vpcie.tlp.tag", msg.tag());
                put(m, "vpcie.tlp.routing", msg.routing().code);
                put(m, "vpcie.tlp.message_code", msg.code());
                put(m, "vpcie.tlp.header_tail", String.format("%016x", msg.headerTail()));
                if (msg.hasData()) put(m, "vpcie.tlp.data", msg.data());
            }
        }
    }

    static void request(Map<String, List<String>> m, int requester, int tag, int lastBe, int firstBe) {
        put(m, "vpcie.tlp.requester", Bdf.toString(requester));
        put(m, "vpcie.tlp.tag", tag);
        put(m, "vpcie.tlp.last_be", lastBe);
        put(m, "vpcie.tlp.first_be", firstBe);
    }

    @Test void everyFieldOfEveryFrameIsWhatTheJavaDecodersRead() throws Exception {
        List<Map<String, List<String>>> expected = expected(sample);
        Set<String> fields = new TreeSet<>();
        for (Map<String, List<String>> m : expected) fields.addAll(m.keySet());
        List<Map<String, List<String>>> shown = tshark(sample, List.copyOf(fields), null);
        assertEquals(expected.size(), shown.size(), "frames");
        for (int i = 0; i < expected.size(); i++) {
            Map<String, List<String>> want = new java.util.TreeMap<>(expected.get(i)), got = new java.util.TreeMap<>(shown.get(i));
            assertEquals(want, got, "frame " + (i + 1));
        }
    }

    @Test void theSampleHasWhatTheDissectorMustShow() throws Exception {
        List<Map<String, List<String>>> frames = expected(sample);
        Set<String> types = new HashSet<>(), kinds = new HashSet<>();
        for (Map<String, List<String>> m : frames) {
            types.addAll(m.get("vpcie.type"));
            kinds.addAll(m.getOrDefault("vpcie.tlp.kind", List.of()));
        }
        for (FrameType t : FrameType.values())
            assertTrue(types.contains(Integer.toString(t.code())), "a " + t + " frame");
        for (TlpType k : TlpType.values()) assertTrue(kinds.contains(k.mnemonic), "a " + k.mnemonic);
        assertTrue(frames.stream().anyMatch(m -> m.containsKey("vpcie.retransmitted")), "a retransmission");
        assertTrue(frames.stream().anyMatch(m -> m.containsKey("vlan.id")), "a tagged frame");
        assertTrue(frames.stream().anyMatch(m -> m.containsKey("vpcie.sealed") && m.containsKey("vpcie.tlp.kind")), "a sealed DATA frame");
        assertTrue(frames.stream().anyMatch(m -> !m.containsKey("vlan.id")), "an untagged frame");
        assertTrue(frames.stream().anyMatch(m -> m.getOrDefault("vpcie.tlps", List.of("0")).getFirst().compareTo("1") > 0), "a frame of several TLPs");
    }

    @Test void frameStatsCountTheDataFramesAndTlpsOfTheSample() throws Exception {
        dev.vpcie.protocol.transport.FrameStats stats = new dev.vpcie.protocol.transport.FrameStats(FrameCodec.DEFAULT_ETHER_TYPE);
        long frames = 0;
        try (InputStream in = Files.newInputStream(sample); PcapReader r = PcapReader.open(in)) {
            for (PcapReader.Frame f; (f = r.next()) != null; frames++) stats.onFrame(false, java.nio.ByteBuffer.wrap(f.bytes()), 0, f.bytes().length);
        }
        List<Map<String, List<String>>> expected = expected(sample);
        long data = expected.stream().filter(m -> m.get("vpcie.type").equals(List.of("3"))).count();
        long tlps = expected.stream().mapToLong(m -> m.getOrDefault("vpcie.tlp.seq", List.of()).size()).sum();
        assertEquals(new dev.vpcie.protocol.transport.FrameStats.Direction(frames, stats.snapshot().received().bytes(), data, tlps),
                stats.snapshot().received());
        assertEquals(0, stats.snapshot().sent().frames());
    }

    @Test void tlpFieldsAreFilterable() throws Exception {
        List<Map<String, List<String>>> reads = tshark(sample, List.of("frame.number", "vpcie.tlp.kind"), "vpcie.tlp.type == \"MRd\"");
        assertFalse(reads.isEmpty());
        for (Map<String, List<String>> m : reads) assertTrue(m.get("vpcie.tlp.kind").stream().anyMatch(k -> k.startsWith("MRd")), m.toString());
        List<Map<String, List<String>>> ur = tshark(sample, List.of("vpcie.tlp.tag"), "vpcie.tlp.status == \"UR\"");
        assertEquals(List.of(Map.of("vpcie.tlp.tag", List.of("5"))), ur);
        List<Map<String, List<String>>> naks = tshark(sample, List.of("vpcie.nak.first"), "vpcie.type == 5");
        assertEquals(1, naks.size());
        List<Map<String, List<String>>> again = tshark(sample, List.of("vpcie.seq"), "vpcie.retransmitted");
        assertEquals(1, again.size());
    }
}
