package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import dev.vpcie.testsupport.netns.NamespaceTests;
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

            try (NamespacedCommand endpoint = NamespacedCommand.startEndpoint(epHost, "--iface", veth.nameB(), "--group", GROUP,
                    "--device", "dmatest")) {
                assertTrue(endpoint.awaitOutput("endpoint ready"), endpoint.out + "" + endpoint.err);

                NamespacedCommand read = NamespacedCommand.run(vrcHost, "vrc", "--iface", veth.nameA(), "--group", GROUP, "config", "read",
                        "01:00.0", "0x02.w");
                assertEquals(0, read.status(), read.err.toString());
                assertEquals("10f0\n", read.out.toString(), "the endpoint's dmatest at 01:00.0");

                NamespacedCommand missing = NamespacedCommand.run(vrcHost, "vrc", "--iface", "nosuch0", "--group", GROUP, "lspci");
                assertEquals(2, missing.status());
                assertTrue(missing.err.toString().contains("no network interface 'nosuch0' in this network namespace (there are: "
                        + String.join(", ", java.util.stream.Stream.of("lo", veth.nameA()).sorted().toList()) + ")"), missing.err.toString());
                assertEquals(0, endpoint.stop(), endpoint.err.toString());
            }
        }
    }
}
