package dev.vpcie.endpoint.wire;

import static dev.vpcie.devices.nic.EthernetFrames.u16;
import static dev.vpcie.devices.nic.EthernetFrames.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.offload.OffloadException;
import dev.vpcie.protocol.transport.ReceiveOffload;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OffloadCompletionTest {
    private final OffloadCompletion completion = new OffloadCompletion();

    private List<byte[]> complete(byte[] frame, ReceiveOffload o) throws OffloadException {
        List<byte[]> out = new ArrayList<>();
        completion.complete(frame, frame.length, o, (f, n) -> out.add(Arrays.copyOf(f, n)));
        return out;
    }

    @ParameterizedTest(name = "ipv6={0} tagged={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void aPartialChecksumIsCompleted(boolean ipv6, boolean tagged) throws OffloadException {
        byte[] frame = Packets.partialTcp(ipv6, tagged, 333, 1000);
        int l3 = tagged ? 18 : 14;
        int l4 = l3 + (ipv6 ? 40 : 20);
        List<byte[]> out = complete(frame, new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, ReceiveOffload.GSO_NONE, 0, 0, l4, 16));
        assertEquals(1, out.size());
        assertTrue(Packets.tcpChecksumsVerify(out.get(0), out.get(0).length, l3, ipv6));
    }

    @ParameterizedTest(name = "ipv6={0} tagged={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void aSuperFrameIsCutIntoSegmentsThatVerify(boolean ipv6, boolean tagged) throws OffloadException {
        int mss = 1448, payload = 4 * mss + 100;
        byte[] frame = Packets.partialTcp(ipv6, tagged, payload, 50_000);
        byte[] data = Arrays.copyOfRange(frame, frame.length - payload, frame.length);
        int l3 = tagged ? 18 : 14;
        int l4 = l3 + (ipv6 ? 40 : 20);
        int gso = ipv6 ? ReceiveOffload.GSO_TCPV6 : ReceiveOffload.GSO_TCPV4;
        List<byte[]> out = complete(frame, new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, gso, l4 + 20, mss, l4, 16));
        assertEquals(5, out.size());
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < out.size(); i++) {
            byte[] s = out.get(i);
            int piece = i < 4 ? mss : 100;
            assertEquals(l4 + 20 + piece, s.length, "segment " + i);
            assertTrue(Packets.tcpChecksumsVerify(s, s.length, l3, ipv6), "checksums of segment " + i);
            assertEquals(50_000 + i * mss, u32(s, l4 + 4), "sequence number of segment " + i);
            if (ipv6) assertEquals(20 + piece, u16(s, l3 + 4), "payload length");
            else {
                assertEquals(20 + 20 + piece, u16(s, l3 + 2), "total length");
                assertEquals(0x1234 + i, u16(s, l3 + 4), "identification");
            }
            assertEquals(i == 4 ? 0x18 : 0x10, s[l4 + 13] & 0xFF, "PSH only in the last segment");
            joined.writeBytes(Arrays.copyOfRange(s, l4 + 20, s.length));
        }
        assertArrayEquals(data, joined.toByteArray(), "the payload, in order");
    }

    @Test void aCompleteFramePassesUnchanged() throws OffloadException {
        byte[] frame = Packets.echoRequest(EchoPeerTest.PEER_MAC, Packets.HOST_MAC, Packets.HOST_IP, Packets.PEER_IP, 1, 1, 56);
        List<byte[]> out = complete(frame.clone(), ReceiveOffload.NONE);
        assertArrayEquals(frame, out.get(0));
    }

    @Test void whatCannotBeCompletedIsRefusedWithoutOutput() {
        byte[] frame = Packets.partialTcp(false, false, 3000, 1);
        List<byte[]> out = new ArrayList<>();
        assertThrows(OffloadException.class, () -> completion.complete(frame, frame.length,
                new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, ReceiveOffload.GSO_UDP, 54, 1448, 34, 16), (f, n) -> out.add(f)),
                "UDP fragmentation offload");
        assertThrows(OffloadException.class, () -> completion.complete(frame, frame.length,
                new ReceiveOffload(ReceiveOffload.NEEDS_CSUM, ReceiveOffload.GSO_NONE, 0, 0, 5000, 16), (f, n) -> out.add(f)),
                "checksum start beyond the frame");
        byte[] arp = Packets.arpRequest(Packets.HOST_MAC, Packets.HOST_IP, Packets.PEER_IP);
        assertThrows(OffloadException.class, () -> completion.complete(arp, arp.length,
                new ReceiveOffload(0, ReceiveOffload.GSO_TCPV4, 54, 1448, 0, 0), (f, n) -> out.add(f)), "GSO on a frame that is not IP");
        assertTrue(out.isEmpty());
    }
}
