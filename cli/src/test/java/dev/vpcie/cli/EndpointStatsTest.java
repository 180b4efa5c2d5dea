package dev.vpcie.cli;

import static dev.vpcie.cli.Conditions.await;
import static org.junit.jupiter.api.Assertions.*;

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

    @Test void statsLinesShowTheLinkTheFramesAndTheFunctions() throws Exception {
        String endpointAddress = "127.0.0.1:" + freePort(), vrcAddress = "127.0.0.1:" + freePort();
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--transport", "udp",
                "--udp-listen", endpointAddress, "--udp-peer", vrcAddress, "--group", "5", "--device", "dmatest", "--stats-interval", "100ms"));
        EndpointCommand command = cl.getSubcommands().get("endpoint").getCommand();
        try {
            await(() -> out.toString().contains("endpoint ready") || exit.isDone(), "the endpoint is ready");
            CommandLine vrc = Main.commandLine();
            StringWriter vrcErr = new StringWriter();
            vrc.setOut(new PrintWriter(new StringWriter(), true));
            vrc.setErr(new PrintWriter(vrcErr, true));
            assertEquals(0, vrc.execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer", endpointAddress, "--group", "5",
                    "dmatest", "fill", "--size", "4096"), vrcErr.toString());
            await(() -> out.toString().lines().anyMatch(l -> l.startsWith("stats ") && l.contains(" sessions up 1 down 1,")),
                    "a stats line after the VRC's session");
        } finally {
            command.stop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS), err.toString());
        }
        String last = out.toString();
        assertTrue(last.lines().anyMatch(l -> l.matches("stats [0-9:]+ udp:.*: frames tx \\d+ rx \\d+, DATA frames tx \\d+ rx \\d+, "
                + "TLPs/frame tx \\d+\\.\\d\\d rx \\d+\\.\\d\\d, bytes tx \\d+ rx \\d+")), last);
        assertTrue(last.lines().anyMatch(l -> l.matches("stats [0-9:]+ link .*: sessions up 1 down 1, frames tx \\d+ rx \\d+, TLPs tx [1-9]\\d* rx [1-9]\\d*, "
                + "retransmits \\d+, timeouts \\d+, NAKs tx \\d+ rx \\d+, RTT .*")), last);
        assertTrue(last.lines().anyMatch(l -> l.contains(" fn 0 dmatest") && l.contains(" dma-write-bytes=") && l.contains(" interrupt-msix-sent=1")), last);
        assertTrue(last.lines().anyMatch(l -> l.contains(" refused or dropped: ")), last);
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
