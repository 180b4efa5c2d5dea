package dev.vpcie.loopback.nic;

import dev.vpcie.devices.nic.NvmImage;
import dev.vpcie.loopback.NetTlpJoin;
import dev.vpcie.testsupport.netns.VethTestbedExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole NIC suite with the VRC and the endpoint joined by NetTLP's encapsulation across two
 * network namespaces (a veth pair, 10.77.0.1 and 10.77.0.2). Needs root (skipped otherwise).
 */
class NetTlpNamespacesNicTest extends NicDriverEndToEndTest {
    @RegisterExtension
    static final VethTestbedExtension testbed = VethTestbedExtension.of("ntlpnic", "NICs over NetTLP across namespaces");

    @Override NicRig rig(NicRig.Model model, int wireMaxFrame, NvmImage nvm) throws Exception {
        return new NicRig(model, wireMaxFrame, nvm, (rc, endpoint) -> NetTlpJoin.join(rc, endpoint, testbed.get()));
    }
}
