package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.loopback.netns.KernelTraffic;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.nic.NicOptions;
import dev.vpcie.vrc.tap.TapBridge;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Over namespaces, for each NIC: the TAP in the VRC's namespace is backed by the NIC model in the
 * endpoint's namespace across a veth interconnect; the NIC's cable ends in a TAP in a third
 * namespace. The system's ping gets every reply and 64 MiB of TCP arrive intact, on a clean
 * interconnect and with 5 % of its frames dropped by nftables. Needs root.
 */
class VethNicTest {
    private static final int BYTES = 64 << 20;

    @ParameterizedTest(name = "{0} with {1} % interconnect loss")
    @CsvSource({"E1000, 0", "E1000, 5", "IGB, 0", "IGB, 5"})
    void systemPingAndTcpThroughTheTap(NicRig.Model model, int loss) throws Exception {
        NamespaceTests.assumeAvailable("NIC over veth test");
        try (VethNicRig rig = new VethNicRig(model, loss); NetNamespace peer = NetNamespace.create("nicpeer")) {
            NicDriver d = rig.open(NicOptions.defaults().withLinkWait(Duration.ofSeconds(10)));
            NetNamespace host = rig.testbed.a();
            try (TapBridge bridge = host.call(() -> TapBridge.start(d, "nic0", TapBridge.Options.defaults()));
                 PeerTap cable = peer.call(() -> new PeerTap(rig.wire, "wire0"))) {
                host.ip("addr", "add", "10.9.0.1/24", "dev", "nic0");
                peer.ip("addr", "add", "10.9.0.2/24", "dev", "wire0");
                peer.ip("link", "set", "wire0", "up");
                KernelTraffic.Ping ping = KernelTraffic.pingAll(host, "10.9.0.2", 50);
                KernelTraffic.Transfer tcp = KernelTraffic.tcp(peer, "10.9.0.2", 5001, host, BYTES);
                assertTrue(tcp.intact(), BYTES + " bytes arrived with another SHA-256");
                System.out.printf("%s over veth, %d %% loss: ping avg %.3f ms; 64 MiB TCP in %.1f s (%.0f Mbit/s); %d interconnect frames "
                        + "dropped; link %s%n", model, loss, ping.averageMillis(), tcp.seconds(), tcp.megabitsPerSecond(),
                        rig.framesLost(), rig.link.counters());
                if (loss > 0) assertTrue(rig.framesLost() > 0, "nftables dropped nothing");
            }
        }
    }
}
