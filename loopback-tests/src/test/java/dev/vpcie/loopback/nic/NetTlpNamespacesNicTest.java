package dev.vpcie.loopback.nic;

import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.loopback.NetTlpJoin;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.VethTestbed;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole NIC suite with the VRC and the endpoint joined by NetTLP's encapsulation across two
 * network namespaces (a veth pair, 10.77.0.1 and 10.77.0.2). Needs root (skipped otherwise).
 */
class NetTlpNamespacesNicTest extends NicDriverEndToEndTest {
    static VethTestbed testbed;

    @BeforeAll
    static void createTestbed() throws IOException {
        NamespaceTests.assumeAvailable("NICs over NetTLP across namespaces");
        testbed = VethTestbed.create("ntlpnic");
    }

    @AfterAll
    static void deleteTestbed() {
        if (testbed != null) testbed.close();
        testbed = null;
    }

    @Override NicRig rig(NicRig.Model model, int wireMaxFrame, NvmImage nvm) throws Exception {
        return new NicRig(model, wireMaxFrame, nvm, (rc, endpoint) -> NetTlpJoin.join(rc, endpoint, testbed));
    }
}
