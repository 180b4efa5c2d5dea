package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.TestPackets;
import dev.vpcie.devices.nic.offload.PacketLayout;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Receive-side scaling: the Toeplitz hash, hash types, RETA, and flows spread over queues. */
class IgbRssTest {

    private static byte[] input(byte[] src, byte[] dst, int sport, int dport, boolean ports) {
        ByteBuffer b = ByteBuffer.allocate(2 * src.length + (ports ? 4 : 0)).put(src).put(dst);
        if (ports) b.putShort((short) sport).putShort((short) dport);
        return b.array();
    }

    /** Microsoft's published RSS verification vectors (key RSS_KEY): source, destination, hashes without and with ports. */
    @Test
    void toeplitzMatchesThePublishedVerificationVectors() {
        Object[][] v4 = {
                {Flows.ipv4(66, 9, 149, 187), 2794, Flows.ipv4(161, 142, 100, 80), 1766, 0x323e8fc2, 0x51ccc178},
                {Flows.ipv4(199, 92, 111, 2), 14230, Flows.ipv4(65, 69, 140, 83), 4739, 0xd718262a, 0xc626b0ea},
                {Flows.ipv4(24, 19, 198, 95), 12898, Flows.ipv4(12, 22, 207, 184), 38024, 0xd2d0a5de, 0x5c2b394a},
                {Flows.ipv4(38, 27, 205, 30), 48228, Flows.ipv4(209, 142, 163, 6), 2217, 0x82989176, 0xafc7327f},
                {Flows.ipv4(153, 39, 163, 191), 44251, Flows.ipv4(202, 188, 127, 2), 1303, 0x5d1809c5, 0x10e828a2},
                {Flows.ipv6("3ffe:2501:200:1fff::7"), 2794, Flows.ipv6("3ffe:2501:200:3::1"), 1766, 0x2cc18cd5, 0x40207d3d},
                {Flows.ipv6("3ffe:501:8::260:97ff:fe40:efab"), 14230, Flows.ipv6("ff02::1"), 4739, 0x0f0c461c, 0xdde51bbf},
                {Flows.ipv6("3ffe:1900:4545:3:200:f8ff:fe21:67cf"), 44251, Flows.ipv6("fe80::200:f8ff:fe21:67cf"), 38024, 0x4b61e985, 0x02d1feef},
        };
        for (Object[] t : v4) {
            byte[] src = (byte[]) t[0];
            byte[] dst = (byte[]) t[2];
            int sport = (int) t[1];
            int dport = (int) t[3];
            assertEquals((int) t[4], Rss.toeplitz(RSS_KEY, input(src, dst, sport, dport, false)), "addresses only");
            assertEquals((int) t[5], Rss.toeplitz(RSS_KEY, input(src, dst, sport, dport, true)), "with ports");
            assertEquals((int) t[5], Flows.toeplitz(RSS_KEY, input(src, dst, sport, dport, true)), "the test's own Toeplitz agrees");
        }
    }

    @Test
    void hashTypesFollowMrqcFieldBits() {
        byte[] a4 = Flows.ipv4(10, 0, 0, 1), b4 = Flows.ipv4(10, 0, 0, 2);
        byte[] a6 = Flows.ipv6("fd00::1"), b6 = Flows.ipv6("fd00::2");
        int all = Rss.FIELD_IPV4 | Rss.FIELD_IPV4_TCP | Rss.FIELD_IPV4_UDP | Rss.FIELD_IPV6 | Rss.FIELD_IPV6_TCP | Rss.FIELD_IPV6_UDP;
        assertEquals(Rss.TYPE_TCP_IPV4, type(Flows.frame(TestPackets.DST, a4, b4, 1, 2, TestPackets.TCP, 10, 1), all));
        assertEquals(Rss.TYPE_UDP_IPV4, type(Flows.frame(TestPackets.DST, a4, b4, 1, 2, TestPackets.UDP, 10, 1), all));
        assertEquals(Rss.TYPE_IPV4, type(Flows.frame(TestPackets.DST, a4, b4, 1, 2, TestPackets.UDP, 10, 1), all & ~Rss.FIELD_IPV4_UDP),
                "UDP hashing off: addresses only");
        assertEquals(Rss.TYPE_IPV4, type(Flows.frame(TestPackets.DST, a4, b4, 1, 2, Flows.SCTP, 10, 1), all));
        assertEquals(Rss.TYPE_TCP_IPV6, type(Flows.frame(TestPackets.DST, a6, b6, 1, 2, TestPackets.TCP, 10, 1), all));
        assertEquals(Rss.TYPE_TCP_IPV6_EX, type(Flows.frame(TestPackets.DST, a6, b6, 1, 2, TestPackets.TCP, 10, 1), Rss.FIELD_IPV6_TCP_EX));
        assertEquals(Rss.TYPE_UDP_IPV6, type(Flows.frame(TestPackets.DST, a6, b6, 1, 2, TestPackets.UDP, 10, 1), all));
        assertEquals(Rss.TYPE_IPV6, type(Flows.frame(TestPackets.DST, a6, b6, 1, 2, Flows.SCTP, 10, 1), all));
        assertEquals(Rss.TYPE_NONE, type(TestPackets.rawFrame(TestPackets.DST, TestPackets.SRC, 100, 1), all), "not IP");
        assertEquals(Rss.TYPE_NONE, type(Flows.frame(TestPackets.DST, a4, b4, 1, 2, TestPackets.TCP, 10, 1), 0), "nothing enabled");
    }

    private static int type(byte[] f, int mrqc) { return Rss.type(PacketLayout.parse(f, f.length), mrqc); }

    @Test
    void flowsSpreadOverTheQueuesRetaNamesWithHashAndTypeInTheDescriptor() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 4);
        Map<Integer, Integer> perQueue = new HashMap<>();
        int flows = 64;
        for (int i = 0; i < flows; i++) {
            boolean v6 = i % 4 == 3;
            boolean udp = i % 3 == 1;
            byte[] src = v6 ? Flows.ipv6("fd00::" + Integer.toHexString(i + 1)) : Flows.ipv4(192, 168, i / 16, 1 + i % 16);
            byte[] dst = v6 ? Flows.ipv6("fd00::ff") : Flows.ipv4(192, 168, 100, 1);
            int sport = 30000 + 7 * i;
            int dport = udp ? 53 : 443;
            byte[] f = Flows.frame(d.mac, src, dst, sport, dport, udp ? TestPackets.UDP : TestPackets.TCP, 32 + i, i);
            h.peerSend(f);
            List<Rx> got = d.drain();
            assertEquals(1, got.size());
            Rx rx = got.get(0);
            assertArrayEquals(f, rx.frame());
            int expectedHash = Flows.toeplitz(RSS_KEY, input(src, dst, sport, dport, true));
            assertEquals(expectedHash, rx.dword1(), "RSS hash in the descriptor (RXCSUM.PCSD)");
            assertEquals((expectedHash & 0x7F) % 4, rx.queue(), "queue = RETA[hash & 127], RETA[j] = j % 4");
            int type = v6 ? (udp ? Rss.TYPE_UDP_IPV6 : Rss.TYPE_TCP_IPV6) : (udp ? Rss.TYPE_UDP_IPV4 : Rss.TYPE_TCP_IPV4);
            assertEquals(type, rx.pktInfo() & 0xF, "RSS type");
            assertEquals((v6 ? 0x40 : 0x10) | (udp ? 0x200 : 0x100), rx.pktInfo() & 0xFF0, "packet type");
            perQueue.merge(rx.queue(), 1, Integer::sum);
        }
        assertEquals(4, perQueue.size(), "every queue got flows: " + perQueue);
        for (int n : perQueue.values()) assertTrue(n >= flows / 16, "no queue starves: " + perQueue);
    }

    @Test
    void oneFlowStaysOnOneQueueAndRssOffMeansQueueZero() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 4);
        byte[] src = Flows.ipv4(10, 1, 2, 3), dst = Flows.ipv4(10, 3, 2, 1);
        int queue = -1;
        for (int i = 0; i < 10; i++) {
            h.peerSend(Flows.frame(d.mac, src, dst, 5555, 80, TestPackets.TCP, 100 + i, i));
            Rx rx = d.drain().get(0);
            if (queue < 0) queue = rx.queue();
            assertEquals(queue, rx.queue(), "a flow keeps its queue (in-order delivery)");
        }
        d.wr(MRQC, 0);
        for (int i = 0; i < 8; i++) {
            h.peerSend(Flows.frame(d.mac, Flows.ipv4(10, 9, 9, i), dst, 1000 + i, 80, TestPackets.TCP, 64, i));
            Rx rx = d.drain().get(0);
            assertEquals(0, rx.queue(), "MRQC 0: everything on queue 0");
            assertEquals(0, rx.pktInfo() & 0xF, "no RSS type");
        }
    }

    @Test
    void retaRedirectsAHashBucket() {
        IgbHarness h = new IgbHarness();
        IgbDriver d = new IgbDriver(h);
        d.probe();
        d.open(Mode.MSIX, 4);
        byte[] src = Flows.ipv4(172, 16, 0, 1), dst = Flows.ipv4(172, 16, 0, 2);
        int hash = Flows.toeplitz(RSS_KEY, input(src, dst, 1234, 80, true));
        int entry = hash & 0x7F;
        int register = RETA + (entry & ~3);
        int moved = ((hash & 3) + 1) % 4;
        int shift = 8 * (entry & 3);
        d.wr(register, (d.rd(register) & ~(0xFF << shift)) | moved << shift);
        h.peerSend(Flows.frame(d.mac, src, dst, 1234, 80, TestPackets.TCP, 10, 1));
        assertEquals(moved, d.drain().get(0).queue());
    }
}
