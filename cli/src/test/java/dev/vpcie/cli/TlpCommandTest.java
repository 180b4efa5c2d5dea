package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.capture.CaptureSpec;
import dev.vpcie.protocol.capture.PcapWriter;
import dev.vpcie.protocol.link.Link;
import dev.vpcie.protocol.link.LinkConfig;
import dev.vpcie.protocol.link.LinkEndpoint;
import dev.vpcie.protocol.tlp.MemRead;
import dev.vpcie.protocol.transport.MemoryTransport;
import dev.vpcie.protocol.transport.TappedTransport;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vpcie tlp decode} run through the real command line, output captured. */
class TlpCommandTest {

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) { return runWithInput("", args); }

    /** Runs with {@code stdin} as standard input. */
    private static Run runWithInput(String stdin, String... args) {
        CommandLine cl = Main.commandLine();
        TlpCommand.Decode decode = cl.getSubcommands().get("tlp").getSubcommands().get("decode").getCommand();
        decode.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test void decodesAMemoryReadOneFieldPerLine() {
        Run r = run("tlp", "decode", "00000001", "0100050f", "fedc0010");
        assertEquals(0, r.exit, r.err);
        assertEquals("""
                kind       MRd32 (Memory Read, 3DW, no data)
                fmt        0b000 (3DW header, no data)
                type       0b00000
                tc         0
                attr       0b000
                length     1 DW (4 bytes)
                requester  01:00.0
                tag        5
                firstBe    0b1111
                lastBe     0b0000
                address    0xfedc0010
                """, r.out);
        assertEquals("", r.err);
    }

    @Test void aerHeaderLogDecodesTheHeaderAndSaysThePayloadIsAbsent() {
        Run r = run("tlp", "decode", "TLP Header: 4a000001 01000004 00000100 00000000");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.startsWith("kind          CplD (Completion with Data, 3DW)\n"), r.out);
        assertTrue(r.out.contains("\ncompleter     01:00.0\n"), r.out);
        assertTrue(r.out.contains("\nstatus        SC (Successful Completion)\n"), r.out);
        assertTrue(r.out.contains("\nbyteCount     4\n"), r.out);
        assertTrue(r.out.contains("\ndata          absent: header only (Length says 4 bytes of payload)\n"), r.out);
        // a whole kernel log line works too
        assertEquals(0, run("tlp", "decode", "pcieport 0000:00:1c.0:   TLP Header: 4a000001 01000004 00000100 00000000").exit);
    }

    @Test void jsonHasTheDocumentedKeysAndOmitsAbsentOnes() {
        Run r = run("tlp", "decode", "--json", "0x60000002", "0x00000aff", "0x00000001", "0x23456780", "1122334455667788");
        assertEquals(0, r.exit, r.err);
        assertEquals("{\"kind\": \"MWr64\", \"fmt\": 3, \"type\": 0, \"tc\": 0, \"attr\": 0, \"length\": 2, \"requester\": \"00:00.0\", "
                + "\"tag\": 10, \"firstBe\": 15, \"lastBe\": 15, \"address\": \"0x123456780\", \"data\": \"1122334455667788\"}\n", r.out);
        Run cpl = run("tlp", "decode", "--json", "TLP Header: 4a000001 01000004 00000100 00000000");
        assertEquals("{\"kind\": \"CplD\", \"fmt\": 2, \"type\": 10, \"tc\": 0, \"attr\": 0, \"length\": 1, \"completer\": \"01:00.0\", "
                + "\"status\": \"SC\", \"byteCount\": 4, \"requester\": \"00:00.0\", \"tag\": 1, \"lowerAddress\": 0}\n", cpl.out);
        Run msg = run("tlp", "decode", "--json", "34000000010000200000000000000000");
        assertEquals("{\"kind\": \"Msg\", \"fmt\": 1, \"type\": 20, \"tc\": 0, \"attr\": 0, \"length\": 0, \"requester\": \"01:00.0\", "
                + "\"tag\": 0, \"messageCode\": 32}\n", msg.out);
        Run cfg = run("tlp", "decode", "--json", "45000001 00000203 02080104 78563412");
        assertEquals("{\"kind\": \"CfgWr1\", \"fmt\": 2, \"type\": 5, \"tc\": 0, \"attr\": 0, \"length\": 1, \"requester\": \"00:00.0\", "
                + "\"tag\": 2, \"firstBe\": 3, \"lastBe\": 0, \"address\": \"0x104\", \"completer\": \"02:01.0\", \"data\": \"78563412\"}\n", cfg.out);
    }

    @Test void payloadMissingWithoutALabelIsDetected() {
        Run r = run("tlp", "decode", "40000002 010000ff 000e2000");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("data       absent: header only (Length says 8 bytes of payload)"), r.out);
    }

    @Test void showsTenBitTagsAttributesPoisonDigestAndWarnings() {
        Run r = run("tlp", "decode", "20bc7001 0100a500 00000000 fedc0010");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("\ntag        933 (10-bit tag)\n"), r.out);
        assertTrue(r.out.contains("\nattr       0b111 (IDO, RO, NS)\n"), r.out);
        assertTrue(r.out.contains("\ntc         3\n"), r.out);
        assertTrue(r.out.contains("\npoisoned   yes"), r.out);
        assertTrue(r.out.contains("\nwarning    4DW header for an address below 4 GiB"), r.out);
        Run td = run("tlp", "decode", "40008001 0100000f 000e2000 deadbeef 12345678");
        assertTrue(td.out.contains("\ndata       deadbeef\n"), td.out);
        assertTrue(td.out.contains("\ndigest     12345678 (TD=1: ECRC present, not checked)\n"), td.out);
    }

    @Test void longPayloadsAreDumpedWithOffsets() {
        StringBuilder hex = new StringBuilder("40000010 0100ffff 00001000");
        for (int i = 0; i < 16; i++) hex.append(String.format(" %08x", i));
        Run r = run("tlp", "decode", hex.toString());
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.contains("\ndata       64 bytes\n           +000  00000000 00000001"), r.out);
        assertTrue(r.out.contains("\n           +020  00000008"), r.out);
    }

    @Test void malformedTlpExitsOneAndNamesTheReason() {
        Run r = run("tlp", "decode", "03000001 0100050f fedc0010");
        assertEquals(1, r.exit);
        assertEquals("", r.out);
        assertEquals("vpcie: tlp decode: malformed TLP: RESERVED_TYPE: Fmt 0b000 with Type 0b00011 is reserved\n", r.err);
        Run extra = run("tlp", "decode", "00000001 0100050f fedc0010 00000000");
        assertEquals(1, extra.exit);
        assertTrue(extra.err.contains("LENGTH_MISMATCH"), extra.err);
        Run truncated = run("tlp", "decode", "TLP Header: 4a000001 01000004");
        assertEquals(1, truncated.exit);
        assertTrue(truncated.err.contains("TRUNCATED_HEADER"), truncated.err);
    }

    @Test void badInputExitsTwo() {
        Run odd = run("tlp", "decode", "0400000");
        assertEquals(2, odd.exit);
        assertTrue(odd.err.contains("'0400000' has an odd number of hex digits (7)"), odd.err);
        Run notHex = run("tlp", "decode", "4a00000g");
        assertEquals(2, notHex.exit);
        assertTrue(notHex.err.contains("'4a00000g' is not hex (character 'g')"), notHex.err);
        assertEquals(2, run("tlp", "decode", "TLP Header:").exit);
        assertEquals(2, run("tlp", "decode").exit, "nothing on standard input is a usage error");
        assertEquals(2, run("tlp", "decode", "--bogus", "00").exit);
    }

    @Test void helpDescribesTheCommand() {
        Run r = run("tlp", "decode", "--help");
        assertEquals(0, r.exit);
        assertTrue(r.out.contains("TLP Header:"), r.out);
        assertTrue(run("--help").out.contains("tlp"), "registered under vpcie");
    }

    static final String CPLD_HEADER = "kind          CplD (Completion with Data, 3DW)\n";

    @Test void readsAPastedAerBlockFromStandardInput() {
        String block = """
                pcieport 0000:00:1c.0: AER: Uncorrectable (Non-Fatal) error message received from 0000:01:00.0
                igb 0000:01:00.0: PCIe Bus Error: severity=Uncorrectable (Non-Fatal), type=Transaction Layer, (Completer ID)
                igb 0000:01:00.0:   device [8086:10c9] error status/mask=00008000/00000000
                igb 0000:01:00.0:    [15] CmpltAbrt
                igb 0000:01:00.0: AER:   TLP Header: 4a000001 01000004 00000100 00000000
                """;
        Run r = runWithInput(block, "tlp", "decode");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.startsWith(CPLD_HEADER), r.out);
        assertEquals(r.out, runWithInput(block, "tlp", "decode", "-").out, "- is standard input too");
    }

    @Test void toleratesTheAerLogVariants() {
        // %#010x words (0 printed as ten zeros, without 0x) and the End-End TLP Prefixes after them
        Run prefixes = run("tlp", "decode", "TLP Header: 0x4a000001 0x01000004 0x00000100 0000000000 E-E Prefixes: 0x91000000");
        assertEquals(0, prefixes.exit, prefixes.err);
        assertTrue(prefixes.out.startsWith(CPLD_HEADER), prefixes.out);
        assertTrue(prefixes.out.contains("\nprefixes      91000000 (End-End TLP Prefixes, logged apart from the header)\n"), prefixes.out);
        // commas between the words
        Run commas = run("tlp", "decode", "TLP Header: 4a000001, 01000004, 00000100, 00000000");
        assertEquals(0, commas.exit, commas.err);
        assertTrue(commas.out.startsWith(CPLD_HEADER), commas.out);
        assertEquals(0, run("tlp", "decode", "40000001,0100000f,000e2000,deadbeef").exit, "commas in plain hex too");
        // Flit mode: shown, not decoded
        Run flit = run("tlp", "decode", "TLP Header (Flit): 0x4a000001 0x01000004 0x00000100 0000000000 0x00000000");
        assertEquals(0, flit.exit, flit.err);
        assertTrue(flit.out.contains("Flit mode TLP header (not decoded") && flit.out.contains("5 DWs: 4a000001 01000004 00000100 00000000 00000000"),
                flit.out);
        Run tooWide = run("tlp", "decode", "TLP Header: 4a0000011 01000004 00000100");
        assertEquals(2, tooWide.exit);
        assertTrue(tooWide.err.contains("'4a0000011' after 'TLP Header:' is not a 32-bit word"), tooWide.err);
    }

    @Test void decodesTheTlpsOfACapture(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.pcap");
        capture(file, LinkConfig.defaults().withGroup(7));
        Run r = run("tlp", "decode", "--pcap", file.toString());
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.lines().anyMatch(l -> l.startsWith("frame 1 ") && l.contains(" group 7 HELLO seq ")), r.out);
        assertTrue(r.out.contains(" DATA seq 0 ack 0 window 1024, 14 bytes of TLP records\n  TLP 0\n    kind       MRd32 (Memory Read, 3DW, no data)\n"), r.out);
        assertTrue(r.out.contains("\n    address    0xfedc0010\n"), r.out);
        Run json = run("tlp", "decode", "--json", "--pcap", file.toString());
        assertEquals(0, json.exit, json.err);
        assertTrue(json.out.contains("\"seq\": \"0\", \"kind\": \"MRd32\""), json.out);
        assertEquals(2, run("tlp", "decode", "--pcap", dir.resolve("none.pcap").toString()).exit);
        assertEquals(2, run("tlp", "decode", "--pcap", file.toString(), "00").exit);
    }

    @Test void decodesSealedFramesToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sealed.pcap");
        capture(file, LinkConfig.defaults().withGroup(7)
                .withGroupKey(dev.vpcie.protocol.link.GroupKey.of("a group key of 32 bytes, for tests".getBytes(StandardCharsets.US_ASCII))));
        Run r = run("tlp", "decode", "--pcap", file.toString());
        assertEquals(0, r.exit, r.err);
        assertTrue(r.out.lines().anyMatch(l -> l.contains(" group 7 sealed HELLO seq ")), r.out);
        assertTrue(r.out.contains(" sealed DATA seq 0 ack 0 window 1024, 14 bytes of TLP records\n  TLP 0\n    kind       MRd32 "), r.out);
    }

    /** A session on a memory cable, captured at its opener: HELLO, HELLO_ACK, one MRd32, the CLOSE. */
    private static void capture(Path file, LinkConfig config) throws Exception {
        try (MemoryTransport.Pair cable = MemoryTransport.pair()) {
            TappedTransport tapped = new TappedTransport(cable.a(), List.of(PcapWriter.open(CaptureSpec.of(file))));
            try (LinkEndpoint a = LinkEndpoint.start(tapped, config.withHostInstance(1));
                 LinkEndpoint b = LinkEndpoint.start(cable.b(), config.withHostInstance(2))) {
                java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
                b.onAccept(l -> l.handler(new dev.vpcie.protocol.link.TlpHandler() {
                    @Override public void onTlp(dev.vpcie.protocol.tlp.Tlp tlp) { arrived.countDown(); }

                    @Override public void onLinkUp(long peerEpoch) {}

                    @Override public void onLinkDown(String reason) {}
                }));
                Link link = a.connect(cable.b().address(), 2);
                assertTrue(link.awaitUp(Duration.ofSeconds(10)));
                link.send(new MemRead(0x0000, 5, 0xfedc_0010L, 1, 0xF, 0));
                assertTrue(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS), "the read crossed the link");
            }
        }
    }
}
