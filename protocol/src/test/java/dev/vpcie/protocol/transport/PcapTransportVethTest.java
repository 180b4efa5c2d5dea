package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.ETHERTYPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vpcie.testsupport.netns.NetNamespace;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PcapTransportVethTest extends VethTransportContract {

    @BeforeAll
    static void needsLibpcap() {
        Assumptions.assumeTrue(PcapTransport.libraryVersion().isPresent(),
                "pcap tests skipped: libpcap is not installed (apt-get install -y libpcap0.8; scripts/test does it as root)");
    }

    @Override FrameTransport open(NetNamespace ns, String interfaceName, String ip, String peerIp, int etherType) throws IOException {
        return ns.call(() -> PcapTransport.open(interfaceName, etherType));
    }

    @Test
    void reportsTheInterfacesMacMtuAndFilter() throws IOException {
        NetDevice device = testbed.a().call(() -> NetDevice.lookup(testbed.interfaceA()));
        assertEquals(device.mac(), a.address());
        assertEquals(1500, a.mtu());
        assertEquals("pcap:" + testbed.interfaceA(), a.name());
        assertEquals("(ether dst " + device.mac() + " or ether multicast) and (ether proto 0x88b5 or (vlan and ether proto 0x88b5))",
                ((PcapTransport) a).filterExpression());
    }

    @Test
    void withoutCapNetRawTheErrorSaysItNeedsRoot() throws InterruptedException {
        Throwable e = ThreadCapabilities.withoutCapability(ThreadCapabilities.CAP_NET_RAW,
                () -> testbed.a().call(() -> PcapTransport.open(testbed.interfaceA(), ETHERTYPE)));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().startsWith("pcap: cannot open '" + testbed.interfaceA() + "'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(capturing needs root or CAP_NET_RAW)"), e.getMessage());
    }

    @Test
    void aMissingInterfaceIsAClearError() {
        var e = assertThrows(NetDevice.NoSuchInterfaceException.class,
                () -> testbed.a().call(() -> PcapTransport.open("vpnosuch9", ETHERTYPE)));
        assertEquals("no such interface 'vpnosuch9'", e.getMessage());
    }
}
