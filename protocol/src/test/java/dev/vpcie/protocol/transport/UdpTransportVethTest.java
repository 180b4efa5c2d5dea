package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.ETHERTYPE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.testsupport.netns.NetNamespace;
import dev.vpcie.testsupport.netns.VethTestbed;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class UdpTransportVethTest extends VethTransportContract {
    static final int PORT = 47_001;

    @Override FrameTransport open(NetNamespace ns, String interfaceName, String ip, String peerIp, int etherType) throws IOException {
        return ns.call(() -> UdpTransport.open(new InetSocketAddress(ip, PORT), new InetSocketAddress(peerIp, PORT), etherType));
    }

    @Test
    void theMtuLeavesRoomForIpUdpEthernetAndTagHeaders() {
        assertEquals(1500 - 20 - 8 - 14 - 4, a.mtu());
        assertEquals(((UdpTransport) b).address(), ((UdpTransport) a).peerAddress());
    }

    @Test
    void anAddressNotOnThisHostIsAClearError() {
        var e = assertThrows(IOException.class, () -> testbed.a().call(() -> UdpTransport.open(
                new InetSocketAddress("10.99.99.99", PORT), new InetSocketAddress(VethTestbed.ADDRESS_B, PORT), ETHERTYPE)));
        assertTrue(e.getMessage().startsWith("UDP: cannot bind 10.99.99.99:47001"), e.getMessage());
    }
}
