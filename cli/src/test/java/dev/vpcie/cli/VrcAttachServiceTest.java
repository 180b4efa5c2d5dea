package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.cli.control.ControlPaths;
import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's test, as a user does it: three namespaces (the VRC's host, the endpoint's host with
 * an 82576 whose wire leads to a peer), each program a process of its own. While
 * {@code vrc attach} carries the system's ping through the NIC, another process runs
 * {@code vrc lspci} and {@code vrc status} on the same interface: they go through the attach's
 * control socket, lspci prints the NIC, status its counters, and the ping loses nothing.
 * Needs root.
 */
class VrcAttachServiceTest {

    @Test void lspciAndStatusFromAnotherProcessWhileAttachCarriesAPing() throws Exception {
        NamespaceTests.assumeAvailable("attach over namespaces");
        try (NetNamespace vrcHost = NetNamespace.create("svcvrc"); NetNamespace epHost = NetNamespace.create("svcep");
             NetNamespace peer = NetNamespace.create("svcpeer");
             VethPair ic = VethPair.create(vrcHost, epHost); VethPair wire = VethPair.create(epHost, peer)) {
            peer.ip("addr", "add", "10.67.0.2/24", "dev", wire.nameB());
            try (VpcieProcess endpoint = VpcieProcess.start(epHost, "endpoint", "--iface", ic.nameB(), "--device", "igb", "--wire", wire.nameA())
                         .awaitOutput("endpoint ready");
                 VpcieProcess attach = VpcieProcess.start(vrcHost, "vrc", "--iface", ic.nameA(), "attach", "01:00.0", "--tap", "nic0")) {
                // Two JVMs starting and enumerating on a loaded 2-CPU machine: allow more than the usual 20 s.
                Await.until(() -> attach.output().contains("Link is Up") || !attach.alive(), "attach brings the NIC up", Duration.ofSeconds(120));
                assertTrue(attach.output().contains("Link is Up"), attach.output() + "\nendpoint:\n" + endpoint.output());
                vrcHost.ip("addr", "add", "10.67.0.1/24", "dev", "nic0");
                java.nio.file.Path socket = vrcHost.call(() -> ControlPaths.socket(ic.nameA(), 0)); // named after the namespace too
                Process ping = new ProcessBuilder(vrcHost.command(java.util.List.of("ping", "-c", "30", "-i", "0.1", "-w", "60", "10.67.0.2")))
                        .redirectErrorStream(true).start();
                try (VpcieProcess lspci = VpcieProcess.start(vrcHost, "vrc", "--iface", ic.nameA(), "lspci");
                     VpcieProcess status = VpcieProcess.start(vrcHost, "vrc", "--iface", ic.nameA(), "status")) {
                    assertEquals(0, lspci.waitFor(), lspci.output());
                    assertEquals("01:00.0 Ethernet controller: Intel Corporation 82576 Gigabit Network Connection (rev 01)\n", lspci.output());
                    assertEquals(0, status.waitFor(), status.output());
                    assertTrue(status.output().contains("control socket " + socket), status.output());
                    assertTrue(socket.getFileName().toString().matches(".*-0-ns\\d+\\.sock"), socket.toString());
                    assertTrue(status.output().matches("(?s).*\\n01  \\S+/1 via af_packet:" + ic.nameA() + " +up +1/0 .*"), status.output());
                    assertTrue(status.output().matches("(?s).*\\n01:00\\.0  8086:10c9 020000 MSI-X.*"), status.output());
                } finally {
                    String pingOut = new String(ping.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    assertTrue(ping.waitFor(90, TimeUnit.SECONDS), "ping ends");
                    assertTrue(pingOut.contains("30 packets transmitted, 30 received"), pingOut);
                }
                int exit = attach.terminate(); // its exit status after SIGTERM is the signal's business (docs/cli.md)
                assertTrue(attach.output().contains("detached: NIC reset, nic0 removed"), "exit " + exit + ":\n" + attach.output());
                assertFalse(java.nio.file.Files.exists(socket), "the socket is removed");
            }
        }
    }
}
