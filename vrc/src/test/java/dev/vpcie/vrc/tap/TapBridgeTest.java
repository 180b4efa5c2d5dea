package dev.vpcie.vrc.tap;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.agent.AgentLoop;
import dev.vpcie.protocol.transport.ErrnoException;
import dev.vpcie.protocol.transport.MacAddress;
import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.testsupport.Await;
import dev.vpcie.testsupport.netns.NamespaceTests;
import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.vrc.nic.TxOffload;
import dev.vpcie.vrc.nic.packet.EchoResponder;
import dev.vpcie.vrc.nic.packet.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * The bridge against a real TAP in a network namespace of its own, with a fake NIC whose "wire"
 * answers ARP and ping for 10.77.0.2: the system's own ping through the TAP must get replies,
 * and the TAP must show the NIC's address and link.
 */
class TapBridgeTest {
    static final MacAddress NIC_MAC = MacAddress.parse("02:a0:00:00:00:01"), PEER_MAC = MacAddress.parse("02:a0:00:00:00:02");

    static void assumeRoot() {
        NamespaceTests.assumeAvailable("TAP bridge test");
    }

    @Test void systemPingThroughTheTap() throws Exception {
        assumeRoot();
        for (boolean offloads : new boolean[] {false, true}) {
            try (NetNamespace ns = NetNamespace.create("tap"); FakeNic nic = new FakeNic(NIC_MAC); AgentLoop loop = AgentLoop.start("tap-test")) {
                EchoResponder peer = new EchoResponder(PEER_MAC, Ipv4Address.parse("10.77.0.2"), 64);
                nic.wire(f -> peer.respond(f, f.length).orElse(null));
                TapBridge bridge = ns.call(() -> TapBridge.start(nic, "vtap0", new TapBridge.Options(offloads, true), loop));
                try {
                    ns.ip("addr", "add", "10.77.0.1/24", "dev", "vtap0");
                    String link = ns.ip("link", "show", "vtap0");
                    assertTrue(link.contains(NIC_MAC.toString()), link);
                    assertTrue(link.contains("mtu 1500"), link);
                    assertTrue(link.contains("LOWER_UP"), link);
                    String out = ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.2");
                    assertTrue(out.contains("3 packets transmitted, 3 received"), out);
                    assertTrue(bridge.stats().toNicFrames() >= 4, "ARP request and 3 echo requests went to the NIC");
                    assertTrue(bridge.stats().toTapFrames() >= 4, "ARP reply and 3 echo replies came back");
                    assertTrue(nic.sent.stream().allMatch(s -> s.offload() instanceof TxOffload.None), "ping needs no offload");

                    nic.setLink(false);
                    Await.until(() -> ns.ip("link", "show", "vtap0").contains("NO-CARRIER"), "carrier off");
                    nic.setLink(true);
                    Await.until(() -> ns.ip("link", "show", "vtap0").contains("LOWER_UP"), "carrier on");
                } finally {
                    bridge.close();
                }
                assertFalse(ns.ip("link", "show").contains("vtap0"), "closing the bridge removes the TAP");
            }
        }
    }

    @Test void anExistingNameIsRefusedClearly() throws Exception {
        assumeRoot();
        try (NetNamespace ns = NetNamespace.create("tap")) {
            ns.ip("link", "add", "taken0", "type", "veth", "peer", "name", "taken1");
            ErrnoException e = assertThrows(ErrnoException.class, () -> ns.call(() -> Tap.create("taken0", false)));
            assertTrue(e.getMessage().contains("already exists"), e.getMessage());
            assertTrue(e.getMessage().contains("TUNSETIFF"), e.getMessage());
            try (Tap first = ns.call(() -> Tap.create("mine0", false))) {
                ErrnoException again = assertThrows(ErrnoException.class, () -> ns.call(() -> Tap.create("mine0", false)));
                assertEquals("EBUSY", again.errnoName());
            }
        }
    }

    @Test void kernelNumbersAPattern() throws Exception {
        assumeRoot();
        try (NetNamespace ns = NetNamespace.create("tap"); Tap tap = ns.call(() -> Tap.create("vp%d", true))) {
            assertTrue(tap.name().matches("vp\\d+"), tap.name());
            assertTrue(tap.vnetHeader());
            assertTrue(ns.ip("link", "show", tap.name()).contains(tap.name()));
        }
    }

    @Test void badNamesAreRefusedBeforeAnySystemCall() {
        for (String bad : new String[] {"", "a/b", "has space", "sixteen-chars-xx"})
            assertThrows(IllegalArgumentException.class, () -> Tap.create(bad, false), bad);
    }
}
