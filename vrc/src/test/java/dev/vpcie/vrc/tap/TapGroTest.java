package dev.vpcie.vrc.tap;

import static org.junit.jupiter.api.Assertions.*;

import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.packet.InternetChecksum;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GRO on the way to the TAP: which received frames merge, what the merged frame and its virtio-net header say, and order. */
class TapGroTest {
    private static final int H = Tap.VNET_HDR_SIZE, MSS = 1448, IPV4_L4 = 34, IPV6_L4 = 54;

    /** One TAP write: virtio-net header fields, the frame after it, how many NIC frames it holds. */
    record Written(int flags, int gsoType, int headerLength, int gsoSize, int checksumStart, int checksumOffset, byte[] frame, int frames) {
        int u16(int at) { return (frame[at] & 0xFF) << 8 | frame[at + 1] & 0xFF; }
    }

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment buffer = arena.allocate(TapGro.BUFFER_BYTES);
    private final List<Written> written = new ArrayList<>();
    private final TapGro gro = new TapGro(buffer, (length, frames, bytes) -> {
        VnetHeader h = VnetHeader.read(buffer, 0);
        written.add(new Written(h.flags(), h.gsoType(), h.headerLength(), h.gsoSize(), h.checksumStart(), h.checksumOffset(),
                buffer.asSlice(H, length - H).toArray(ValueLayout.JAVA_BYTE), frames));
    });

    /** A TCP segment builder; every frame it makes has right checksums. */
    static final class Seg {
        boolean ipv6, df = true;
        int srcPort = 40000, id = 100, flags = 0x10, window = 500, ttl = 64;
        long seq = 1_000_000, ack = 77;
        byte[] options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}; // NOP NOP timestamps

        byte[] frame(int payload) {
            int l4 = ipv6 ? IPV6_L4 : IPV4_L4, doff = 20 + options.length;
            byte[] f = new byte[l4 + doff + payload];
            for (int i = 0; i < 6; i++) { f[i] = (byte) (0x02 + i); f[6 + i] = (byte) (0x12 + i); }
            put16(f, 12, ipv6 ? 0x86DD : 0x0800);
            if (ipv6) {
                f[14] = 0x60;
                put16(f, 18, doff + payload);
                f[20] = 6;
                f[21] = (byte) ttl;
                for (int i = 0; i < 32; i++) f[22 + i] = (byte) (i < 16 ? 0x20 + i : 0x40 + i);
            } else {
                f[14] = 0x45;
                put16(f, 16, 20 + doff + payload);
                put16(f, 18, id);
                put16(f, 20, df ? 0x4000 : 0);
                f[22] = (byte) ttl;
                f[23] = 6;
                byte[] addresses = {10, 9, 0, 2, 10, 9, 0, 1};
                System.arraycopy(addresses, 0, f, 26, 8);
                put16(f, 24, ~fold(sum(f, 14, 20, 0)) & 0xFFFF);
            }
            put16(f, l4, srcPort);
            put16(f, l4 + 2, 5001);
            put32(f, l4 + 4, seq);
            put32(f, l4 + 8, ack);
            f[l4 + 12] = (byte) (doff / 4 << 4);
            f[l4 + 13] = (byte) flags;
            put16(f, l4 + 14, window);
            System.arraycopy(options, 0, f, l4 + 20, options.length);
            for (int i = 0; i < payload; i++) f[l4 + doff + i] = (byte) (seq + i);
            put16(f, l4 + 16, ~fold(pseudo(f, ipv6, f.length - l4) + sum(f, l4, f.length - l4, 0)) & 0xFFFF);
            seq += payload;
            if (!ipv6) id++;
            return f;
        }
    }

    @Test void consecutiveSegmentsGoAsOneGsoFrameTheKernelCanFinish() {
        Seg s = new Seg();
        byte[][] in = {s.frame(MSS), s.frame(MSS), s.frame(MSS)};
        for (byte[] f : in) gro.frame(ByteBuffer.wrap(f), true);
        assertTrue(written.isEmpty(), "a run waits for the end of the poll");
        gro.flush();
        assertEquals(1, written.size());
        Written w = written.getFirst();
        int header = IPV4_L4 + 32;
        assertEquals(3, w.frames());
        assertEquals(1, w.flags(), "NEEDS_CSUM");
        assertEquals(1, w.gsoType(), "GSO_TCPV4");
        assertEquals(header, w.headerLength());
        assertEquals(MSS, w.gsoSize());
        assertEquals(IPV4_L4, w.checksumStart());
        assertEquals(16, w.checksumOffset());
        assertEquals(header + 3 * MSS, w.frame().length);
        assertEquals(w.frame().length - 14, w.u16(16), "IPv4 total length of the whole run");
        assertEquals(0xFFFF, fold(sum(w.frame(), 14, 20, 0)), "the IPv4 header checksum is right again");
        assertArrayEquals(Arrays.copyOfRange(in[0], 0, 16), Arrays.copyOfRange(w.frame(), 0, 16), "the first segment's Ethernet header");
        assertArrayEquals(Arrays.copyOfRange(in[0], 18, 24), Arrays.copyOfRange(w.frame(), 18, 24), "its IP ID, flags, TTL, protocol");
        assertArrayEquals(Arrays.copyOfRange(in[0], 26, IPV4_L4 + 16), Arrays.copyOfRange(w.frame(), 26, IPV4_L4 + 16), "its addresses and TCP header");
        assertArrayEquals(Arrays.copyOfRange(in[0], IPV4_L4 + 18, header), Arrays.copyOfRange(w.frame(), IPV4_L4 + 18, header), "its TCP options");
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (byte[] f : in) payload.write(f, header, MSS);
        assertArrayEquals(payload.toByteArray(), Arrays.copyOfRange(w.frame(), header, w.frame().length));
        assertChecksumCompletes(w, false);
        assertEquals(1, gro.runs());
        assertEquals(3, gro.merged());
    }

    @Test void aShorterSegmentEndsTheRunAndTheNextStartsAnother() {
        Seg s = new Seg();
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        gro.frame(ByteBuffer.wrap(s.frame(100)), true);
        assertEquals(1, written.size(), "the short segment closed the run at once");
        assertEquals(3, written.getFirst().frames());
        byte[] alone = s.frame(MSS);
        gro.frame(ByteBuffer.wrap(alone), true);
        gro.flush();
        Written w = written.get(1);
        assertEquals(1, w.frames());
        assertEquals(0, w.gsoType(), "one segment is no GSO frame");
        assertEquals(1, w.flags(), "but its checksum is taken as verified");
        assertEquals(alone.length, w.frame().length);
        assertChecksumCompletes(w, false);
        gro.flush();
        assertEquals(2, written.size(), "a second flush writes nothing");
    }

    @Test void pshIsKeptAndEndsTheRun() {
        Seg s = new Seg();
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.flags = 0x18;
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        assertEquals(1, written.size());
        assertEquals(2, written.getFirst().frames());
        assertEquals(0x18, written.getFirst().frame()[IPV4_L4 + 13]);
    }

    @Test void whatDoesNotContinueTheRunSplitsItInOrder() {
        Seg s = new Seg();
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.seq += 1; // a gap
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.ack++; // another acknowledgement number
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.window++;
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.srcPort++; // another flow
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.ttl--;
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        s.options[11]++; // another timestamp
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        gro.flush();
        assertEquals(7, written.size());
        assertTrue(written.stream().allMatch(w -> w.frames() == 1));
        long[] seqs = written.stream().mapToLong(w -> (long) w.u16(IPV4_L4 + 4) << 16 | w.u16(IPV4_L4 + 6)).toArray();
        for (int i = 1; i < seqs.length; i++) assertTrue(seqs[i] > seqs[i - 1], "in the order received");
    }

    @Test void ipIdsMustCountUpUnlessDontFragmentIsSet() {
        Seg s = new Seg();
        s.df = false;
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true); // id counted up: merges
        s.id += 5;
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true); // jumped: does not
        gro.flush();
        assertEquals(List.of(2, 1), written.stream().map(Written::frames).toList());
        written.clear();
        Seg fixed = new Seg();
        gro.frame(ByteBuffer.wrap(fixed.frame(MSS)), true);
        fixed.id = 100;
        gro.frame(ByteBuffer.wrap(fixed.frame(MSS)), true); // DF and the same id: merges
        gro.flush();
        assertEquals(List.of(2), written.stream().map(Written::frames).toList());
    }

    @Test void uncheckedAndNonTcpFramesGoAloneAsTheyCame() {
        Seg s = new Seg();
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        byte[] unchecked = s.frame(MSS);
        gro.frame(ByteBuffer.wrap(unchecked), false);
        byte[] udp = new Seg().frame(200);
        udp[23] = 17;
        gro.frame(ByteBuffer.wrap(udp), true);
        byte[] syn = new Seg().frame(0);
        syn[IPV4_L4 + 13] = 0x02;
        gro.frame(ByteBuffer.wrap(syn), true);
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        gro.frame(ByteBuffer.wrap(arp), true);
        gro.flush();
        assertEquals(5, written.size());
        assertEquals(2, written.getFirst().frames(), "the run first");
        for (int i = 1; i < 5; i++) {
            Written w = written.get(i);
            assertEquals(0, w.flags() | w.gsoType() | w.headerLength() | w.gsoSize() | w.checksumStart() | w.checksumOffset(), "no offload asked");
        }
        assertArrayEquals(unchecked, written.get(1).frame());
        assertArrayEquals(udp, written.get(2).frame());
        assertArrayEquals(syn, written.get(3).frame());
        assertArrayEquals(arp, written.get(4).frame());
    }

    @Test void aRunStopsShortOf64KiB() {
        Seg s = new Seg();
        for (int i = 0; i < 50; i++) gro.frame(ByteBuffer.wrap(s.frame(MSS)), true);
        gro.flush();
        assertEquals(List.of(45, 5), written.stream().map(Written::frames).toList());
        assertTrue(written.getFirst().u16(16) <= 0xFFFF && written.getFirst().frame().length - 14 == written.getFirst().u16(16));
        for (Written w : written) assertChecksumCompletes(w, false);
    }

    @Test void ipv6SegmentsMergeToo() {
        Seg s = new Seg();
        s.ipv6 = true;
        byte[] a = s.frame(MSS), b = s.frame(MSS);
        gro.frame(ByteBuffer.wrap(a), true);
        gro.frame(ByteBuffer.wrap(b), true);
        gro.flush();
        assertEquals(1, written.size());
        Written w = written.getFirst();
        assertEquals(4, w.gsoType(), "GSO_TCPV6");
        assertEquals(IPV6_L4, w.checksumStart());
        assertEquals(w.frame().length - IPV6_L4, w.u16(18), "IPv6 payload length of the whole run");
        assertChecksumCompletes(w, true);
    }

    @Test void paddedOrLyingLengthsAreNotMerged() {
        Seg s = new Seg();
        byte[] padded = Arrays.copyOf(s.frame(10), IPV4_L4 + 32 + 10 + 6);
        gro.frame(ByteBuffer.wrap(padded), true);
        gro.flush();
        assertEquals(0, written.getFirst().flags(), "a frame longer than its IP packet goes as it came");
        assertArrayEquals(padded, written.getFirst().frame());
    }

    /** What the kernel does with NEEDS_CSUM (skb_checksum_help) gives a checksum the pseudo-header of the whole frame verifies. */
    private static void assertChecksumCompletes(Written w, boolean ipv6) {
        byte[] f = w.frame().clone();
        int l4 = w.checksumStart(), field = l4 + w.checksumOffset();
        put16(f, field, ~fold(sum(f, l4, f.length - l4, 0)) & 0xFFFF);
        assertEquals(0xFFFF, fold(pseudo(f, ipv6, f.length - l4) + sum(f, l4, f.length - l4, 0)), "the completed TCP checksum verifies");
    }

    static long pseudo(byte[] f, boolean ipv6, int l4Length) {
        return ipv6 ? InternetChecksum.ipv6PseudoHeader(f, 14, 6, l4Length) : InternetChecksum.ipv4PseudoHeader(f, 14, 6, l4Length);
    }

    static long sum(byte[] b, int at, int n, long acc) { return InternetChecksum.sum(acc, b, at, n); }

    static int fold(long acc) { return InternetChecksum.fold(acc); }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, long v) {
        put16(b, at, (int) (v >>> 16));
        put16(b, at + 2, (int) v);
    }
}
