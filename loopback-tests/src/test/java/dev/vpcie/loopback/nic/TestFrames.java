package dev.vpcie.loopback.nic;

import dev.vpcie.protocol.transport.MacAddress;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Frames for the end-to-end tests, built and checked here independently of both the driver and
 * the model: raw frames of a given size, TCP/UDP over IPv4/IPv6, and an RFC 1071 checksum
 * verifier that reads 16-bit words through a ByteBuffer.
 */
final class TestFrames {
    private TestFrames() {}

    static final int ETH = 14;

    /** A frame of {@code size} bytes to {@code dst} from {@code src}, EtherType 0x88B6 (local experimental), random payload. */
    static byte[] raw(MacAddress dst, MacAddress src, int size, long seed) {
        byte[] f = new byte[size];
        new Random(seed).nextBytes(f);
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB6;
        return f;
    }

    /** TCP (6) or UDP (17) over IPv4 or IPv6 with {@code payload} bytes; checksum fields left 0 for the NIC. */
    static byte[] transport(MacAddress dst, MacAddress src, boolean ipv4, int protocol, int payload, int srcPort, int dstPort, long seed) {
        int ipLen = ipv4 ? 20 : 40, l4Len = protocol == 6 ? 20 : 8;
        byte[] f = new byte[ETH + ipLen + l4Len + payload];
        ByteBuffer b = ByteBuffer.wrap(f);
        dst.write(f, 0);
        src.write(f, 6);
        b.putShort(12, (short) (ipv4 ? 0x0800 : 0x86DD));
        int ip = ETH;
        if (ipv4) {
            b.put(ip, (byte) 0x45);
            b.putShort(ip + 2, (short) (ipLen + l4Len + payload));
            b.putShort(ip + 4, (short) 0x1234);
            b.putShort(ip + 6, (short) 0x4000);
            b.put(ip + 8, (byte) 64);
            b.put(ip + 9, (byte) protocol);
            b.putInt(ip + 12, 0x0A000001 + (int) (seed & 0xFF));
            b.putInt(ip + 16, 0x0A000002);
            b.putShort(ip + 10, (short) checksum(f, ip, 20, 0));
        } else {
            b.putInt(ip, 0x6000_0000);
            b.putShort(ip + 4, (short) (l4Len + payload));
            b.put(ip + 6, (byte) protocol);
            b.put(ip + 7, (byte) 64);
            b.putLong(ip + 8, 0xFD00_0000_0000_0000L);
            b.putLong(ip + 16, 1 + (seed & 0xFF));
            b.putLong(ip + 24, 0xFD00_0000_0000_0000L);
            b.putLong(ip + 32, 2);
        }
        int l4 = ip + ipLen;
        b.putShort(l4, (short) srcPort);
        b.putShort(l4 + 2, (short) dstPort);
        if (protocol == 6) {
            b.putInt(l4 + 4, 1_000_000);      // sequence
            b.putInt(l4 + 8, 7);              // ack
            b.put(l4 + 12, (byte) 0x50);      // data offset 5
            b.put(l4 + 13, (byte) 0x19);      // FIN | PSH | ACK: FIN and PSH only on the last TSO segment
            b.putShort(l4 + 14, (short) 0xFFFF);
        } else {
            b.putShort(l4 + 4, (short) (8 + payload));
        }
        Random r = new Random(seed);
        for (int i = l4 + l4Len; i < f.length; i++) f[i] = (byte) r.nextInt();
        return f;
    }

    /** The folded ones'-complement checksum over {@code len} bytes, with {@code initial} added. */
    static int checksum(byte[] f, int off, int len, long initial) {
        ByteBuffer b = ByteBuffer.wrap(f, off, len);
        long sum = initial;
        while (b.remaining() > 1) sum += b.getShort() & 0xFFFF;
        if (b.hasRemaining()) sum += (b.get() & 0xFF) << 8;
        while ((sum >>> 16) != 0) sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) ~sum & 0xFFFF;
    }

    static boolean isIpv4(byte[] f) { return (f[12] & 0xFF) == 0x08 && f[13] == 0; }

    static int ipHeaderLength(byte[] f) { return isIpv4(f) ? (f[ETH] & 0xF) * 4 : 40; }

    static int protocol(byte[] f) { return isIpv4(f) ? f[ETH + 9] & 0xFF : f[ETH + 6] & 0xFF; }

    /** Whether the IPv4 header checksum (if any) and the TCP/UDP checksum both verify. */
    static boolean checksumsVerify(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int ipLen = ipHeaderLength(f);
        int l4 = ETH + ipLen;
        int l4Len;
        long pseudo = 0;
        if (isIpv4(f)) {
            if (checksum(f, ETH, ipLen, 0) != 0) return false;
            l4Len = (b.getShort(ETH + 2) & 0xFFFF) - ipLen;
            for (int i = 12; i < 20; i += 2) pseudo += b.getShort(ETH + i) & 0xFFFF;
        } else {
            l4Len = b.getShort(ETH + 4) & 0xFFFF;
            for (int i = 8; i < 40; i += 2) pseudo += b.getShort(ETH + i) & 0xFFFF;
        }
        pseudo += protocol(f) + l4Len;
        if (l4 + l4Len > f.length) return false;
        return checksum(f, l4, l4Len, pseudo) == 0;
    }

    static int tcpSequence(byte[] f) { return ByteBuffer.wrap(f).getInt(ETH + ipHeaderLength(f) + 4); }

    static int tcpFlags(byte[] f) { return f[ETH + ipHeaderLength(f) + 13] & 0xFF; }

    static int tcpHeaderLength(byte[] f) { return ((f[ETH + ipHeaderLength(f) + 12] & 0xF0) >>> 4) * 4; }

    /** TCP payload bytes of a segment. */
    static int tcpPayloadLength(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int ipLen = ipHeaderLength(f);
        int l4Total = isIpv4(f) ? (b.getShort(ETH + 2) & 0xFFFF) - ipLen : b.getShort(ETH + 4) & 0xFFFF;
        return l4Total - tcpHeaderLength(f);
    }
}
