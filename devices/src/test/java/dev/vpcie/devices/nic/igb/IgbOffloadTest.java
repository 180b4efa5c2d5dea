package dev.vpcie.devices.nic.igb;

import static dev.vpcie.devices.nic.igb.IgbDriver.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.ChecksumVerifier;
import dev.vpcie.devices.nic.Statistic;
import dev.vpcie.devices.nic.TestPackets;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Transmit checksum insertion, TSO over IPv4 and IPv6, SCTP CRC, VLAN, receive checksum status, header split. */
class IgbOffloadTest {
    private IgbHarness h;
    private IgbDriver d;

    @BeforeEach
    void up() {
        h = new IgbHarness();
        d = new IgbDriver(h);
    }

    private void open(int queues) {
        d.probe();
        d.open(Mode.MSIX, queues);
    }

    @Test
    void txsmInsertsTcpAndUdpChecksumsOverIpv4AndIpv6() {
        open(2);
        int n = 0;
        for (boolean ipv6 : new boolean[] {false, true}) {
            for (int proto : new int[] {TestPackets.TCP, TestPackets.UDP}) {
                for (int payload : new int[] {0, 1, 17, 1000, 1400}) {
                    byte[] f = TestPackets.ipFrame(ipv6, proto, payload, n++);
                    byte[] expected = f.clone();
                    TestPackets.seedForChecksumOffload(f, ipv6, proto);
                    if (!ipv6) TestPackets.putU16(f, 24, ~ChecksumVerifier.sum(f, 14, 20) & 0xFFFF); // the stack fills the IP header checksum
                    d.transmitChecksummed(n % 2, f, 14, ipv6 ? 40 : 20, proto == TestPackets.TCP ? ADVTXD_TUCMD_L4T_TCP : 0, false);
                    byte[] out = h.peerReceived.remove(0);
                    assertTrue(ChecksumVerifier.frameOk(out, out.length), "checksums verify: ipv6=" + ipv6 + " proto=" + proto + " payload=" + payload);
                    assertArrayEquals(expected, out, "the checksum the device computed is the real one");
                }
            }
        }
        assertEquals(0, h.counters.get("tx-dropped-bad-offload"));
    }

    @Test
    void ixsmInsertsTheIpv4HeaderChecksum() {
        open(1);
        byte[] f = TestPackets.ipFrame(false, TestPackets.UDP, 300, 7);
        byte[] expected = f.clone();
        TestPackets.seedForChecksumOffload(f, false, TestPackets.UDP);
        assertEquals(0, TestPackets.u16(f, 24), "the IP header checksum is left to the device");
        d.transmitChecksummed(0, f, 14, 20, 0, true);
        byte[] out = h.peerReceived.remove(0);
        assertTrue(ChecksumVerifier.ipv4HeaderOk(out, 14));
        assertArrayEquals(expected, out);
    }

    @Test
    void sctpChecksumIsCrc32c() {
        open(1);
        for (int payload : new int[] {4, 100, 1000}) {
            byte[] f = Flows.frame(h.function.macAddress(), Flows.ipv4(10, 0, 0, 1), Flows.ipv4(10, 0, 0, 2), 5000, 6000, Flows.SCTP, payload, payload);
            d.transmitChecksummed(0, f, 14, 20, ADVTXD_TUCMD_L4T_SCTP, false);
            byte[] out = h.peerReceived.remove(0);
            int l4 = 34;
            int stored = (out[l4 + 8] & 0xFF) | (out[l4 + 9] & 0xFF) << 8 | (out[l4 + 10] & 0xFF) << 16 | (out[l4 + 11] & 0xFF) << 24;
            byte[] zeroed = out.clone();
            Arrays.fill(zeroed, l4 + 8, l4 + 12, (byte) 0);
            assertEquals(Flows.crc32c(zeroed, l4, out.length - l4), stored, "CRC-32C, least significant byte first");
            Arrays.fill(out, l4 + 8, l4 + 12, (byte) 0);
            assertArrayEquals(f, out, "nothing else changed");
        }
    }

    @Test
    void tsoSegmentsTcpOverIpv4AndIpv6() {
        open(2);
        for (boolean ipv6 : new boolean[] {false, true}) {
            for (int mss : new int[] {536, 1448}) {
                int payload = 20_000 + mss;
                byte[] original = TestPackets.ipFrame(ipv6, TestPackets.TCP, payload, mss);
                byte[] f = original.clone();
                TestPackets.seedForTso(f, ipv6, TestPackets.TCP);
                d.transmitTso(1, f, ipv6, true, mss);
                int hdr = 14 + (ipv6 ? 40 : 20) + 20;
                int expectedFrames = (payload + mss - 1) / mss;
                assertEquals(expectedFrames, h.peerReceived.size(), "segments of " + payload + " by " + mss);
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                long seq = TestPackets.u32(original, hdr - 20 + 4);
                int id = TestPackets.u16(original, 18);
                for (int i = 0; i < expectedFrames; i++) {
                    byte[] seg = h.peerReceived.remove(0);
                    assertTrue(ChecksumVerifier.frameOk(seg, seg.length), "segment " + i + " verifies (ipv6=" + ipv6 + ")");
                    assertTrue(seg.length <= hdr + mss);
                    assertEquals((seq + (long) i * mss) & 0xFFFF_FFFFL, TestPackets.u32(seg, hdr - 20 + 4), "sequence number");
                    if (!ipv6) assertEquals((id + i) & 0xFFFF, TestPackets.u16(seg, 18), "IP ID increments");
                    boolean last = i == expectedFrames - 1;
                    assertEquals(last, (seg[hdr - 20 + 13] & 0x08) != 0, "PSH on the last segment only");
                    data.write(seg, hdr, seg.length - hdr);
                }
                assertArrayEquals(Arrays.copyOfRange(original, hdr, original.length), data.toByteArray(), "payload intact");
            }
        }
        assertEquals(4, h.function.statistics().peek(Statistic.TSCTC));
    }

    @Test
    void udpSegmentationSetsEachDatagramsLength() {
        open(1);
        byte[] original = TestPackets.ipFrame(false, TestPackets.UDP, 4000, 3);
        byte[] f = original.clone();
        TestPackets.seedForTso(f, false, TestPackets.UDP);
        d.transmitTso(0, f, false, false, 1000);
        assertEquals(4, h.peerReceived.size());
        for (byte[] seg : h.peerReceived) {
            assertTrue(ChecksumVerifier.frameOk(seg, seg.length));
            assertEquals(1008, TestPackets.u16(seg, 34 + 4));
        }
    }

    @Test
    void anOffloadThatDoesNotFitIsDroppedAndCounted() {
        open(1);
        byte[] f = TestPackets.ipFrame(false, TestPackets.TCP, 100, 1);
        d.transmitTso(0, f, false, true, 0);
        assertTrue(h.peerReceived.isEmpty(), "MSS 0 cannot be segmented");
        assertEquals(1, h.counters.get("tx-dropped-bad-offload"));
        assertEquals(1, h.function.statistics().peek(Statistic.TSCTFC));
        d.transmit(TestPackets.rawFrame(TestPackets.DST, d.mac, 100, 2));
        assertEquals(1, h.peerReceived.size(), "the queue carries on");
    }

    @Test
    void vlanTagsAreInsertedOnTransmitAndStrippedOnReceive() {
        open(1);
        byte[] f = TestPackets.rawFrame(TestPackets.DST, d.mac, 100, 1);
        d.transmitTagged(0, f, 0x2005);
        byte[] out = h.peerReceived.remove(0);
        assertEquals(104, out.length);
        assertEquals(0x8100, TestPackets.u16(out, 12));
        assertEquals(0x2005, TestPackets.u16(out, 14));
        assertArrayEquals(Arrays.copyOfRange(f, 12, 100), Arrays.copyOfRange(out, 16, 104));

        byte[] tagged = new byte[104];
        System.arraycopy(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2), 0, tagged, 0, 12);
        TestPackets.putU16(tagged, 12, 0x8100);
        TestPackets.putU16(tagged, 14, 0x6007);
        System.arraycopy(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2), 12, tagged, 16, 88);
        h.peerSend(tagged);
        assertTrue(d.drain().isEmpty(), "VLAN 7 is not in the VFTA: filtered");
        d.wr(VFTA, d.rd(VFTA) | 1 << 7);
        h.peerSend(tagged);
        Rx rx = d.drain().get(0);
        assertEquals(RXD_STAT_VP, rx.status() & RXD_STAT_VP);
        assertEquals(0x6007, rx.vlan());
        assertArrayEquals(TestPackets.rawFrame(d.mac, TestPackets.SRC, 100, 2), rx.frame(), "tag stripped");
    }

    @Test
    void receiveChecksumStatusReportsGoodAndBad() {
        open(1);
        for (boolean ipv6 : new boolean[] {false, true}) {
            for (int proto : new int[] {TestPackets.TCP, TestPackets.UDP}) {
                byte[] good = TestPackets.ipFrame(ipv6, proto, 200, proto);
                System.arraycopy(d.mac.bytes(), 0, good, 0, 6);
                h.peerSend(good);
                int status = d.drain().get(0).status();
                assertEquals(ipv6 ? 0 : RXD_STAT_IPCS, status & RXD_STAT_IPCS, "IPCS for IPv4 only");
                assertEquals(RXD_STAT_TCPCS, status & RXD_STAT_TCPCS);
                assertEquals(proto == TestPackets.UDP ? RXD_STAT_UDPCS : 0, status & RXD_STAT_UDPCS);
                assertEquals(0, status & (RXDEXT_STATERR_TCPE | RXDEXT_STATERR_IPE), "no errors");

                byte[] bad = good.clone();
                bad[bad.length - 1] ^= 0x55;
                h.peerSend(bad);
                status = d.drain().get(0).status();
                assertEquals(RXDEXT_STATERR_TCPE, status & RXDEXT_STATERR_TCPE, "L4 error flagged");
                assertEquals(0, status & RXDEXT_STATERR_IPE);
            }
        }
        byte[] badIp = TestPackets.ipFrame(false, TestPackets.TCP, 50, 9);
        System.arraycopy(d.mac.bytes(), 0, badIp, 0, 6);
        badIp[24] ^= 1;
        h.peerSend(badIp);
        assertEquals(RXDEXT_STATERR_IPE, d.drain().get(0).status() & RXDEXT_STATERR_IPE);
        byte[] sctp = Flows.frame(d.mac, Flows.ipv4(1, 1, 1, 1), Flows.ipv4(2, 2, 2, 2), 1, 2, Flows.SCTP, 40, 1);
        int crc = Flows.crc32c(sctp, 34, sctp.length - 34);
        for (int i = 0; i < 4; i++) sctp[34 + 8 + i] = (byte) (crc >>> (8 * i));
        h.peerSend(sctp);
        int status = d.drain().get(0).status();
        assertEquals(RXD_STAT_TCPCS, status & RXD_STAT_TCPCS, "SCTP CRC checked (RXCSUM.CRCOFL)");
        assertEquals(0, status & RXDEXT_STATERR_TCPE);
    }

    @Test
    void checksumsTheWireComputedAreReportedGoodWithoutSummingAgain() {
        open(1);
        for (boolean ipv6 : new boolean[] {false, true}) {
            byte[] frame = TestPackets.ipFrame(ipv6, TestPackets.TCP, 200, 3);
            System.arraycopy(d.mac.bytes(), 0, frame, 0, 6);
            frame[frame.length - 1] ^= 0x55; // a wrong sum: only a model that sums the frame can see it
            h.peerSend(frame.clone());
            assertEquals(RXDEXT_STATERR_TCPE, d.drain().get(0).status() & RXDEXT_STATERR_TCPE, "a frame from the wire is checked");
            h.peerSendComputed(frame.clone());
            int status = d.drain().get(0).status();
            assertEquals(RXD_STAT_TCPCS, status & RXD_STAT_TCPCS, "reported checked");
            assertEquals(ipv6 ? 0 : RXD_STAT_IPCS, status & RXD_STAT_IPCS);
            assertEquals(0, status & (RXDEXT_STATERR_TCPE | RXDEXT_STATERR_IPE), "computed on the way: good, not summed again");
        }
    }

    @Test
    void withoutPcsdTheDescriptorCarriesTheIpIdentification() {
        d.pcsd = false;
        open(1);
        byte[] f = TestPackets.ipFrame(false, TestPackets.TCP, 64, 4);
        System.arraycopy(d.mac.bytes(), 0, f, 0, 6);
        h.peerSend(f);
        Rx rx = d.drain().get(0);
        assertEquals(TestPackets.u16(f, 18), rx.dword1() & 0xFFFF, "IP identification");
        assertEquals(0x200, rx.status() & 0x200, "IPIDV");
        int sum = ChecksumVerifier.sum(f, 0, f.length);
        assertEquals(sum, rx.dword1() >>> 16, "packet checksum from PCSS 0");
    }

    @Test
    void headerSplitPutsTheHeadersInTheHeaderBuffer() {
        d.srrctlType = SRRCTL_DESCTYPE_HDR_SPLIT;
        open(1);
        byte[] tcp = TestPackets.ipFrame(false, TestPackets.TCP, 700, 5);
        System.arraycopy(d.mac.bytes(), 0, tcp, 0, 6);
        h.peerSend(tcp);
        Rx rx = d.drain().get(0);
        assertEquals(0x8000, rx.hdrInfo() & 0x8000, "SPH: split");
        assertEquals(54, rx.header().length, "Ethernet + IPv4 + TCP");
        assertArrayEquals(Arrays.copyOf(tcp, 54), rx.header());
        assertArrayEquals(tcp, rx.frame(), "header and payload together are the frame");

        byte[] raw = TestPackets.rawFrame(d.mac, TestPackets.SRC, 300, 6);
        h.peerSend(raw);
        rx = d.drain().get(0);
        assertEquals(0, rx.hdrInfo(), "not IP: not split");
        assertNull(rx.header());
        assertArrayEquals(raw, rx.frame());
    }

    @Test
    void legacyDescriptorsWhenSrrctlSaysSo() {
        d.srrctlType = 0;
        open(1);
        byte[] f = TestPackets.rawFrame(d.mac, TestPackets.SRC, 200, 8);
        h.peerSend(f);
        long desc = RX_RINGS;
        assertEquals(200, h.memory.u16(desc + 8), "legacy length at byte 8");
        int status = h.memory.u8(desc + 12);
        assertEquals(RXD_STAT_DD | RXD_STAT_EOP, status & (RXD_STAT_DD | RXD_STAT_EOP));
        assertEquals(0, h.memory.u8(desc + 13), "no errors");
        assertArrayEquals(f, h.memory.get(d.rxBuffer(0, 0), 200));
        assertFalse(h.memory.u32(desc + 8) == 0);
    }
}
