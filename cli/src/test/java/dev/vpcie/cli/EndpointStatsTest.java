package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.testsupport.Await;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code vpcie endpoint --stats-interval}: the link's and the functions' counters, printed while it runs. */
class EndpointStatsTest {
    @AfterEach void reset() { StatsOptions.requested = false; }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** An endpoint over UDP on the loopback (dmatest, group 5) with {@code extra} options, and the VRC address it expects. */
    private record Running(StringWriter out, StringWriter err, CompletableFuture<Integer> exit, EndpointCommand command,
                           String endpointAddress, String vrcAddress) {
        static Running start(String... extra) throws Exception {
            String endpointAddress = "127.0.0.1:" + freePort(), vrcAddress = "127.0.0.1:" + freePort();
            StringWriter out = new StringWriter(), err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("endpoint", "--transport", "udp",
                    "--udp-listen", endpointAddress, "--udp-peer", vrcAddress, "--group", "5", "--device", "dmatest"));
            argv.addAll(java.util.List.of(extra));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(argv.toArray(String[]::new)));
            return new Running(out, err, exit, cl.getSubcommands().get("endpoint").getCommand(), endpointAddress, vrcAddress);
        }

        void stop() throws Exception {
            command.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS), err.toString());
        }
    }

    @Test void statsLinesShowTheLinkTheFramesAndTheFunctions() throws Exception {
        Running e = Running.start("--stats-interval", "100ms");
        StringWriter out = e.out();
        String endpointAddress = e.endpointAddress(), vrcAddress = e.vrcAddress();
        try {
            Await.until(() -> out.toString().contains("endpoint ready") || e.exit().isDone(), "the endpoint is ready");
            CommandLine vrc = Main.commandLine();
            StringWriter vrcErr = new StringWriter();
            vrc.setOut(new PrintWriter(new StringWriter(), true));
            vrc.setErr(new PrintWriter(vrcErr, true));
            assertEquals(0, vrc.execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress, "--group", "5",
                    "dmatest", "fill", "--size", "4096"), vrcErr.toString());
            Await.until(() -> out.toString().lines().anyMatch(l -> l.startsWith("stats ") && l.contains(" sessions up 1 down 1,")),
                    "a stats line after the VRC's session");
        } finally {
            e.stop();
        }
        String last = out.toString();
        assertTrue(last.lines().anyMatch(l -> l.matches("stats [0-9:]+ udp:.*: frames tx \\d+ rx \\d+, DATA frames tx \\d+ rx \\d+, "
                + "TLPs/frame tx \\d+\\.\\d\\d rx \\d+\\.\\d\\d, bytes tx \\d+ rx \\d+")), last);
        assertTrue(last.lines().anyMatch(l -> l.matches("stats [0-9:]+ link .*: sessions up 1 down 1, frames tx \\d+ rx \\d+, TLPs tx [1-9]\\d* rx [1-9]\\d*, "
                + "retransmits \\d+, timeouts \\d+, NAKs tx \\d+ rx \\d+, RTT .*")), last);
        assertTrue(last.lines().anyMatch(l -> l.contains(" fn 0 dmatest") && l.contains(" dma-write-bytes=") && l.contains(" interrupt-msix-sent=1")), last);
        assertTrue(last.lines().anyMatch(l -> l.contains(" refused or dropped: ")), last);
    }

    @Test void metricsAreServedInThePrometheusTextFormat() throws Exception {
        Running e = Running.start("--metrics", "127.0.0.1:0");
        StringWriter out = e.out();
        String endpointAddress = e.endpointAddress(), vrcAddress = e.vrcAddress();
        try {
            Await.until(() -> out.toString().contains("metrics on http://") || e.exit().isDone(), "the metrics are served");
            String url = out.toString().lines().filter(l -> l.startsWith("metrics on ")).findFirst().orElseThrow().substring("metrics on ".length());
            CommandLine vrc = Main.commandLine();
            vrc.setOut(new PrintWriter(new StringWriter(), true));
            vrc.setErr(new PrintWriter(new StringWriter(), true));
            assertEquals(0, vrc.execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress, "--group", "5",
                    "config", "read", "01:00.0", "0x02.w"));
            String text;
            try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
                text = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            }
            assertTrue(text.contains("# TYPE vpcie_link_tlps_received_total counter"), text);
            assertTrue(text.lines().anyMatch(l -> l.startsWith("vpcie_link_sessions_up_total{peer=\"") && l.endsWith(" 1.0")), text);
            assertTrue(text.contains("vpcie_endpoint_refused_total{reason=\"NOT_OWNER\"} 0.0"), text);
            assertTrue(text.contains("vpcie_link_rtt_seconds{peer=\""), text);
        } finally {
            e.stop();
        }
    }

    @Test void aBadIntervalIsAUsageError() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("endpoint", "--transport", "udp", "--udp-listen", "127.0.0.1:1", "--udp-peer", "127.0.0.1:2",
                "--device", "dmatest", "--stats-interval", "5ms"));
        assertTrue(err.toString().contains("--stats-interval must be at least 100ms"), err.toString());
    }
}
