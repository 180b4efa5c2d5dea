package dev.vpcie.devices.nic;

import java.nio.ByteBuffer;

/**
 * An independent Internet checksum verifier for tests: reads 16-bit words through a ByteBuffer
 * and folds with a modulo, a different route from the model's code. Verifies IPv4 headers and
 * TCP/UDP over IPv4 and IPv6 (no extension headers).
 */
public final class ChecksumVerifier {
    private ChecksumVerifier() {}

    /** Ones'-complement sum (folded, 16 bits) of {@code f[off..off+len)}. */
    public static int sum(byte[] f, int off, int len) {
        ByteBuffer b = ByteBuffer.wrap(f, off, len);
        long s = 0;
        while (b.remaining() >= 2) s += b.getShort() & 0xFFFF;
        if (b.hasRemaining()) s += (b.get() & 0xFF) << 8;
        return fold(s);
    }

    /** Folds with modulo 0xFFFF, mapping a multiple of 0xFFFF (other than 0) to 0xFFFF. */
    public static int fold(long s) {
        if (s == 0) return 0;
        long m = s % 0xFFFF;
        return m == 0 ? 0xFFFF : (int) m;
    }

    /** The pseudo-header sum (unfolded) for an L4 of {@code l4Len} bytes. */
    public static long pseudo(byte[] f, boolean ipv6, int l3, int l4Len, int proto) {
        long s = ipv6 ? sum(f, l3 + 8, 32) : sum(f, l3 + 12, 8);
        return s + proto + l4Len;
    }

    public static int l4Sum(byte[] f, boolean ipv6, int l3, int l4, int l4Len, int proto) {
        return fold(pseudo(f, ipv6, l3, l4Len, proto) + sum(f, l4, l4Len));
    }

    /** Whether the IPv4 header at {@code l3} verifies. */
    public static boolean ipv4HeaderOk(byte[] f, int l3) {
        int ihl = (f[l3] & 0xF) * 4;
        return sum(f, l3, ihl) == 0xFFFF;
    }

    /**
     * Whether the frame (untagged Ethernet, IPv4 or IPv6 without extensions, TCP or UDP) has a
     * correct IP header checksum (IPv4), lengths that match the frame, and a correct L4 checksum.
     */
    public static boolean frameOk(byte[] f, int length) {
        int type = TestPackets.u16(f, 12);
        int l3 = 14;
        boolean ipv6 = type == 0x86DD;
        if (!ipv6 && type != 0x0800) return false;
        int l4;
        int l4Len;
        int proto;
        if (ipv6) {
            l4 = l3 + 40;
            l4Len = TestPackets.u16(f, l3 + 4);
            proto = f[l3 + 6] & 0xFF;
        } else {
            if (!ipv4HeaderOk(f, l3)) return false;
            int total = TestPackets.u16(f, l3 + 2);
            l4 = l3 + (f[l3] & 0xF) * 4;
            l4Len = total - (l4 - l3);
            proto = f[l3 + 9] & 0xFF;
        }
        if (l4 + l4Len > length || l4 + l4Len < length && length > 60) return false;
        if (proto == TestPackets.UDP && TestPackets.u16(f, l4 + 4) != l4Len) return false;
        return l4Sum(f, ipv6, l3, l4, l4Len, proto) == 0xFFFF;
    }
}
