package dev.vpcie.loopback.vm;

import dev.vpcie.devices.spi.EthernetPort;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The far end of an in-memory cable, standing in for a host on the NIC's wire: it answers ARP
 * requests for its IPv4 address and ICMP echo requests to it, and ignores everything else. Lets
 * a guest ping through a remote NIC without namespaces or root.
 */
final class EchoPeer {
    static final int ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806;

    private final EthernetPort port;
    private final byte[] mac;
    private final byte[] ip;
    final AtomicLong echoes = new AtomicLong(), arps = new AtomicLong();

    EchoPeer(EthernetPort port, byte[] mac, byte[] ip) {
        this.port = port;
        this.mac = mac.clone();
        this.ip = ip.clone();
        port.setReceiver(this::receive);
    }

    private void receive(ByteBuffer frame) {
        byte[] f = new byte[frame.remaining()];
        frame.get(f);
        if (f.length < 42) return;
        int type = (f[12] & 0xFF) << 8 | f[13] & 0xFF;
        if (type == ETHERTYPE_ARP && u16(f, 20) == 1 && equals(f, 38, ip)) arpReply(f);
        else if (type == ETHERTYPE_IPV4 && f[23] == 1 && equals(f, 30, ip) && f[34] == 8) echoReply(f);
    }

    private void arpReply(byte[] req) {
        byte[] r = new byte[42];
        System.arraycopy(req, 6, r, 0, 6);                 // to the asker
        System.arraycopy(mac, 0, r, 6, 6);
        r[12] = 0x08; r[13] = 0x06;
        System.arraycopy(req, 14, r, 14, 6);               // hardware/protocol types and sizes
        r[20] = 0; r[21] = 2;                              // reply
        System.arraycopy(mac, 0, r, 22, 6);
        System.arraycopy(ip, 0, r, 28, 4);
        System.arraycopy(req, 22, r, 32, 10);              // the asker's MAC and IP
        arps.incrementAndGet();
        port.send(ByteBuffer.wrap(r));
    }

    private void echoReply(byte[] req) {
        int ihl = (req[14] & 0xF) * 4, total = u16(req, 16);
        if (14 + total > req.length) return;
        byte[] r = java.util.Arrays.copyOf(req, 14 + total);
        System.arraycopy(req, 6, r, 0, 6);
        System.arraycopy(mac, 0, r, 6, 6);
        System.arraycopy(req, 30, r, 26, 4);               // source and destination IP swapped
        System.arraycopy(req, 26, r, 30, 4);
        r[22] = 64;                                        // TTL
        r[24] = 0; r[25] = 0;
        put16(r, 24, checksum(r, 14, ihl));
        int icmp = 14 + ihl;
        r[icmp] = 0;                                       // echo reply
        r[icmp + 2] = 0; r[icmp + 3] = 0;
        put16(r, icmp + 2, checksum(r, icmp, total - ihl));
        echoes.incrementAndGet();
        port.send(ByteBuffer.wrap(r));
    }

    private static int u16(byte[] b, int at) { return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF; }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static boolean equals(byte[] b, int at, byte[] what) {
        for (int i = 0; i < what.length; i++) if (b[at + i] != what[i]) return false;
        return true;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes. */
    private static int checksum(byte[] b, int at, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) sum += u16(b, at + i);
        if ((length & 1) != 0) sum += (b[at + length - 1] & 0xFF) << 8;
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (int) ~sum & 0xFFFF;
    }
}
