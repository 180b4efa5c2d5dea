package dev.vpcie.protocol.transport;

import static dev.vpcie.protocol.transport.Frames.ETHERTYPE;
import static dev.vpcie.protocol.transport.Frames.frame;
import static dev.vpcie.protocol.transport.Frames.receive;
import static dev.vpcie.protocol.transport.Frames.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UdpTransport on loopback: needs no privileges, so it runs everywhere. */
class UdpTransportLoopbackTest {
    UdpTransport a, b;
    InetSocketAddress addressA, addressB;

    static InetSocketAddress freeLoopbackPort() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    @BeforeEach
    void open() throws IOException {
        addressA = freeLoopbackPort();
        addressB = freeLoopbackPort();
        a = UdpTransport.open(addressA, addressB, ETHERTYPE);
        b = UdpTransport.open(addressB, addressA, ETHERTYPE);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void queuedFramesLeaveInOrderAtFlushAndABurstIsReadInOrder() throws IOException {
        int n = UdpTransport.TX_BATCH + UdpTransport.RX_BATCH + 3; // more than one batch each way
        byte[][] sent = new byte[n][];
        for (int i = 0; i < n; i++) {
            sent[i] = frame(b.address(), a.address(), -1, ETHERTYPE, 60 + i, i);
            if (i == 7) send(a, sent[i]); // sent alone: behind the seven queued before it
            else a.queue(ByteBuffer.wrap(sent[i]));
        }
        a.flush();
        for (int i = 0; i < n; i++) assertArrayEquals(sent[i], receive(b), "frame " + i);
        assertEquals(n, a.counters().framesSent());
        // 8 (seven queued and the lone one) in one, a full batch of 64, the last 30 at flush().
        assertEquals(3, a.sendBatches());
    }

    @Test
    void aDatagramLongerThanTheMtuIsCountedNotDelivered() throws IOException {
        byte[] tooLong = frame(b.address(), a.address(), -1, ETHERTYPE, b.mtu() + 10, 4);
        DatagramChannel asA = null;
        a.close(); // take A's address to send a datagram the transport would refuse to send
        try {
            asA = DatagramChannel.open();
            asA.bind(addressA);
            asA.connect(addressB);
            asA.write(ByteBuffer.wrap(tooLong));
            byte[] fine = frame(b.address(), a.address(), -1, ETHERTYPE, 60, 5);
            asA.write(ByteBuffer.wrap(fine));
            assertArrayEquals(fine, receive(b));
            assertEquals(1, b.counters().truncated());
        } finally {
            if (asA != null) asA.close();
            a = UdpTransport.open(freeLoopbackPort(), addressB, ETHERTYPE);
        }
    }

    @Test
    void carriesFramesBothWaysTaggedOrNot() throws IOException {
        for (int tci : new int[] {-1, 0x2123}) {
            byte[] ab = frame(b.address(), a.address(), tci, ETHERTYPE, a.mtu(), 1);
            send(a, ab);
            assertArrayEquals(ab, receive(b));
            byte[] ba = frame(a.address(), b.address(), tci, ETHERTYPE, 64, 2);
            send(b, ba);
            assertArrayEquals(ba, receive(a));
        }
    }

    @Test
    void filtersOtherTypesAndStationsLikeARealInterface() throws IOException {
        send(b, frame(a.address(), b.address(), -1, 0x88B6, 60, 3));
        send(b, frame(MacAddress.parse("02:00:00:00:be:ef"), b.address(), -1, ETHERTYPE, 60, 4));
        byte[] wanted = frame(a.address(), b.address(), -1, ETHERTYPE, 60, 5);
        send(b, wanted);
        assertArrayEquals(wanted, receive(a));
        assertEquals(2, a.counters().filtered());
    }

    @Test
    void aPeerThatIsNotListeningLosesFramesWithoutAnError() throws IOException {
        b.close();
        for (int i = 0; i < 5; i++) send(a, frame(b.address(), a.address(), -1, ETHERTYPE, 60, i));
        assertEquals(0, a.receive(ByteBuffer.allocate(2000), 20_000_000L));
        assertEquals(5, a.counters().framesSent() + a.counters().sendDrops());
    }

    @Test
    void framesLongerThanTheMtuAreRefused() {
        byte[] tooBig = frame(b.address(), a.address(), 0x2123, ETHERTYPE, a.mtu() + 1, 6);
        assertThrows(IOException.class, () -> send(a, tooBig));
    }

    @Test
    void theStandInMacIsLocallyAdministeredUnicastAndKnownToThePeer() {
        MacAddress mac = a.address();
        assertEquals(0x02, (int) (mac.bits() >>> 40) & 0x03, mac.toString());
        assertFalse(mac.isMulticast());
        assertEquals(UdpTransport.standInMac(addressA), mac);
        assertEquals(b.address(), a.peerAddress());
        assertNotEquals(UdpTransport.standInMac(new InetSocketAddress("127.0.0.1", 5000)),
                UdpTransport.standInMac(new InetSocketAddress("127.0.0.1", 5001)));
    }

    @Test
    void theMtuOnLoopbackIsCappedAtAJumboFrame() {
        assertEquals(UdpTransport.MAX_DEFAULT_MTU - 28 - 18, a.mtu());
        assertTrue(a.name().startsWith("udp:127.0.0.1:"), a.name());
    }

    @Test
    void parsesHostAndPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 4791), UdpTransport.parseAddress("127.0.0.1:4791"));
        assertEquals(new InetSocketAddress("::1", 4791), UdpTransport.parseAddress("[::1]:4791"));
        assertThrows(IllegalArgumentException.class, () -> UdpTransport.parseAddress("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> UdpTransport.parseAddress("127.0.0.1:0"));
        assertThrows(IllegalArgumentException.class, () -> UdpTransport.parseAddress("127.0.0.1:http"));
    }

    @Test
    void theLocalAddressMustBeConcrete() {
        assertThrows(IllegalArgumentException.class, () -> UdpTransport.open(new InetSocketAddress("0.0.0.0", 4000), addressB, ETHERTYPE));
        assertThrows(IllegalArgumentException.class, () -> UdpTransport.open(new InetSocketAddress("127.0.0.1", 0), addressB, ETHERTYPE));
    }
}
