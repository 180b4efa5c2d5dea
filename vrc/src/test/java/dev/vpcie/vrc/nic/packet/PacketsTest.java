package dev.vpcie.vrc.nic.packet;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.MacAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PacketsTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a"), B = MacAddress.parse("02:00:00:00:00:0b");
    static final Ipv4Address IP_A = Ipv4Address.parse("10.0.0.1"), IP_B = Ipv4Address.parse("10.0.0.2");

    /** An independent RFC 1071 sum over 16-bit words read through a ByteBuffer. */
    static boolean sumsToOnes(byte[] b, int off, int len) {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        long sum = 0;
        while (bb.remaining() >= 2) sum += bb.getShort() & 0xFFFF;
        if (bb.hasRemaining()) sum += (bb.get() & 0xFF) << 8;
        while (sum > 0xFFFF) sum = (sum >> 16) + (sum & 0xFFFF);
        return sum == 0xFFFF;
    }

    @Test void echoRequestHasTheLayoutPingSends() {
        byte[] payload = new byte[56];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) i;
        byte[] f = new IcmpEcho(false, A, B, IP_A, IP_B, 64, 0x1234, 1, payload).toFrame(7);
        assertEquals(14 + 20 + 8 + 56, f.length);
        assertEquals("02000000000b" + "02000000000a" + "0800", HexFormat.of().formatHex(f, 0, 14));
        assertEquals(0x45, f[14] & 0xFF);
        assertEquals(84, (f[16] & 0xFF) << 8 | f[17] & 0xFF, "IPv4 total length");
        assertEquals(64, f[22] & 0xFF, "TTL");
        assertEquals(1, f[23], "protocol ICMP");
        assertEquals("0a000001" + "0a000002", HexFormat.of().formatHex(f, 26, 34));
        assertEquals(8, f[34], "echo request");
        assertEquals("1234" + "0001", HexFormat.of().formatHex(f, 38, 42));
        assertTrue(sumsToOnes(f, 14, 20), "IP header checksum");
        assertTrue(sumsToOnes(f, 34, 64), "ICMP checksum");
    }

    @Test void knownIpv4HeaderChecksum() {
        // The worked example of RFC 1071's companion literature: 4500 0073 0000 4000 4011 xxxx c0a8 0001 c0a8 00c7 -> b861.
        byte[] h = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xB861, InternetChecksum.of(h, 0, 20));
    }

    @Test void smallFramesArePaddedTo60() {
        byte[] f = new IcmpEcho(true, A, B, IP_A, IP_B, 64, 1, 1, new byte[0]).toFrame(0);
        assertEquals(60, f.length);
        assertInstanceOf(IcmpEcho.class, Packets.parse(f, f.length), "padding after the IP datagram is ignored");
        assertEquals(60, ArpPacket.request(A, IP_A, IP_B).toFrame().length);
    }

    @Property void echoRoundTrip(@ForAll boolean reply, @ForAll @IntRange(max = 0xFFFF) int id, @ForAll @IntRange(max = 0xFFFF) int seq,
                                 @ForAll @IntRange(max = 1472) int size, @ForAll @IntRange(min = 1, max = 255) int ttl) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) payload[i] = (byte) (i * 7 + seq);
        IcmpEcho e = new IcmpEcho(reply, A, B, IP_A, IP_B, ttl, id, seq, payload);
        byte[] f = e.toFrame(seq);
        IcmpEcho back = assertInstanceOf(IcmpEcho.class, Packets.parse(f, f.length));
        assertEquals(reply, back.reply());
        assertEquals(id, back.identifier());
        assertEquals(seq, back.sequence());
        assertEquals(ttl, back.ttl());
        assertArrayEquals(payload, back.payload());
        assertEquals(A, back.sourceMac());
        assertEquals(B, back.destinationMac());
        assertTrue(sumsToOnes(f, 34, 8 + size));
    }

    @Test void arpRoundTripAndReply() {
        ArpPacket req = ArpPacket.request(A, IP_A, IP_B);
        byte[] f = req.toFrame();
        assertEquals(MacAddress.BROADCAST, MacAddress.of(f, 0));
        assertEquals("0806", HexFormat.of().formatHex(f, 12, 14));
        assertEquals("0001080006040001", HexFormat.of().formatHex(f, 14, 22));
        ArpPacket back = assertInstanceOf(ArpPacket.class, Packets.parse(f, f.length));
        assertEquals(req, back);
        ArpPacket rep = ArpPacket.replyTo(back, B);
        byte[] rf = rep.toFrame();
        assertEquals(A, MacAddress.of(rf, 0), "a reply is unicast to the asker");
        ArpPacket parsed = assertInstanceOf(ArpPacket.class, Packets.parse(rf, rf.length));
        assertFalse(parsed.isRequest());
        assertEquals(B, parsed.senderMac());
        assertEquals(IP_B, parsed.senderIp());
        assertEquals(IP_A, parsed.targetIp());
    }

    @Test void corruptedFramesAreMalformedNotExceptions() {
        byte[] good = new IcmpEcho(false, A, B, IP_A, IP_B, 64, 1, 1, new byte[32]).toFrame(0);
        byte[] badIp = good.clone();
        badIp[22] ^= 1; // TTL changed, checksum not
        assertMalformed(badIp, "IPv4 header checksum");
        byte[] badIcmp = good.clone();
        badIcmp[50] ^= 1;
        assertMalformed(badIcmp, "ICMP checksum");
        byte[] badVersion = good.clone();
        badVersion[14] = 0x65;
        assertMalformed(badVersion, "IP version");
        assertMalformed(good, 30, "shorter than its header");
        assertMalformed(good, 40, "total length");
        assertMalformed(good, 10, "runt");
        byte[] shortArp = ArpPacket.request(A, IP_A, IP_B).toFrame();
        assertMalformed(shortArp, 30, "ARP packet of 16 bytes");
    }

    @Test void otherTrafficIsNotMalformed() {
        byte[] f = new IcmpEcho(false, A, B, IP_A, IP_B, 64, 1, 1, new byte[8]).toFrame(0);
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xDD;
        Packet.Other o = assertInstanceOf(Packet.Other.class, Packets.parse(f, f.length));
        assertFalse(o.malformed());
        assertTrue(o.reason().contains("86dd"));
    }

    private static void assertMalformed(byte[] f, String why) { assertMalformed(f, f.length, why); }

    private static void assertMalformed(byte[] f, int len, String why) {
        Packet.Other o = assertInstanceOf(Packet.Other.class, Packets.parse(f, len));
        assertTrue(o.malformed(), o.reason());
        assertTrue(o.reason().contains(why), o.reason() + " should mention " + why);
    }

    @Test void ipv4AddressParsing() {
        assertEquals("192.168.1.254", Ipv4Address.parse("192.168.1.254").toString());
        assertEquals(0xC0A801FE, Ipv4Address.parse("192.168.1.254").bits());
        for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "256.1.1.1", "a.b.c.d", "1..2.3", "-1.2.3.4", ""})
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(bad), bad);
        assertTrue(Ipv4Address.parse("255.255.255.255").isMulticastOrBroadcast());
        assertTrue(Ipv4Address.parse("224.0.0.1").isMulticastOrBroadcast());
        assertFalse(Ipv4Address.parse("10.0.0.1").isMulticastOrBroadcast());
    }

    @Test void responderAnswersOnlyForItsAddress() {
        EchoResponder r = new EchoResponder(B, IP_B, 64);
        byte[] arpForB = ArpPacket.request(A, IP_A, IP_B).toFrame();
        ArpPacket answer = assertInstanceOf(ArpPacket.class, Packets.parse(r.respond(arpForB, arpForB.length).orElseThrow(), 60));
        assertEquals(B, answer.senderMac());
        byte[] arpForOther = ArpPacket.request(A, IP_A, Ipv4Address.parse("10.0.0.3")).toFrame();
        assertTrue(r.respond(arpForOther, arpForOther.length).isEmpty());

        byte[] ping = new IcmpEcho(false, A, B, IP_A, IP_B, 64, 9, 3, new byte[] {1, 2, 3}).toFrame(0);
        byte[] pong = r.respond(ping, ping.length).orElseThrow();
        IcmpEcho e = assertInstanceOf(IcmpEcho.class, Packets.parse(pong, pong.length));
        assertTrue(e.reply());
        assertEquals(IP_A, e.destination());
        assertEquals(A, e.destinationMac());
        assertEquals(B, e.sourceMac());
        assertEquals(9, e.identifier());
        assertEquals(3, e.sequence());
        assertArrayEquals(new byte[] {1, 2, 3}, e.payload());
        byte[] pingOther = new IcmpEcho(false, A, B, IP_A, Ipv4Address.parse("10.0.0.3"), 64, 9, 3, new byte[0]).toFrame(0);
        assertTrue(r.respond(pingOther, pingOther.length).isEmpty());
        assertTrue(r.respond(pong, pong.length).isEmpty(), "replies are not answered");
    }
}
