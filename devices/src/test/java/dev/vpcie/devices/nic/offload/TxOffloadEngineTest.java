package dev.vpcie.devices.nic.offload;

import static dev.vpcie.devices.nic.TestPackets.TCP;
import static dev.vpcie.devices.nic.TestPackets.UDP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vpcie.devices.nic.ChecksumVerifier;
import dev.vpcie.devices.nic.TestPackets;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TxOffloadEngineTest {
    private final TxOffloadEngine engine = new TxOffloadEngine();

    /** The offsets the e1000 driver puts into a context descriptor for an untagged frame. */
    static TxOffload offload(boolean ipv6, int proto, boolean ipChecksum, Segmentation seg) {
        int l4 = 14 + (ipv6 ? 40 : 20);
        // For IPv6 the driver still gives IPCSS (where the IP header is) but no checksum field.
        ChecksumField ip = ipv6 ? new ChecksumField(14, 0, 0) : new ChecksumField(14, 24, l4 - 1);
        ChecksumField tu = new ChecksumField(l4, l4 + (proto == TCP ? 16 : 6), 0);
        return new TxOffload(ipChecksum, ip, true, tu, seg);
    }

    private List<byte[]> send(byte[] packet, TxOffload o) throws OffloadException {
        List<byte[]> out = new ArrayList<>();
        int n = engine.transmit(packet, packet.length, o, (f, len) -> out.add(Arrays.copyOf(f, len)));
        assertEquals(out.size(), n);
        return out;
    }

    @Test
    void checksumInsertionMakesIpv4TcpVerify() throws Exception {
        byte[] f = TestPackets.ipFrame(false, TCP, 1000, 1);
        TestPackets.seedForChecksumOffload(f, false, TCP);
        assertFalse(ChecksumVerifier.frameOk(f, f.length), "the seeded frame must not verify before the device fills it in");
        List<byte[]> out = send(f, offload(false, TCP, true, Segmentation.NONE));
        assertEquals(1, out.size());
        assertTrue(ChecksumVerifier.frameOk(out.get(0), out.get(0).length));
    }

    @Test
    void checksumInsertionMakesIpv6UdpVerify() throws Exception {
        byte[] f = TestPackets.ipFrame(true, UDP, 333, 2);
        TestPackets.seedForChecksumOffload(f, true, UDP);
        List<byte[]> out = send(f, offload(true, UDP, false, Segmentation.NONE));
        assertTrue(ChecksumVerifier.frameOk(out.get(0), out.get(0).length));
    }

    @Test
    void checksumEndLimitsTheSummedRange() throws Exception {
        byte[] f = TestPackets.ipFrame(false, TCP, 100, 3);
        TestPackets.putU16(f, 24, 0);
        // Only the IP header (14..33 inclusive), as IPCSE says.
        send(f, new TxOffload(true, new ChecksumField(14, 24, 33), false, ChecksumField.NONE, Segmentation.NONE));
        assertTrue(ChecksumVerifier.ipv4HeaderOk(f, 14));
    }

    @Test
    void zeroResultIsStoredAsAllOnes() throws Exception {
        // Two bytes whose sum is 0xFFFF make the complement 0: the device stores 0xFFFF.
        byte[] f = new byte[64];
        f[20] = (byte) 0xFF;
        f[21] = (byte) 0xFF;
        send(f, new TxOffload(false, ChecksumField.NONE, true, new ChecksumField(20, 22, 23), Segmentation.NONE));
        assertEquals(0xFFFF, TestPackets.u16(f, 22));
    }

    @Test
    void tsoIpv4TcpSegmentsVerifyAndReassemble() throws Exception {
        checkTso(false, TCP, 10_000, 1448);
    }

    @Test
    void tsoIpv6TcpSegmentsVerifyAndReassemble() throws Exception {
        checkTso(true, TCP, 7_777, 1428);
    }

    @Test
    void udpSegmentationSetsPerDatagramLengths() throws Exception {
        checkTso(false, UDP, 4_000, 1000);
        checkTso(true, UDP, 2_001, 1000);
    }

    @Test
    void tsoWithoutPayloadSendsTheHeaderOnce() throws Exception {
        checkTso(false, TCP, 0, 1448);
    }

    @Property(tries = 200)
    void tsoAnySizeAnyMss(@ForAll boolean ipv6, @ForAll boolean tcp, @ForAll @IntRange(min = 0, max = 20_000) int payload,
                          @ForAll @IntRange(min = 1, max = 1460) int mss) throws Exception {
        checkTso(ipv6, tcp ? TCP : UDP, payload, mss);
    }

    private void checkTso(boolean ipv6, int proto, int payload, int mss) throws Exception {
        byte[] original = TestPackets.ipFrame(ipv6, proto, payload, payload * 31L + mss);
        int l4 = 14 + (ipv6 ? 40 : 20);
        int hdr = l4 + (proto == TCP ? 20 : 8);
        byte[] packet = original.clone();
        TestPackets.seedForTso(packet, ipv6, proto);
        List<byte[]> frames = send(packet, offload(ipv6, proto, !ipv6, new Segmentation.Tso(hdr, mss, !ipv6, proto == TCP)));
        int expected = payload == 0 ? 1 : (payload + mss - 1) / mss;
        assertEquals(expected, frames.size());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long seq0 = TestPackets.u32(original, l4 + 4);
        int id0 = TestPackets.u16(original, 18);
        for (int i = 0; i < frames.size(); i++) {
            byte[] s = frames.get(i);
            assertTrue(s.length <= hdr + mss, "segment " + i + " of " + s.length + " bytes exceeds header + MSS");
            assertTrue(ChecksumVerifier.frameOk(s, s.length), "segment " + i + " checksums/lengths");
            assertArrayEquals(Arrays.copyOfRange(original, 0, 14), Arrays.copyOfRange(s, 0, 14));
            if (!ipv6) assertEquals((id0 + i) & 0xFFFF, TestPackets.u16(s, 18), "IP ID of segment " + i);
            if (proto == TCP) {
                assertEquals((seq0 + (long) i * mss) & 0xFFFF_FFFFL, TestPackets.u32(s, l4 + 4), "sequence of segment " + i);
                int flags = s[l4 + 13] & 0xFF;
                boolean last = i == frames.size() - 1;
                assertEquals(last ? original[l4 + 13] & 0xFF : (original[l4 + 13] & 0xFF) & ~0x09, flags, "flags of segment " + i);
            }
            data.write(s, hdr, s.length - hdr);
        }
        assertArrayEquals(Arrays.copyOfRange(original, hdr, original.length), data.toByteArray());
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingIsSent() {
        byte[] f = TestPackets.ipFrame(false, TCP, 3000, 4);
        List<byte[]> out = new ArrayList<>();
        TxOffloadEngine.FrameSink sink = (b, len) -> out.add(b);
        OffloadException e = assertThrows(OffloadException.class,
                () -> engine.transmit(f, f.length, offload(false, TCP, true, new Segmentation.Tso(54, 0, true, true)), sink));
        assertEquals(OffloadException.Reason.BAD_MSS, e.reason());
        e = assertThrows(OffloadException.class,
                () -> engine.transmit(f, 40, offload(false, TCP, true, new Segmentation.Tso(54, 1000, true, true)), sink));
        assertEquals(OffloadException.Reason.BAD_HEADER_LENGTH, e.reason());
        e = assertThrows(OffloadException.class,
                () -> engine.transmit(f, f.length, offload(false, TCP, true, new Segmentation.Tso(40, 1000, true, true)), sink));
        assertEquals(OffloadException.Reason.BAD_HEADER_LENGTH, e.reason());
        e = assertThrows(OffloadException.class, () -> engine.transmit(f, 60,
                new TxOffload(false, ChecksumField.NONE, true, new ChecksumField(34, 70, 0), Segmentation.NONE), sink));
        assertEquals(OffloadException.Reason.CHECKSUM_OUT_OF_RANGE, e.reason());
        e = assertThrows(OffloadException.class, () -> engine.transmit(f, 60,
                new TxOffload(true, new ChecksumField(30, 24, 33), false, ChecksumField.NONE, Segmentation.NONE), sink));
        assertEquals(OffloadException.Reason.CHECKSUM_OUT_OF_RANGE, e.reason());
        assertTrue(out.isEmpty());
    }

    @Test
    void passThroughLeavesTheFrameAlone() throws Exception {
        byte[] f = TestPackets.rawFrame(TestPackets.DST, TestPackets.SRC, 99, 5);
        byte[] copy = f.clone();
        assertTrue(TxOffload.NONE.passThrough());
        List<byte[]> out = send(f, TxOffload.NONE);
        assertArrayEquals(copy, out.get(0));
    }
}
