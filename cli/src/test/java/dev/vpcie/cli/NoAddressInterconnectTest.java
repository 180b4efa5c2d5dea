package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The interconnect on ports with no IP address and IPv6 disabled, the usual set-up of a dedicated
 * port: {@code endpoint} and {@code vrc} find their interfaces through the kernel and the VRC
 * enumerates the endpoint's device. A missing interface is still a usage error that names the
 * ones there are. Needs root (skipped with a message otherwise).
 */
class NoAddressInterconnectTest {
    private static final String GROUP = "9";

    @Test void endpointAndVrcUseVethsWithoutAnyAddress() throws Exception {
        NamespaceTests.assumeAvailable("no-address interconnect test");
        try (NetNamespace epHost = NetNamespace.create("noaddrep"); NetNamespace vrcHost = NetNamespace.create("noaddrvrc");
             VethPair veth = VethPair.create(vrcHost, epHost)) {
            vrcHost.exec("sysctl", "-q", "-w", "net.ipv6.conf." + veth.nameA() + ".disable_ipv6=1");
            epHost.exec("sysctl", "-q", "-w", "net.ipv6.conf." + veth.nameB() + ".disable_ipv6=1");
            assertFalse(vrcHost.ip("addr", "show", "dev", veth.nameA()).contains("inet"), "no address of any family");

            StringWriter epOut = new StringWriter(), epErr = new StringWriter();
            var endpointCl = Main.commandLine();
            endpointCl.setOut(new PrintWriter(epOut, true));
            endpointCl.setErr(new PrintWriter(epErr, true));
            EndpointCommand endpoint = endpointCl.getSubcommands().get("endpoint").getCommand();
            CompletableFuture<Integer> endpointExit = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    endpointExit.complete(epHost.call(() -> endpointCl.execute("endpoint", "--iface", veth.nameB(), "--group", GROUP,
                            "--device", "dmatest")));
                } catch (Throwable t) {
                    endpointExit.completeExceptionally(t);
                }
            });
            try {
                Await.until(() -> epOut.toString().contains("endpoint ready") || endpointExit.isDone(), "the endpoint is ready");
                assertTrue(epOut.toString().contains("endpoint ready"), epOut + "" + epErr);

                StringWriter out = new StringWriter(), err = new StringWriter();
                var vrcCl = Main.commandLine();
                vrcCl.setOut(new PrintWriter(out, true));
                vrcCl.setErr(new PrintWriter(err, true));
                int status = vrcHost.call(() -> vrcCl.execute("vrc", "--iface", veth.nameA(), "--group", GROUP, "config", "read", "01:00.0",
                        "0x02.w"));
                assertEquals(0, status, err.toString());
                assertEquals("10f0\n", out.toString(), "the endpoint's dmatest at 01:00.0");

                StringWriter missingErr = new StringWriter();
                var missingCl = Main.commandLine();
                missingCl.setErr(new PrintWriter(missingErr, true));
                assertEquals(2, vrcHost.call(() -> missingCl.execute("vrc", "--iface", "nosuch0", "--group", GROUP, "lspci")));
                assertTrue(missingErr.toString().contains("no network interface 'nosuch0' in this network namespace (there are: "
                        + String.join(", ", java.util.stream.Stream.of("lo", veth.nameA()).sorted().toList()) + ")"), missingErr.toString());
            } finally {
                endpoint.stop();
                assertEquals(0, endpointExit.get(30, TimeUnit.SECONDS), epErr.toString());
            }
        }
    }
}
