package dev.vpcie.endpoint.wire;

import static dev.vpcie.devices.nic.EthernetFrames.putU16;
import static dev.vpcie.devices.nic.EthernetFrames.u16;
import static dev.vpcie.endpoint.wire.Packets.HOST_IP;
import static dev.vpcie.endpoint.wire.Packets.HOST_MAC;
import static dev.vpcie.endpoint.wire.Packets.PEER_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.offload.InternetChecksum;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EchoPeerTest {
    static final MacAddress PEER_MAC = MacAddress.parse("02:ec:40:00:00:01");
    final EchoPeer peer = new EchoPeer(PEER_MAC, EchoPeerWire.parseAddress("10.77.1.2"));

    @Test void answersAnArpRequestForItsAddress() {
        byte[] reply = peer.answer(Packets.arpRequest(HOST_MAC, HOST_IP, PEER_IP), 60).orElseThrow();
        assertEquals(60, reply.length);
        assertEquals(HOST_MAC, MacAddress.of(reply, 0), "to the asker");
        assertEquals(PEER_MAC, MacAddress.of(reply, 6));
        assertEquals(0x0806, u16(reply, 12));
        assertEquals(2, u16(reply, 20), "ARP reply");
        assertEquals(PEER_MAC, MacAddress.of(reply, 22), "sender hardware address");
        assertArrayEquals(PEER_IP, Arrays.copyOfRange(reply, 28, 32));
        assertEquals(HOST_MAC, MacAddress.of(reply, 32), "target hardware address");
        assertArrayEquals(HOST_IP, Arrays.copyOfRange(reply, 38, 42));
    }

    @Test void answersAnEchoRequestWithAReplyWhoseChecksumsVerify() {
        for (int payload : new int[] {0, 56, 1472, 8972}) {
            byte[] request = Packets.echoRequest(PEER_MAC, HOST_MAC, HOST_IP, PEER_IP, 0x4242, 7, payload);
            byte[] reply = peer.answer(request, request.length).orElseThrow();
            assertEquals(HOST_MAC, MacAddress.of(reply, 0));
            assertEquals(PEER_MAC, MacAddress.of(reply, 6));
            assertArrayEquals(PEER_IP, Arrays.copyOfRange(reply, 26, 30), "from the peer");
            assertArrayEquals(HOST_IP, Arrays.copyOfRange(reply, 30, 34), "to the pinger");
            assertTrue(InternetChecksum.verifies(InternetChecksum.add(0, reply, 14, 20)), "IP header checksum");
            assertEquals(0, reply[34], "echo reply");
            assertTrue(InternetChecksum.verifies(InternetChecksum.add(0, reply, 34, 8 + payload)), "ICMP checksum");
            assertArrayEquals(Arrays.copyOfRange(request, 38, 42 + payload), Arrays.copyOfRange(reply, 38, 42 + payload),
                    "identifier, sequence and data echoed");
        }
    }

    @Test void ignoresWhatIsNotForIt() {
        byte[] otherIp = Packets.arpRequest(HOST_MAC, HOST_IP, new byte[] {10, 77, 1, 3});
        assertTrue(peer.answer(otherIp, 60).isEmpty(), "ARP for another address");
        byte[] arpReply = Packets.arpRequest(HOST_MAC, HOST_IP, PEER_IP);
        arpReply[21] = 2;
        assertTrue(peer.answer(arpReply, 60).isEmpty(), "an ARP reply");
        byte[] otherMac = Packets.echoRequest(MacAddress.parse("02:00:00:00:00:99"), HOST_MAC, HOST_IP, PEER_IP, 1, 1, 56);
        assertTrue(peer.answer(otherMac, otherMac.length).isEmpty(), "a ping sent to another station's MAC");
        byte[] otherDest = Packets.echoRequest(PEER_MAC, HOST_MAC, HOST_IP, new byte[] {10, 77, 1, 9}, 1, 1, 56);
        assertTrue(peer.answer(otherDest, otherDest.length).isEmpty(), "a ping for another address");
        byte[] badChecksum = Packets.echoRequest(PEER_MAC, HOST_MAC, HOST_IP, PEER_IP, 1, 1, 56);
        badChecksum[24] ^= 1;
        assertTrue(peer.answer(badChecksum, badChecksum.length).isEmpty(), "a corrupt IP header");
        byte[] fragment = Packets.echoRequest(PEER_MAC, HOST_MAC, HOST_IP, PEER_IP, 1, 1, 56);
        putU16(fragment, 20, 0x2000); // More Fragments
        putU16(fragment, 24, 0);
        putU16(fragment, 24, InternetChecksum.checksum(fragment, 14, 20));
        assertTrue(peer.answer(fragment, fragment.length).isEmpty(), "a fragment");
        byte[] reply = Packets.echoRequest(PEER_MAC, HOST_MAC, HOST_IP, PEER_IP, 1, 1, 56);
        reply[34] = 0;
        assertTrue(peer.answer(reply, reply.length).isEmpty(), "an echo reply");
        assertTrue(peer.answer(new byte[13], 13).isEmpty(), "a runt");
        byte[] truncated = Packets.echoRequest(PEER_MAC, HOST_MAC, HOST_IP, PEER_IP, 1, 1, 56);
        assertTrue(peer.answer(truncated, 40).isEmpty(), "shorter than its IP total length");
        byte[] ipv6 = Packets.partialTcp(true, false, 10, 1);
        assertTrue(peer.answer(ipv6, ipv6.length).isEmpty(), "IPv6");
    }

    @Test void addressesAreCheckedClearly() {
        assertThrows(IllegalArgumentException.class, () -> new EchoPeer(MacAddress.BROADCAST, EchoPeerWire.parseAddress("10.0.0.1")));
        for (String bad : new String[] {"10.0.0", "10.0.0.256", "a.b.c.d", "10.0.0.1.", "host.example"})
            assertThrows(IllegalArgumentException.class, () -> EchoPeerWire.parseAddress(bad), bad);
    }
}
