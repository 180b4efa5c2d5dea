package dev.vpcie.devices.nic;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Builds Ethernet frames carrying IPv4/IPv6 with TCP/UDP for tests, and prepares them the way the
 * Linux stack hands them to a driver for checksum offload and TSO (pseudo-header seeds, zeroed
 * lengths). Independent of the model's code.
 */
public final class TestPackets {
    private TestPackets() {}

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final MacAddress SRC = MacAddress.parse("52:54:00:00:00:01");
    public static final MacAddress DST = MacAddress.parse("52:54:00:00:00:02");

    /** A frame of exactly {@code length} bytes with an experimental EtherType and random payload. */
    public static byte[] rawFrame(MacAddress dst, MacAddress src, int length, long seed) {
        byte[] f = new byte[length];
        new Random(seed).nextBytes(f);
        dst.write(f, 0);
        src.write(f, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xB5;
        return f;
    }

    /**
     * An IPv4 (or IPv6) frame carrying TCP (20-byte header) or UDP with {@code payload} bytes, all
     * checksums correct.
     */
    public static byte[] ipFrame(boolean ipv6, int proto, int payload, long seed) {
        int ipHeader = ipv6 ? 40 : 20;
        int l4Header = proto == TCP ? 20 : 8;
        int len = 14 + ipHeader + l4Header + payload;
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put(DST.bytes()).put(SRC.bytes()).putShort((short) (ipv6 ? 0x86DD : 0x0800));
        Random r = new Random(seed);
        if (ipv6) {
            b.putInt(0x6000_0000).putShort((short) (l4Header + payload)).put((byte) proto).put((byte) 64);
            byte[] addr = new byte[32];
            r.nextBytes(addr);
            b.put(addr);
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (ipHeader + l4Header + payload)).putShort((short) r.nextInt(0x10000))
                    .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0);
            b.putInt(0x0A000001).putInt(0x0A000002);
        }
        int l4 = b.position();
        if (proto == TCP) {
            b.putShort((short) 40000).putShort((short) 5201).putInt(r.nextInt()).putInt(r.nextInt())
                    .put((byte) 0x50).put((byte) 0x18).putShort((short) 0xFFFF).putShort((short) 0).putShort((short) 0);
        } else {
            b.putShort((short) 40000).putShort((short) 5201).putShort((short) (8 + payload)).putShort((short) 0);
        }
        byte[] data = new byte[payload];
        r.nextBytes(data);
        b.put(data);
        byte[] f = b.array();
        if (!ipv6) putU16(f, 14 + 10, ~ChecksumVerifier.sum(f, 14, 20) & 0xFFFF);
        int csum = ~ChecksumVerifier.l4Sum(f, ipv6, 14, l4, len - l4, proto) & 0xFFFF;
        putU16(f, l4 + (proto == TCP ? 16 : 6), proto == UDP && csum == 0 ? 0xFFFF : csum);
        return f;
    }

    /**
     * Prepares {@code frame} for TX checksum offload as Linux does (CHECKSUM_PARTIAL): the L4
     * checksum field holds the folded pseudo-header sum including the L4 length. Returns the offset
     * of the L4 header.
     */
    public static int seedForChecksumOffload(byte[] f, boolean ipv6, int proto) {
        int l4 = 14 + (ipv6 ? 40 : 20);
        int l4Len = f.length - l4;
        putU16(f, l4 + (proto == TCP ? 16 : 6), ChecksumVerifier.fold(ChecksumVerifier.pseudo(f, ipv6, 14, l4Len, proto)));
        if (!ipv6) putU16(f, 24, 0); // let the device fill the IP checksum too when asked
        return l4;
    }

    /**
     * Prepares {@code frame} for TSO as Linux does: IPv4 total length and checksum zeroed, the TCP
     * checksum seeded with the pseudo-header sum without the length.
     */
    public static void seedForTso(byte[] f, boolean ipv6, int proto) {
        int l4 = 14 + (ipv6 ? 40 : 20);
        if (!ipv6) {
            putU16(f, 16, 0);
            putU16(f, 24, 0);
        } else {
            putU16(f, 18, 0);
        }
        putU16(f, l4 + (proto == TCP ? 16 : 6), ChecksumVerifier.fold(ChecksumVerifier.pseudo(f, ipv6, 14, 0, proto)));
        if (proto == UDP) putU16(f, l4 + 4, 0);
    }

    public static void putU16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }

    public static int u16(byte[] f, int at) { return (f[at] & 0xFF) << 8 | (f[at + 1] & 0xFF); }

    public static long u32(byte[] f, int at) { return (long) u16(f, at) << 16 | u16(f, at + 2); }
}
