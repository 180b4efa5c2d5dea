package dev.vpcie.loopback.vm;

import dev.vpcie.endpoint.wire.InterfaceWire;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.VethTestbed;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The set-up of the published system with a real peer: a guest's stock driver drives the remote
 * NIC, whose wire is a veth (opened promiscuously by the endpoint) into a peer network namespace,
 * and the guest's {@code ping} is answered by the peer's own kernel. For each NIC: a clean probe,
 * the link, at least 19 of 20 replies, and again after ifdown/ifup. Under KVM (when a probe guest
 * boots) with real INTx through the irqfd; under TCG the guest polls, and the test says so.
 */
@Timeout(300)
class GuestNicToPeerNamespaceTest {
    private static final String GUEST_IP = "10.77.0.3";
    private static GuestImage image;

    @BeforeAll static void image() throws Exception {
        VmTestSupport.assumeRoot();
        NamespaceTests.assumeAvailable("VM network tests");
        image = GuestImage.get();
        VmTestSupport.assumeQemu();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(NicModels.class)
    void stockDriverPingsThePeerNamespace(NicModels nic) throws Exception {
        // Namespace a holds the NIC's end of the wire (no address of its own); b is the peer.
        try (VethTestbed bed = VethTestbed.create("vm" + nic.driver)) {
            bed.a().ip("addr", "flush", "dev", bed.interfaceA());
            InterfaceWire wire = bed.a().call(() -> InterfaceWire.afPacket(bed.interfaceA()));
            try (wire; VmRig rig = new VmRig(List.of(new VmRig.Function(nic.create(), List.of(wire))))) {
                wire.start(rig.endpoint.function(0));
                NicGuestChecks.run(rig, image, nic, GUEST_IP, VethTestbed.ADDRESS_B, "peer namespace " + bed.b());
            }
        }
    }
}
