package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code vpcie endpoint} with NICs: the per-device wire options, their usage errors, link commands
 * on standard input, and (no root needed) the whole path the demo takes without root: an endpoint
 * over UDP on loopback whose NIC is wired to an in-memory echo peer, pinged by {@code vpcie vrc ping}.
 */
class EndpointWireCommandTest {
    private final StringWriter out = new StringWriter(), err = new StringWriter();
    private volatile EndpointTestNetwork network;

    @AfterEach void restore() { EndpointCommand.networks = EndpointNetworks::open; }

    private CommandLine commandLine(StringWriter o, StringWriter e) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(e, true));
        return cl;
    }

    private int run(String... args) {
        EndpointCommand.networks = o -> network = new EndpointTestNetwork(o);
        return commandLine(out, err).execute(args);
    }

    private void assertUsageError(String expected, String... args) {
        err.getBuffer().setLength(0);
        assertEquals(2, run(args), out.toString());
        assertTrue(err.toString().contains(expected), "wanted '" + expected + "' in: " + err);
        assertNull(network, "nothing was opened");
    }

    @Test void wireOptionsBelongToTheDeviceTheyFollowAndMistakesAreUsageErrors() {
        assertUsageError("--device igb (function 0) needs a --wire after it", "endpoint", "--iface", "v0", "--device", "igb");
        assertUsageError("--device e1000 (function 1) needs a --wire", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "v1",
                "--device", "e1000");
        assertUsageError("--wire follows --device dmatest (function 0), which has no Ethernet port", "endpoint", "--iface", "v0",
                "--device", "dmatest", "--wire", "v1");
        assertUsageError("--mac follows --device dmatest (function 1), which has no Ethernet port", "endpoint", "--iface", "v0",
                "--device", "igb", "--wire", "v1", "--device", "dmatest", "--mac", "02:00:00:00:00:01");
        assertUsageError("--wire v1 comes before any --device", "endpoint", "--iface", "v0", "--wire", "v1", "--device", "igb");
        assertUsageError("--wire given twice for --device igb (function 0)", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "v1",
                "--wire", "v2");
        assertUsageError("unknown wire transport 'carrier-pigeon'", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "v1",
                "--wire-transport", "carrier-pigeon");
        assertUsageError("not an IPv4 address: 'ten'", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "ten",
                "--wire-transport", "echo");
        assertUsageError("not an interface name", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "much-too-long-a-name");
        assertUsageError("--mac: MAC address 'zz' is not six bytes", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "v1",
                "--mac", "zz");
        assertUsageError("not a valid unicast address", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "v1", "--mac",
                "01:00:5e:00:00:01");
        assertUsageError("--mac 02:00:00:00:00:07 is already the address of --device igb (function 0)", "endpoint", "--iface", "v0",
                "--device", "igb", "--wire", "v1", "--mac", "02:00:00:00:00:07", "--device", "e1000", "--wire", "v2", "--mac", "02:00:00:00:00:07");
        assertUsageError("unknown device 'e1001'; known devices: dmatest, e1000, igb", "endpoint", "--iface", "v0", "--device", "e1001");
    }

    @Test void aMissingWireInterfaceNamesTheOnesThatExist() {
        assertUsageError("no network interface 'nosuchwire0'", "endpoint", "--iface", "v0", "--device", "igb", "--wire", "nosuchwire0");
    }

    @Test void listDevicesShowsTheNics() {
        assertEquals(0, run("endpoint", "--list-devices"));
        assertTrue(out.toString().contains("e1000 ") && out.toString().contains("igb ") && out.toString().contains("dmatest "), out.toString());
    }

    @Test void linkCommandsOnStandardInputReachTheNics() throws Exception {
        EndpointCommand.networks = o -> network = new EndpointTestNetwork(o);
        CommandLine cl = commandLine(out, err);
        EndpointCommand command = cl.getSubcommands().get("endpoint").getCommand();
        PipedOutputStream typing = new PipedOutputStream();
        command.commandInput = new PipedInputStream(typing);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--iface", "veth9",
                "--device", "dmatest", "--device", "e1000", "--wire", "10.0.0.2", "--wire-transport", "echo", "--mac", "02:00:00:00:00:0e",
                "--device", "igb", "--wire-transport", "echo", "--wire", "10.0.1.2"));
        try {
            Await.until(() -> out.toString().contains("commands on stdin") || exit.isDone(), "the endpoint is ready");
            assertTrue(out.toString().contains("  00.1 e1000 02:00:00:00:00:0e wire echo peer 10.0.0.2"), out + " / " + err);
            assertTrue(out.toString().contains("  00.2 igb 02:"), out.toString());
            typing.write("link 1 down\nstatus\nlink 1 up\nbogus\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            Await.until(() -> out.toString().contains("unknown command 'bogus'"), "the commands are answered");
            String o = out.toString();
            assertTrue(o.contains("link 00.1 e1000: down (set down)"), o);
            assertTrue(o.contains("00.1 e1000 02:00:00:00:00:0e  link down (set down)  wire echo peer 10.0.0.2"), o);
            assertTrue(o.contains("00.2 igb "), o);
            assertTrue(o.lines().anyMatch(l -> l.startsWith("stats ") && l.contains(" fn 1 ")), "status adds the counters: " + o);
            assertTrue(o.contains("link 00.1 e1000: up"), o);
        } finally {
            command.stop();
            typing.close();
        }
        assertEquals(0, exit.get(20, TimeUnit.SECONDS), err.toString());
    }

    private static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest @ValueSource(strings = {"e1000", "igb"})
    void vrcPingReachesAnEchoPeerBehindTheNicOverUdp(String model) throws Exception {
        String endpointAddress = "127.0.0.1:" + freePort(), vrcAddress = "127.0.0.1:" + freePort();
        CommandLine cl = commandLine(out, err);
        EndpointCommand command = cl.getSubcommands().get("endpoint").getCommand();
        command.commandInput = new java.io.ByteArrayInputStream(new byte[0]);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("endpoint", "--transport", "udp",
                "--udp-listen", endpointAddress, "--udp-peer", vrcAddress, "--device", model, "--wire-transport", "echo", "--wire", "10.9.9.2"));
        try {
            Await.until(() -> out.toString().contains("endpoint ready") || exit.isDone(), "the endpoint is ready");
            StringWriter pingOut = new StringWriter(), pingErr = new StringWriter();
            int status = commandLine(pingOut, pingErr).execute("vrc", "--transport", "udp", "--udp-listen", vrcAddress, "--udp-peer",
                    endpointAddress, "--completion-timeout-ms", "2000", "ping", "01:00.0", "10.9.9.2", "-c", "3", "-i", "0.1");
            assertEquals(0, status, pingOut + " / " + pingErr + " / " + out + " / " + err);
            assertTrue(pingOut.toString().contains("3 packets transmitted, 3 received, 0% packet loss"), pingOut.toString());
        } finally {
            command.stop();
        }
        assertEquals(0, exit.get(20, TimeUnit.SECONDS), err.toString());
    }
}
