package dev.vpcie.endpoint.wire;

import static dev.vpcie.devices.nic.EthernetFrames.putU16;
import static dev.vpcie.devices.nic.EthernetFrames.putU32;

import dev.vpcie.devices.nic.MacAddress;
import dev.vpcie.devices.nic.offload.InternetChecksum;

/** Test packets built byte by byte: ARP, ICMP echo, TCP over IPv4/IPv6, optionally tagged. */
final class Packets {
    private Packets() {}

    static final MacAddress HOST_MAC = MacAddress.parse("02:00:00:00:00:0a");
    static final byte[] HOST_IP = {10, 77, 1, 1};
    static final byte[] PEER_IP = {10, 77, 1, 2};

    static byte[] arpRequest(MacAddress sender, byte[] senderIp, byte[] targetIp) {
        byte[] f = new byte[60];
        MacAddress.BROADCAST.write(f, 0);
        sender.write(f, 6);
        putU16(f, 12, 0x0806);
        putU16(f, 14, 1);
        putU16(f, 16, 0x0800);
        f[18] = 6;
        f[19] = 4;
        putU16(f, 20, 1);
        sender.write(f, 22);
        System.arraycopy(senderIp, 0, f, 28, 4);
        System.arraycopy(targetIp, 0, f, 38, 4);
        return f;
    }

    /** An ICMP echo request with {@code payload} bytes of data; valid checksums. */
    static byte[] echoRequest(MacAddress dst, MacAddress src, byte[] srcIp, byte[] dstIp, int id, int seq, int payload) {
        int total = 20 + 8 + payload;
        byte[] f = new byte[Math.max(60, 14 + total)];
        dst.write(f, 0);
        src.write(f, 6);
        putU16(f, 12, 0x0800);
        ipv4Header(f, 14, total, 1, srcIp, dstIp);
        int icmp = 34;
        f[icmp] = 8;
        putU16(f, icmp + 4, id);
        putU16(f, icmp + 6, seq);
        for (int i = 0; i < payload; i++) f[icmp + 8 + i] = (byte) (i * 13 + seq);
        putU16(f, icmp + 2, InternetChecksum.checksum(f, icmp, 8 + payload));
        return f;
    }

    static void ipv4Header(byte[] f, int at, int total, int protocol, byte[] src, byte[] dst) {
        f[at] = 0x45;
        putU16(f, at + 2, total);
        putU16(f, at + 4, 0x1234);
        putU16(f, at + 6, 0x4000); // DF
        f[at + 8] = 64;
        f[at + 9] = (byte) protocol;
        System.arraycopy(src, 0, f, at + 12, 4);
        System.arraycopy(dst, 0, f, at + 16, 4);
        putU16(f, at + 10, InternetChecksum.checksum(f, at, 20));
    }

    /**
     * A TCP/IPv4 (or IPv6) segment as a stack with checksum offload hands it to a NIC: the TCP
     * checksum field holds the pseudo-header sum including the TCP length, not the checksum.
     * {@code tagged} puts an 802.1Q tag in front of the IP header.
     */
    static byte[] partialTcp(boolean ipv6, boolean tagged, int payload, int seq) {
        int l3 = tagged ? 18 : 14;
        int ipHeader = ipv6 ? 40 : 20;
        int l4 = l3 + ipHeader;
        int tcpLength = 20 + payload;
        byte[] f = new byte[l4 + tcpLength];
        MacAddress.parse("02:00:00:00:00:02").write(f, 0);
        HOST_MAC.write(f, 6);
        if (tagged) {
            putU16(f, 12, 0x8100);
            putU16(f, 14, 7);
        }
        putU16(f, l3 - 2, ipv6 ? 0x86DD : 0x0800);
        long pseudo;
        if (ipv6) {
            f[l3] = 0x60;
            putU16(f, l3 + 4, tcpLength);
            f[l3 + 6] = 6;
            f[l3 + 7] = 64;
            for (int i = 0; i < 16; i++) {
                f[l3 + 8 + i] = (byte) (0xfd + i);
                f[l3 + 24 + i] = (byte) (0xfe - i);
            }
            pseudo = InternetChecksum.add(0, f, l3 + 8, 32);
        } else {
            ipv4Header(f, l3, 20 + tcpLength, 6, HOST_IP, PEER_IP);
            pseudo = InternetChecksum.add(0, f, l3 + 12, 8);
        }
        putU16(f, l4, 40000);
        putU16(f, l4 + 2, 5001);
        putU32(f, l4 + 4, seq);
        putU32(f, l4 + 8, 777);
        f[l4 + 12] = 0x50;
        f[l4 + 13] = 0x18; // PSH, ACK
        putU16(f, l4 + 14, 512);
        for (int i = 0; i < payload; i++) f[l4 + 20 + i] = (byte) (i * 7 + 3);
        putU16(f, l4 + 16, InternetChecksum.fold(pseudo + 6 + tcpLength));
        return f;
    }

    /** Whether the transport checksum of a TCP/IPv4 or IPv6 frame verifies (and the IPv4 header's). */
    static boolean tcpChecksumsVerify(byte[] f, int length, int l3, boolean ipv6) {
        int l4 = l3 + (ipv6 ? 40 : 20);
        long pseudo = ipv6 ? InternetChecksum.add(0, f, l3 + 8, 32) : InternetChecksum.add(0, f, l3 + 12, 8);
        long sum = InternetChecksum.add(pseudo + 6 + (length - l4), f, l4, length - l4);
        boolean ip = ipv6 || InternetChecksum.verifies(InternetChecksum.add(0, f, l3, 20));
        return ip && InternetChecksum.verifies(sum);
    }
}
