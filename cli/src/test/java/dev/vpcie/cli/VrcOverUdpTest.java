package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.protocol.capture.PcapReader;
import dev.vpcie.testsupport.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vpcie vrc} against a real {@code vpcie endpoint} in the same JVM, over the UDP transport
 * on the loopback interface (no root needed): the real connector discovers the endpoint, connects,
 * enumerates, runs the subcommand and closes, and the endpoint sees each session come and go.
 */
class VrcOverUdpTest {
    private final StringWriter endpointOut = new StringWriter(), endpointErr = new StringWriter();
    private String endpointAddress, vrcAddress;
    private EndpointCommand endpoint;
    private CompletableFuture<Integer> endpointExit;

    @BeforeEach void startEndpoint() throws IOException {
        int[] ports = freeUdpPorts(2);
        endpointAddress = "127.0.0.1:" + ports[0];
        vrcAddress = "127.0.0.1:" + ports[1];
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(endpointOut, true));
        cl.setErr(new PrintWriter(endpointErr, true));
        endpoint = cl.getSubcommands().get("endpoint").getCommand();
        endpointExit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--transport", "udp", "--udp-listen", endpointAddress,
                "--udp-peer", vrcAddress, "--group", "5", "--device", "dmatest"));
        Await.until(() -> endpointOut.toString().contains("endpoint ready") || endpointExit.isDone(), "the endpoint is ready");
        assertTrue(endpointOut.toString().contains("endpoint ready"), endpointOut + "" + endpointErr);
    }

    @AfterEach void stopEndpoint() throws Exception {
        endpoint.stop();
        assertEquals(0, endpointExit.get(10, TimeUnit.SECONDS), endpointErr.toString());
    }

    private record Run(int status, String out, String err) {}

    private Run vrc(String... args) { return vrcInGroup(5, args); }

    private Run vrcInGroup(int group, String... args) {
        List<String> argv = new ArrayList<>(List.of("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress,
                "--group", Integer.toString(group), "--discover-timeout-ms", "1000", "--completion-timeout-ms", "2000"));
        argv.addAll(List.of(args));
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(argv.toArray(String[]::new));
        return new Run(status, out.toString(), err.toString());
    }

    @Test void lspciFindsTheDmatestFunction() {
        Run r = vrc("lspci", "-v");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("01:00.0 System peripheral: Red Hat, Inc. Device 10f0 (rev 01)")
                || r.out().startsWith("01:00.0 System peripheral"), r.out());
        assertTrue(r.out().contains("Capabilities: [") && r.out().contains("MSI-X: Enable- Count=4"), r.out());
        Await.until(() -> endpointOut.toString().contains("link down: VRC"), "the endpoint sees the VRC's session end when it closes");
        assertTrue(endpointOut.toString().contains("link up: VRC"), endpointOut.toString());
    }

    @Test void mmioAndConfigAccessesGoThroughTheLink() {
        Run id = vrc("mmio", "read", "01:00.0", "0", "0x0");
        assertEquals(0, id.status(), id.err());
        assertEquals("0x31544d44\n", id.out(), "the ID register: 'DMT1'");
        Run dev = vrc("config", "read", "01:00.0", "0x02.w");
        assertEquals(0, dev.status(), dev.err());
        assertEquals("10f0\n", dev.out());
    }

    @Test void benchDmaPrintsTheHeaderThenARowPerSize() {
        Run r = vrc("bench", "dma", "--mode", "read", "--sizes", "64,4096", "--bytes-per-size", "65536", "--seconds-per-size", "0.5");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("dmatest on 01:00.0") && lines.get(1).startsWith("mode "), r.out());
        assertTrue(lines.get(2).startsWith("read           64 ") && lines.get(3).startsWith("read         4096 "), r.out());
        assertTrue(lines.get(4).startsWith("raw TLP ping-pong (same run): "), r.out());
    }

    @Test void setpciCapabilityNamesFindTheCapabilities() {
        Run r = vrc("config", "01:00.0", "CAP_EXP.b", "CAP_MSIX.b", "CAP_EXP+2.w");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("10\n11\n"), r.out());
    }

    @Test void dmatestCopyFillAndChecksumEachWithAnInterrupt() {
        Run copy = vrc("dmatest", "copy", "--size", "64K", "--src-offset", "3", "--dst-offset", "1");
        assertEquals(0, copy.status(), copy.out() + copy.err());
        assertTrue(copy.out().contains("copy 65536 bytes host->host: ") && copy.out().contains("interrupt MSI-X vector 0 received, data verified"),
                copy.out());
        Run fill = vrc("dmatest", "01:00.0", "fill", "--size", "1000", "--interrupt", "msi", "--pattern", "0x11223344");
        assertEquals(0, fill.status(), fill.out() + fill.err());
        assertTrue(fill.out().contains("fill 1000 bytes with 0x11223344: ") && fill.out().contains("interrupt MSI vector 0 received, data verified"),
                fill.out());
        Run sum = vrc("dmatest", "checksum", "--size", "4097", "--interrupt", "intx");
        assertEquals(0, sum.status(), sum.out() + sum.err());
        assertTrue(sum.out().contains("checksum of 4097 bytes: ") && sum.out().contains("interrupt INTx vector 0 received, CRC-32 0x"), sum.out());
        assertEquals(4, copy.out().lines().count(), "one line per step: device, interrupts, buffers, command\n" + copy.out());
    }

    @Test void noEndpointInTheGroupIsAClearError() {
        Run r = vrcInGroup(6, "lspci");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.err().contains("vpcie: vrc: no endpoint answered in group 6 on udp " + vrcAddress + " -> " + endpointAddress + " within 1000 ms"),
                r.err());
    }

    @Test void badFaultSpecAndMissingInterfaceAreUsageErrors() {
        Run faults = vrc("--faults", "loss=lots", "lspci");
        assertEquals(2, faults.status());
        assertTrue(faults.err().contains("fault spec 'loss=lots'"), faults.err());
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("vrc", "--iface", "nosuch0", "lspci"));
        assertTrue(err.toString().contains("no network interface 'nosuch0' in this network namespace (there are: ") && err.toString().contains("lo"),
                err.toString());
    }

    @Test void injectedLossIsRepairedByTheLink() {
        Run r = vrc("--faults", "loss=10,seed=7", "dmatest", "copy", "--size", "256K");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("data verified"), r.out());
    }

    @Test void captureRecordsBothDirectionsReadablyByTsharkAndTlpDecode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vrc.pcap");
        Run r = vrc("--capture", file.toString(), "config", "read", "01:00.0", "0x02.w");
        assertEquals(0, r.status(), r.err());
        List<Integer> types = new ArrayList<>();
        Set<String> senders = new HashSet<>();
        try (InputStream in = Files.newInputStream(file); PcapReader reader = PcapReader.open(in)) {
            for (PcapReader.Frame f; (f = reader.next()) != null; ) {
                types.add(f.bytes()[19] & 0xFF); // tagged (group 5): the link header's Type byte
                senders.add(HexFormat.of().formatHex(f.bytes(), 6, 12));
            }
        }
        assertEquals(List.of(8, 9), types.subList(0, 2), "the capture starts with the discovery: " + types);
        assertTrue(types.containsAll(List.of(1, 2, 3)), "HELLO, HELLO_ACK, DATA: " + types);
        assertEquals(7, types.getLast(), "the CLOSE last: " + types);
        assertEquals(2, senders.size(), "frames of both directions");
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("tlp", "decode", "--pcap", file.toString()));
        assertTrue(out.toString().contains("CfgRd0 (Configuration Read Type 0") && out.toString().contains("CplD (Completion with Data"), out.toString());
        if (Tshark.available()) {
            String shown = Tshark.run(file, "vpcie.tlp.type == \"CfgRd0\"");
            assertTrue(shown.contains("CfgRd0 01:00.0 0x000"), shown);
        }
    }

    @Test void traceLogsEachTlpOnOneLine() {
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var trace = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TlpTrace.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        trace.addAppender(lines);
        var before = root.getLevel();
        try {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            Run r = vrc("-vvv", "config", "read", "01:00.0", "0x02.w");
            assertEquals(0, r.status(), r.err());
        } finally {
            root.setLevel(before);
            trace.detachAppender(lines);
        }
        List<String> messages = lines.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("-> ") && m.contains(" seq 0 CfgRd0 fmt=0 type=4 ")
                && m.contains(" requester=00:00.0 tag=0 firstBe=15 lastBe=0 address=0x000 completer=01:00.0")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("<- ") && m.contains(" CplD ") && m.contains("status=SC")), messages.toString());
    }

    @Test void captureOptionsAreCheckedAsUsage() {
        Run r = vrc("--capture-files", "3", "lspci");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--capture-size and --capture-files go with --capture FILE"), r.err());
        Run noSize = vrc("--capture", "x.pcap", "--capture-files", "3", "lspci");
        assertEquals(2, noSize.status());
        assertTrue(noSize.err().contains("--capture-files needs --capture-size"), noSize.err());
        Run noDir = vrc("--capture", "/nonexistent/dir/x.pcap", "lspci");
        assertEquals(2, noDir.status(), "a capture file in no directory is a mistake in the command line");
        assertTrue(noDir.err().contains("vpcie: --capture: no directory /nonexistent/dir"), noDir.err());
    }

    static int[] freeUdpPorts(int n) throws IOException {
        int[] ports = new int[n];
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (DatagramSocket s : held) s.close();
        }
        return ports;
    }

    @Test void theEndpointsStatusOverItsControlSocket() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute("endpoint", "--transport", "udp", "--udp-listen", endpointAddress, "--group", "5", "status"), err.toString());
        assertTrue(out.toString().contains("fn 0 dmatest0: "), out.toString());
        assertTrue(out.toString().contains("refused or dropped: "), out.toString());
        var none = Main.commandLine();
        none.setErr(new PrintWriter(err, true));
        assertEquals(1, none.execute("endpoint", "--transport", "udp", "--udp-listen", "127.0.0.1:1", "status"));
        assertTrue(err.toString().contains("vpcie: endpoint status: no endpoint runs here on udp 127.0.0.1:1 untagged"), err.toString());
    }

    @Test void serveThenStatusAndARunTimeCaptureThroughIt(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        java.util.concurrent.atomic.AtomicReference<VrcServeCommand> serve = new java.util.concurrent.atomic.AtomicReference<>();
        var cl = Main.commandLine(new CapturingFactory<>(VrcServeCommand.class, serve));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress,
                "--udp-peer", endpointAddress, "--group", "5", "--discover-timeout-ms", "1000", "serve"),
                r -> Thread.ofPlatform().start(r)); // not the common pool: on 2 CPUs its one thread runs the endpoint
        Await.until(() -> out.toString().contains("Ctrl-C stops") || exit.isDone(), "vrc serve is serving");
        assertTrue(out.toString().contains("Ctrl-C stops"), out + "" + err);
        try {
            Path file = dir.resolve("run.pcap");
            assertEquals(new Run(0, "capturing to " + file + "\n", ""), vrc("capture", "start", file.toString()));
            Run lspci = vrc("lspci");
            assertEquals(0, lspci.status(), lspci.err());
            assertTrue(lspci.out().startsWith("01:00.0 System peripheral: Red Hat, Inc. Device 10f0"), lspci.out());
            Run stopped = vrc("capture", "stop");
            assertTrue(stopped.out().matches("capture to " + java.util.regex.Pattern.quote(file.toString()) + " stopped: [1-9]\\d* frames\n"), stopped.out());
            int frames = 0;
            try (InputStream in = Files.newInputStream(file); PcapReader reader = PcapReader.open(in)) {
                while (reader.next() != null) frames++;
            }
            assertTrue(frames > 0, "the capture holds the lspci's frames");

            Run status = vrc("status");
            assertEquals(0, status.status(), status.err());
            assertTrue(status.out().startsWith("VRC udp:"), status.out());
            assertTrue(status.out().contains("interconnect: frames tx "), status.out());
            assertTrue(status.out().matches("(?s).*\\n01  \\S+/1 via udp\\S* +up +1/0 .*"), status.out());
        } finally {
            serve.get().stop();
            assertEquals(0, exit.get(30, TimeUnit.SECONDS), err.toString());
        }
    }
}
