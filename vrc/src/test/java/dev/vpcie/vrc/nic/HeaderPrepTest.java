package dev.vpcie.vrc.nic;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.vrc.nic.packet.InternetChecksum;
import org.junit.jupiter.api.Test;

/**
 * The pseudo-header seeding must make "checksum from TUCSS to the end, stored at TUCSO" (what
 * the NIC does) produce a checksum that verifies against the real pseudo-header.
 */
class HeaderPrepTest {

    static byte[] ipv4Tcp(int payload) {
        byte[] f = new byte[14 + 20 + 20 + payload];
        f[12] = 0x08;
        f[14] = 0x45;
        int total = 20 + 20 + payload;
        f[16] = (byte) (total >>> 8);
        f[17] = (byte) total;
        f[22] = 64;
        f[23] = 6;
        f[26] = 10; f[29] = 1; // 10.0.0.1
        f[30] = 10; f[33] = 2; // 10.0.0.2
        f[34 + 12] = 0x50; // data offset 5
        for (int i = 54; i < f.length; i++) f[i] = (byte) (i * 31);
        f[44] = 0x7F; // garbage in the checksum field: the driver overwrites it
        f[45] = 0x55;
        return f;
    }

    static byte[] ipv6Udp(int payload) {
        byte[] f = new byte[14 + 40 + 8 + payload];
        f[12] = (byte) 0x86;
        f[13] = (byte) 0xDD;
        f[14] = 0x60;
        int pl = 8 + payload;
        f[18] = (byte) (pl >>> 8);
        f[19] = (byte) pl;
        f[20] = 17;
        f[21] = 64;
        f[22] = (byte) 0xFD; f[37] = 1;
        f[38] = (byte) 0xFD; f[53] = 2;
        f[58] = (byte) (pl >>> 8);
        f[59] = (byte) pl;
        for (int i = 62; i < f.length; i++) f[i] = (byte) (i * 13);
        return f;
    }

    /** What the NIC does with TXSM: complement of the sum over [start, end), stored at {@code at}. */
    static void hardwareChecksum(byte[] f, int start, int at) {
        int c = InternetChecksum.of(f, start, f.length - start);
        f[at] = (byte) (c >>> 8);
        f[at + 1] = (byte) c;
    }

    @Test void tcpOverIpv4ChecksumInsertion() {
        for (int payload : new int[] {0, 1, 100, 1460}) {
            byte[] f = ipv4Tcp(payload);
            HeaderPrep.prepare(f, f.length, new TxOffload.Checksum(14, true, 34, TxOffload.L4.TCP, false));
            hardwareChecksum(f, 34, 34 + 16);
            long pseudo = InternetChecksum.ipv4PseudoHeader(f, 14, 6, f.length - 34);
            assertEquals(0xFFFF, InternetChecksum.fold(InternetChecksum.sum(pseudo, f, 34, f.length - 34)), "payload " + payload);
        }
    }

    @Test void udpOverIpv6ChecksumInsertion() {
        byte[] f = ipv6Udp(333);
        HeaderPrep.prepare(f, f.length, new TxOffload.Checksum(14, false, 54, TxOffload.L4.UDP, false));
        hardwareChecksum(f, 54, 54 + 6);
        long pseudo = InternetChecksum.ipv6PseudoHeader(f, 14, 17, f.length - 54);
        assertEquals(0xFFFF, InternetChecksum.fold(InternetChecksum.sum(pseudo, f, 54, f.length - 54)));
    }

    @Test void ipHeaderChecksumFieldIsClearedForIxsm() {
        byte[] f = ipv4Tcp(10);
        f[24] = 0x12;
        f[25] = 0x34;
        HeaderPrep.prepare(f, f.length, new TxOffload.Checksum(14, true, 34, TxOffload.L4.TCP, true));
        assertEquals(0, f[24]);
        assertEquals(0, f[25]);
    }

    @Test void tsoZeroesLengthsAndSeedsWithoutLength() {
        byte[] f = ipv4Tcp(4000);
        HeaderPrep.prepare(f, f.length, new TxOffload.Segmentation(14, true, 34, 20, 1460));
        assertEquals(0, f[16] | f[17], "IPv4 total length zeroed");
        assertEquals(0, f[24] | f[25], "IPv4 header checksum zeroed");
        int seed = (f[50] & 0xFF) << 8 | f[51] & 0xFF;
        assertEquals(InternetChecksum.fold(InternetChecksum.ipv4PseudoHeader(f, 14, 6, 0)), seed);
        byte[] v6 = ipv6Udp(10);
        v6[20] = 6; // make it TCP for TSO
        byte[] big = new byte[14 + 40 + 20 + 3000];
        System.arraycopy(v6, 0, big, 0, 54);
        HeaderPrep.prepare(big, big.length, new TxOffload.Segmentation(14, false, 54, 20, 1440));
        assertEquals(0, big[18] | big[19], "IPv6 payload length zeroed");
    }

    @Test void headersBeyondTheFrameAreRefused() {
        byte[] f = ipv4Tcp(0);
        assertThrows(IllegalArgumentException.class,
                () -> HeaderPrep.prepare(f, 40, new TxOffload.Checksum(14, true, 34, TxOffload.L4.TCP, false)));
        assertThrows(IllegalArgumentException.class,
                () -> HeaderPrep.prepare(f, f.length, new TxOffload.Segmentation(14, true, 34, 20, 1460)), "TSO without payload");
        assertThrows(IllegalArgumentException.class,
                () -> HeaderPrep.prepare(f, f.length, new TxOffload.Checksum(14, false, 54, TxOffload.L4.TCP, false)), "IPv4 header offloaded as IPv6");
        assertThrows(IllegalArgumentException.class, () -> new TxOffload.Checksum(14, true, 30, TxOffload.L4.TCP, false), "IP header too short");
        assertThrows(IllegalArgumentException.class, () -> new TxOffload.Checksum(14, false, 34, TxOffload.L4.UDP, true), "IPv6 has no header checksum");
        assertThrows(IllegalArgumentException.class, () -> new TxOffload.Segmentation(14, true, 34, 18, 1460));
    }
}
