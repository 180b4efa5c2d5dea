package dev.vpcie.devices.nic.offload;

import static dev.vpcie.devices.nic.TestPackets.TCP;
import static dev.vpcie.devices.nic.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.TestPackets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RxChecksumsTest {

    private static RxChecksums check(byte[] f, boolean ipv6Support) {
        return RxChecksums.check(f, PacketLayout.parse(f, f.length), ipv6Support);
    }

    @Test
    void goodFramesCheckGood() {
        RxChecksums c = check(TestPackets.ipFrame(false, TCP, 500, 1), false);
        assertEquals(new RxChecksums(ChecksumCheck.GOOD, ChecksumCheck.GOOD, false), c);
        c = check(TestPackets.ipFrame(false, UDP, 7, 2), false);
        assertEquals(new RxChecksums(ChecksumCheck.GOOD, ChecksumCheck.GOOD, true), c);
        c = check(TestPackets.ipFrame(true, TCP, 100, 3), true);
        assertEquals(new RxChecksums(ChecksumCheck.NOT_CHECKED, ChecksumCheck.GOOD, false), c);
    }

    @Test
    void computedChecksumsReportWhatACheckOfGoodOnesWould() {
        for (boolean ipv6 : new boolean[] {false, true})
            for (int proto : new int[] {TCP, UDP})
                for (boolean chipIpv6 : new boolean[] {false, true}) {
                    byte[] f = TestPackets.ipFrame(ipv6, proto, 300, 11);
                    PacketLayout p = PacketLayout.parse(f, f.length);
                    assertEquals(RxChecksums.check(f, p, chipIpv6), RxChecksums.computed(f, p, chipIpv6), ipv6 + " " + proto + " " + chipIpv6);
                }
        byte[] noSum = TestPackets.ipFrame(false, UDP, 20, 12);
        TestPackets.putU16(noSum, 40, 0);
        assertEquals(ChecksumCheck.NOT_CHECKED, RxChecksums.computed(noSum, PacketLayout.parse(noSum, noSum.length), false).l4(), "UDP without a checksum");
        byte[] wrong = TestPackets.ipFrame(false, TCP, 300, 13);
        wrong[100] ^= 1;
        assertEquals(ChecksumCheck.GOOD, RxChecksums.computed(wrong, PacketLayout.parse(wrong, wrong.length), false).l4(), "not summed");
    }

    @Test
    void ipv6IsNotCheckedWhereTheChipCannot() {
        assertEquals(new RxChecksums(ChecksumCheck.NOT_CHECKED, ChecksumCheck.NOT_CHECKED, false), check(TestPackets.ipFrame(true, UDP, 10, 4), false));
    }

    @Test
    void corruptionIsSeen() {
        byte[] f = TestPackets.ipFrame(false, TCP, 500, 5);
        f[100] ^= 1;
        assertEquals(ChecksumCheck.BAD, check(f, false).l4());
        assertEquals(ChecksumCheck.GOOD, check(f, false).ipv4Header());
        f = TestPackets.ipFrame(false, UDP, 50, 6);
        f[22] ^= 1; // TTL
        assertEquals(ChecksumCheck.BAD, check(f, false).ipv4Header());
    }

    @Test
    void paddingAfterTheIpPayloadIsIgnored() {
        byte[] f = Arrays.copyOf(TestPackets.ipFrame(false, UDP, 2, 7), 60);
        f[59] = 0x55;
        assertEquals(new RxChecksums(ChecksumCheck.GOOD, ChecksumCheck.GOOD, true), check(f, false));
    }

    @Test
    void udpWithoutChecksumAndFragmentsAreNotChecked() {
        byte[] f = TestPackets.ipFrame(false, UDP, 20, 8);
        TestPackets.putU16(f, 40, 0);
        assertEquals(ChecksumCheck.NOT_CHECKED, check(f, false).l4());
        byte[] g = TestPackets.ipFrame(false, TCP, 20, 9);
        TestPackets.putU16(g, 20, 0x2000); // MF
        TestPackets.putU16(g, 24, 0);
        TestPackets.putU16(g, 24, ~dev.vpcie.devices.nic.ChecksumVerifier.sum(g, 14, 20) & 0xFFFF);
        RxChecksums c = check(g, false);
        assertEquals(ChecksumCheck.GOOD, c.ipv4Header());
        assertEquals(ChecksumCheck.NOT_CHECKED, c.l4());
    }

    @Test
    void layoutFindsHeadersBehindVlanTagsAndExtensionHeaders() {
        byte[] f = TestPackets.ipFrame(false, TCP, 10, 10);
        byte[] tagged = EthernetFrames.insertVlanTag(f, f.length, 0x8100, 5);
        PacketLayout p = PacketLayout.parse(tagged, tagged.length);
        assertEquals(18, p.l3Offset());
        assertEquals(38, p.l4Offset());
        assertTrue(p.isTcp());
        assertEquals(new RxChecksums(ChecksumCheck.GOOD, ChecksumCheck.GOOD, false), RxChecksums.check(tagged, p, false));

        byte[] v6 = TestPackets.ipFrame(true, UDP, 16, 11);
        // Insert an 8-byte hop-by-hop header: next header UDP, length 0.
        byte[] ext = new byte[v6.length + 8];
        System.arraycopy(v6, 0, ext, 0, 54);
        ext[54] = (byte) UDP;
        System.arraycopy(v6, 54, ext, 62, v6.length - 54);
        ext[20] = 0; // next header: hop-by-hop
        TestPackets.putU16(ext, 18, TestPackets.u16(v6, 18) + 8);
        PacketLayout q = PacketLayout.parse(ext, ext.length);
        assertEquals(62, q.l4Offset());
        assertTrue(q.isUdp());
        assertEquals(ChecksumCheck.GOOD, RxChecksums.check(ext, q, true).l4());
    }

    @Test
    void garbageParsesAsOther() {
        assertEquals(L3Protocol.OTHER, PacketLayout.parse(new byte[10], 10).l3());
        byte[] f = TestPackets.ipFrame(false, TCP, 10, 12);
        f[14] = 0x25; // version 2
        assertEquals(L3Protocol.OTHER, PacketLayout.parse(f, f.length).l3());
        byte[] g = TestPackets.ipFrame(false, TCP, 10, 13);
        PacketLayout truncated = PacketLayout.parse(g, 40);
        assertFalse(truncated.isTcp());
    }
}
