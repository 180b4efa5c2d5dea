package dev.vpcie.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethPair;
import org.junit.jupiter.api.Test;

/**
 * {@code vpcie endpoint --identities 4} over a veth (root only; skipped with a message
 * otherwise): a VRC's lspci finds four endpoints, one bus each, and {@code --endpoint MAC/3}
 * picks the third identity alone.
 */
class EndpointIdentitiesOverVethTest {
    private static final String GROUP = "12";

    @Test void fourIdentitiesAreFourEndpoints() throws Exception {
        NamespaceTests.assumeAvailable("identities test");
        try (NetNamespace epHost = NetNamespace.create("idsep"); NetNamespace vrcHost = NetNamespace.create("idsvrc");
             VethPair veth = VethPair.create(vrcHost, epHost)) {
            try (NamespacedCommand endpoint = NamespacedCommand.startEndpoint(epHost, "--iface", veth.nameB(), "--group", GROUP,
                    "--identities", "4", "--device", "dmatest")) {
                assertTrue(endpoint.awaitOutput("and 3 more identities with the same functions: instances 2..4"), endpoint.out + "" + endpoint.err);

                NamespacedCommand all = NamespacedCommand.run(vrcHost, "vrc", "--iface", veth.nameA(), "--group", GROUP, "lspci", "-n");
                assertEquals(0, all.status(), all.err.toString());
                assertEquals("01:00.0 0880: 1af4:10f0 (rev 01)\n02:00.0 0880: 1af4:10f0 (rev 01)\n03:00.0 0880: 1af4:10f0 (rev 01)\n"
                        + "04:00.0 0880: 1af4:10f0 (rev 01)\n", all.out.toString(), "one bus per identity");
                assertTrue(endpoint.awaitOutput("link down (instance 4)"), "the lspci's sessions ended: " + endpoint.out);

                String mac = epHost.ip("-br", "link", "show", "dev", veth.nameB()).trim().split("\\s+")[2];
                NamespacedCommand one = NamespacedCommand.run(vrcHost, "vrc", "--iface", veth.nameA(), "--group", GROUP, "--endpoint", mac + "/3",
                        "lspci", "-n");
                assertEquals(0, one.status(), one.err.toString());
                assertEquals("01:00.0 0880: 1af4:10f0 (rev 01)\n", one.out.toString(), "only the third identity");
                assertTrue(endpoint.out.toString().contains("link up (instance 3): VRC"), endpoint.out.toString());
                assertEquals(0, endpoint.stop(), endpoint.err.toString());
            }
        }
    }
}
