package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exit statuses as a shell or systemd sees them, with real processes over UDP on the loopback
 * (no root): Ctrl-C or SIGTERM ends a long-running command cleanly with status 0, and a
 * benchmark whose endpoint is killed under it fails instead of printing the failed reads'
 * all-ones answers as a latency.
 */
class ExitStatusProcessTest {

    private record Pair(String endpoint, String vrc) {
        static Pair free() throws Exception {
            int[] p = VrcOverUdpTest.freeUdpPorts(2);
            return new Pair("127.0.0.1:" + p[0], "127.0.0.1:" + p[1]);
        }

        String[] endpointArgs(String... devices) {
            String[] base = {"endpoint", "--transport", "udp", "--udp-listen", endpoint, "--udp-peer", vrc};
            String[] all = new String[base.length + devices.length];
            System.arraycopy(base, 0, all, 0, base.length);
            System.arraycopy(devices, 0, all, base.length, devices.length);
            return all;
        }

        String[] vrcArgs(String... rest) {
            String[] base = {"vrc", "--transport", "udp", "--udp-listen", vrc, "--udp-peer", endpoint, "--discover-timeout-ms", "5000"};
            String[] all = new String[base.length + rest.length];
            System.arraycopy(base, 0, all, 0, base.length);
            System.arraycopy(rest, 0, all, base.length, rest.length);
            return all;
        }
    }

    private static CliProcess readyEndpoint(Pair pair, String... devices) throws Exception {
        CliProcess e = CliProcess.start(pair.endpointArgs(devices));
        Await.until(() -> e.out().contains("endpoint ready") || !e.err().isEmpty() && e.err().contains("vpcie:"), "the endpoint is ready");
        assertTrue(e.out().contains("endpoint ready"), e.out() + e.err());
        return e;
    }

    @ParameterizedTest @ValueSource(strings = {"INT", "TERM"})
    void endpointStopsCleanlyWithStatusZero(String signal) throws Exception {
        try (CliProcess e = readyEndpoint(Pair.free(), "--device", "dmatest")) {
            e.signal(signal);
            assertEquals(0, e.waitFor(), e.out() + e.err());
            assertTrue(e.out().contains("endpoint stopped"), e.out());
            assertFalse(e.err().contains("Exception"), e.err());
        }
    }

    @ParameterizedTest @ValueSource(strings = {"INT", "TERM"})
    void pingStopsWithItsSummaryAndStatusZero(String signal) throws Exception {
        Pair pair = Pair.free();
        try (CliProcess e = readyEndpoint(pair, "--device", "e1000", "--wire-transport", "echo", "--wire", "192.0.2.2");
             CliProcess ping = CliProcess.start(pair.vrcArgs("ping", "01:00.0", "192.0.2.2", "-i", "0.2", "--source", "192.0.2.1"))) {
            Await.until(() -> ping.out().contains("bytes from 192.0.2.2") || !ping.isAlive(), "a reply");
            ping.signal(signal);
            assertEquals(0, ping.waitFor(), ping.out() + ping.err());
            assertTrue(ping.out().contains("packets transmitted"), ping.out());
            e.signal("TERM");
            assertEquals(0, e.waitFor(), e.out() + e.err());
        }
    }

    @Test void benchMmioAgainstAKilledEndpointFailsAndSaysHowManyReadsFailed() throws Exception {
        Pair pair = Pair.free();
        try (CliProcess e = readyEndpoint(pair, "--device", "dmatest");
             CliProcess bench = CliProcess.start(pair.vrcArgs("--completion-timeout-ms", "200", "bench", "mmio", "--iterations", "5000000"))) {
            Await.until(() -> bench.err().contains("timing 5000000 MMIO reads") || !bench.isAlive(), "the benchmark runs");
            e.signal("KILL");
            assertEquals(1, bench.waitFor(), bench.out() + bench.err());
            Matcher m = Pattern.compile("FAILED: (\\d+) of \\d+ reads failed \\(([^)]*)\\)").matcher(bench.out());
            assertTrue(m.find(), bench.out());
            assertTrue(Long.parseLong(m.group(1)) > 0, bench.out());
            assertTrue(m.group(2).contains("link down") || m.group(2).contains("timeout"), m.group(2));
            assertTrue(m.group(2).contains("link down"), "the run ends when the link is declared down: " + m.group(2));
            assertTrue(bench.out().contains("stopped: the link to 01:00.0 went down"), bench.out());
            assertFalse(bench.out().contains("median 0.0"), "no figures made of failed reads: " + bench.out());
        }
    }

    /** An endpoint that stops answering (SIGSTOP: silent, as a dead host) fails the copy once the link is declared down. */
    @Test void dmatestCopyFailsAsSoonAsTheLinkIsDown() throws Exception {
        Pair pair = Pair.free();
        try (CliProcess e = readyEndpoint(pair, "--device", "dmatest");
             CliProcess copy = CliProcess.start(pair.vrcArgs("--host-memory-mib", "600", "dmatest", "copy", "--size", "256M",
                     "--timeout-ms", "3600000"))) {
            Await.until(() -> copy.out().contains("DMA buffers mapped") || !copy.isAlive(), "the copy is about to start");
            e.signal("STOP");
            try {
                assertEquals(1, copy.waitFor(), "ends well before its --timeout-ms of an hour: " + copy.out() + copy.err());
                assertTrue(copy.out().contains("FAILED: the link to 01:00.0 went down"), copy.out());
            } finally {
                e.signal("CONT");
            }
        }
    }

    /** Needs root for the TAP (made in this namespace under a name of its own; the kernel removes it with the process at the latest). */
    @ParameterizedTest @ValueSource(strings = {"INT", "TERM"})
    void attachDetachesCleanlyWithStatusZero(String signal) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.vpcie.testsupport.netns.NetNamespace.isRoot()
                && java.nio.file.Files.exists(java.nio.file.Path.of("/dev/net/tun")), "attach test skipped: needs root and /dev/net/tun");
        Pair pair = Pair.free();
        String tap = "vx" + signal.toLowerCase() + (ProcessHandle.current().pid() % 100_000);
        try (CliProcess e = readyEndpoint(pair, "--device", "e1000", "--wire-transport", "echo", "--wire", "192.0.2.2");
             CliProcess attach = CliProcess.start(pair.vrcArgs("attach", "01:00.0", "--tap", tap, "--no-up"))) {
            Await.until(() -> attach.out().contains("bridged to") || !attach.isAlive(), "the NIC is bridged to the TAP");
            attach.signal(signal);
            assertEquals(0, attach.waitFor(), attach.out() + attach.err());
            assertTrue(attach.out().contains("detached: NIC reset, " + tap + " removed"), attach.out());
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/sys/class/net", tap)), "the TAP is gone");
            e.signal("TERM");
            assertEquals(0, e.waitFor(), e.out() + e.err());
        }
    }
}
