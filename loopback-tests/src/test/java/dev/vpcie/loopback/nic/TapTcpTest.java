package dev.vpcie.loopback.nic;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.loopback.netns.KernelTraffic;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.vrc.nic.NicDriver;
import dev.vpcie.vrc.tap.TapBridge;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two kernel network stacks joined through the whole VRC path: namespace "host" has the TAP the
 * bridge made for the NIC; the NIC's wire ends in a second TAP in namespace "peer". The system's
 * ping and a TCP transfer each way (with the kernel's TSO and checksum offload handed to the NIC
 * model one way, the NIC's received segments merged for the host's stack the other) cross it.
 * Needs root.
 */
class TapTcpTest {
    private static final int BYTES = 64 << 20;

    @ParameterizedTest @EnumSource(NicRig.Model.class)
    void pingAndTcpThroughTheNic(NicRig.Model model) throws Exception {
        NamespaceTests.assumeAvailable("TAP test");
        try (NicRig rig = new NicRig(model, 1514); NetNamespace host = NetNamespace.create("nichost");
             NetNamespace peer = NetNamespace.create("nicpeer")) {
            NicDriver d = rig.open(NicRig.options().withWatchdog(java.time.Duration.ofSeconds(2)));
            try (TapBridge bridge = host.call(() -> TapBridge.start(d, "nic0", TapBridge.Options.defaults()));
                 PeerTap wire = peer.call(() -> new PeerTap(rig.wire, "wire0"))) {
                host.ip("addr", "add", "10.9.0.1/24", "dev", "nic0");
                peer.ip("addr", "add", "10.9.0.2/24", "dev", "wire0");
                peer.ip("link", "set", "wire0", "up");
                KernelTraffic.pingAll(host, "10.9.0.2", 5);
                KernelTraffic.Transfer tcp = KernelTraffic.tcp(peer, "10.9.0.2", 5001, host, BYTES);
                assertTrue(tcp.intact(), BYTES + " bytes arrived with another SHA-256");
                System.out.printf("%s: 64 MiB over TCP through the TAP (in-memory interconnect) in %.1f s (%.0f Mbit/s); bridge %s%n",
                        model, tcp.seconds(), tcp.megabitsPerSecond(), bridge.stats());
                assertTrue(bridge.stats().toNicSegmented() > 0, "the kernel's TSO reached the NIC: " + bridge.stats());

                KernelTraffic.Transfer back = KernelTraffic.tcp(host, "10.9.0.1", 5002, peer, BYTES / 2);
                assertTrue(back.intact(), BYTES / 2 + " bytes from the peer arrived with another SHA-256");
                assertTrue(bridge.stats().toTapMerged() > 0, "the host's stack took the NIC's segments merged (GRO): " + bridge.stats());
            }
        }
    }
}
