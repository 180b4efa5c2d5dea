package dev.vpcie.loopback.vm;

import dev.vpcie.endpoint.wire.EchoPeerWire;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Linux's own e1000 and igb drivers, in a guest, drive the remote 82540EM and 82576 (igb in INTx
 * mode: the bridge hides MSI and MSI-X, which cannot reach the guest through the proxy). The
 * NIC's wire is an in-memory cable to a peer that answers ARP and echo requests, so this runs
 * without root; {@link GuestNicToPeerNamespaceTest} does the same with a peer namespace.
 */
@Timeout(300)
class GuestNicTest {
    private static GuestImage image;

    @BeforeAll static void image() throws Exception {
        image = GuestImage.get();
        VmTestSupport.assumeQemu();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(NicModels.class)
    void stockDriverProbesLinksAndPingsAnEchoPeer(NicModels nic) throws Exception {
        EchoPeerWire wire = new EchoPeerWire((Inet4Address) InetAddress.getByName(NicGuestChecks.PEER_IP));
        try (wire; VmRig rig = new VmRig(List.of(new VmRig.Function(nic.create(), List.of(wire))))) {
            wire.start(rig.endpoint.function(0));
            NicGuestChecks.run(rig, image, nic, NicGuestChecks.GUEST_IP, NicGuestChecks.PEER_IP, "an echo peer");
        }
    }
}
