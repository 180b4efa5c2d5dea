package dev.vpcie.devices.nic.igb;

import dev.vpcie.devices.nic.ChecksumVerifier;
import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.TestPackets;
import java.nio.ByteBuffer;

/** IPv4/IPv6 TCP/UDP/SCTP frames with chosen addresses and ports, checksums right, for RSS and offload tests. */
final class Flows {
    private Flows() {}

    static final int SCTP = 132;

    /**
     * A frame from {@code src} to {@code dst} (4- or 16-byte addresses) carrying {@code proto}
     * with {@code payload} bytes; TCP/UDP checksums correct, SCTP's CRC-32C left 0.
     */
    static byte[] frame(MacAddress to, byte[] src, byte[] dst, int sport, int dport, int proto, int payload, long seed) {
        boolean ipv6 = src.length == 16;
        int ipHeader = ipv6 ? 40 : 20;
        int l4Header = proto == TestPackets.TCP ? 20 : proto == TestPackets.UDP ? 8 : 12;
        int len = 14 + ipHeader + l4Header + payload;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put(to.bytes()).put(TestPackets.SRC.bytes()).putShort((short) (ipv6 ? 0x86DD : 0x0800));
        java.util.Random r = new java.util.Random(seed);
        if (ipv6) {
            b.putInt(0x6000_0000).putShort((short) (l4Header + payload)).put((byte) proto).put((byte) 64).put(src).put(dst);
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (ipHeader + l4Header + payload)).putShort((short) r.nextInt(0x10000))
                    .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0).put(src).put(dst);
        }
        int l4 = b.position();
        b.putShort((short) sport).putShort((short) dport);
        if (proto == TestPackets.TCP) b.putInt(r.nextInt()).putInt(r.nextInt()).put((byte) 0x50).put((byte) 0x18).putShort((short) 0xFFFF).putInt(0);
        else if (proto == TestPackets.UDP) b.putShort((short) (8 + payload)).putShort((short) 0);
        else b.putInt(r.nextInt()).putInt(0);
        byte[] data = new byte[payload];
        r.nextBytes(data);
        b.put(data);
        byte[] f = b.array();
        if (!ipv6) TestPackets.putU16(f, 24, ~ChecksumVerifier.sum(f, 14, 20) & 0xFFFF);
        if (proto == TestPackets.TCP || proto == TestPackets.UDP) {
            int csum = ~ChecksumVerifier.l4Sum(f, ipv6, 14, l4, len - l4, proto) & 0xFFFF;
            TestPackets.putU16(f, l4 + (proto == TestPackets.TCP ? 16 : 6), proto == TestPackets.UDP && csum == 0 ? 0xFFFF : csum);
        }
        return f;
    }

    static byte[] ipv4(int a, int b, int c, int d) { return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}; }

    static byte[] ipv6(String text) {
        try {
            return java.net.InetAddress.getByName(text).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /**
     * CRC-32C bit by bit (Castagnoli polynomial, reflected 0x82F63B78), a different route from the
     * model's java.util.zip.CRC32C.
     */
    static int crc32c(byte[] b, int off, int len) {
        int crc = 0xFFFF_FFFF;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? crc >>> 1 ^ 0x82F6_3B78 : crc >>> 1;
        }
        return ~crc;
    }

    /** The Toeplitz hash computed over the key as a bit string (a different route from the model's window shifting). */
    static int toeplitz(byte[] key, byte[] input) {
        int result = 0;
        for (int i = 0; i < input.length * 8; i++) {
            if ((input[i / 8] >>> (7 - i % 8) & 1) == 0) continue;
            int window = 0;
            for (int k = 0; k < 32; k++) window = window << 1 | (key[(i + k) / 8] >>> (7 - (i + k) % 8) & 1);
            result ^= window;
        }
        return result;
    }
}
