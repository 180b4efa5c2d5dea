package dev.vpcie.vrc.tap;

import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.packet.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * Generic receive offload on the way to the TAP, as Linux's GRO does for the kernel's own igb
 * and e1000 drivers: consecutive TCP segments of one flow, taken in one ring poll, each with
 * checksums the NIC found right, go to the TAP as one frame of up to 64 KiB whose virtio-net
 * header asks for GSO with the first segment's payload as gso_size. The host's stack then
 * handles, and acknowledges, a run of segments once; the acknowledgements it no longer sends are
 * frames the NIC's transmit path (and the endpoint behind it) no longer carries.
 *
 * <p>The rules are the kernel's (tcp_gro_receive, inet_gro_receive): untagged Ethernet, IPv4
 * without options or fragments (IDs counting up unless DF is set) or IPv6 without extension
 * headers, TCP with ACK and nothing but PSH besides; every header byte equal to the first
 * segment's except lengths, IDs, checksums, sequence number and PSH; each segment starts where the
 * last ended and carries no more than the first; a shorter segment or PSH ends the run, as does
 * 64 KiB. A segment that does not continue the run sends the run first; anything else goes alone,
 * in order. TCP frames leave with NEEDS_CSUM and the pseudo-header sum in the checksum field: the
 * stack takes that as a verified checksum when it delivers locally and completes it when it
 * forwards. {@link #flush()} at the end of each ring poll (NicDriver's poll end), so nothing waits
 * longer than the poll that received it.
 *
 * <p>Not thread-safe: the caller serialises (the bridge's TAP lock).
 */
final class TapGro {
    /** Writes the buffer's first {@code length} bytes (virtio-net header and frame) to the TAP. */
    interface Output {
        /** @param frames NIC frames in it; @param frameBytes their bytes as received */
        void write(int length, int frames, long frameBytes);
    }

    /** The buffer's size a maximal run needs: header, Ethernet header and a 64 KiB IP packet. */
    static final int BUFFER_BYTES = Tap.VNET_HDR_SIZE + 14 + 0xFFFF;
    /** Where the frame starts in the buffer (after the virtio-net header), and the IP header in the frame. */
    private static final int H = Tap.VNET_HDR_SIZE, ETH = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86DD, PROTO_TCP = 6, IPV6_HEADER = 40;
    private static final int TCP_ACK = 0x10, TCP_PSH = 0x08, TCP_CHECKSUM = 16;

    private final MemorySegment buf;
    private final Output out;

    // The run being built, in buf from H: its first segment's headers and every segment's payload.
    private int segments;
    private boolean ipv4;
    private int l4, headerEnd, mss, length, firstId;
    private long nextSeq, frameBytes;

    private long runs, merged;

    /** @param buffer at least {@link #BUFFER_BYTES}, shared with no one while a run is open */
    TapGro(MemorySegment buffer, Output out) {
        if (buffer.byteSize() < BUFFER_BYTES) throw new IllegalArgumentException("GRO buffer of " + buffer.byteSize() + " bytes");
        this.buf = buffer;
        this.out = out;
    }

    /** Frames written as one GSO frame of two segments or more. */
    long runs() { return runs; }

    /** NIC frames that went out inside those. */
    long merged() { return merged; }

    /** Takes one received frame ({@code position} to {@code limit}); {@code checked}: the NIC found its checksums right. */
    void frame(ByteBuffer f, boolean checked) {
        int len = f.remaining();
        int fEnd = checked ? headerEnd(f, len) : -1;
        MemorySegment src = MemorySegment.ofBuffer(f);
        if (fEnd < 0) {
            flush();
            VnetHeader.writeNone(buf, 0); // as it came, no offload asked for
            MemorySegment.copy(src, 0, buf, H, len);
            out.write(H + len, 1, len);
            return;
        }
        int p = f.position();
        int fl4 = l4Of(f, p), payload = len - fEnd;
        if (segments > 0 && continues(f, p, fl4, fEnd, payload)) {
            MemorySegment.copy(src, fEnd, buf, H + length, payload);
            length += payload;
            frameBytes += len;
            nextSeq = (nextSeq + payload) & 0xFFFF_FFFFL;
            segments++;
            int flags = f.get(p + fl4 + 13);
            if ((flags & TCP_PSH) != 0) buf.set(ValueLayout.JAVA_BYTE, H + l4 + 13, (byte) (buf.get(ValueLayout.JAVA_BYTE, H + l4 + 13) | TCP_PSH));
            if (payload < mss || (flags & TCP_PSH) != 0) flush();
            return;
        }
        flush();
        MemorySegment.copy(src, 0, buf, H, len);
        segments = 1;
        ipv4 = u16(f, p + 12) == ETHERTYPE_IPV4;
        l4 = fl4;
        headerEnd = fEnd;
        mss = payload;
        length = len;
        frameBytes = len;
        firstId = ipv4 ? u16(f, p + ETH + 4) : 0;
        nextSeq = (u32(f, p + fl4 + 4) + payload) & 0xFFFF_FFFFL;
        if ((f.get(p + fl4 + 13) & TCP_PSH) != 0) flush(); // PSH: nothing may follow it in a run
    }

    /** Writes the run being built, if any. */
    void flush() {
        if (segments == 0) return;
        int tcpLength = length - l4;
        if (segments > 1) {
            if (ipv4) {
                put16(ETH + 2, length - ETH);
                put16(ETH + 10, 0);
                put16(ETH + 10, InternetChecksum.finish(sum(ETH, 20, 0)));
            } else {
                put16(ETH + 4, length - ETH - IPV6_HEADER);
            }
        }
        long pseudo = ipv4 ? sum(ETH + 12, 8, 0) : sum(ETH + 8, 32, 0);
        put16(l4 + TCP_CHECKSUM, InternetChecksum.fold(pseudo + PROTO_TCP + tcpLength));
        boolean gso = segments > 1;
        int gsoType = gso ? ipv4 ? VnetHeader.GSO_TCPV4 : VnetHeader.GSO_TCPV6 : VnetHeader.GSO_NONE;
        VnetHeader.write(buf, 0, VnetHeader.F_NEEDS_CSUM, gsoType, gso ? headerEnd : 0, gso ? mss : 0, l4, TCP_CHECKSUM);
        if (gso) {
            runs++;
            merged += segments;
        }
        int frames = segments;
        segments = 0;
        out.write(H + length, frames, frameBytes);
    }

    /**
     * Where the TCP header ends in {@code f} if it is a segment GRO may merge at all (see the class
     * comment), else -1.
     */
    private static int headerEnd(ByteBuffer f, int len) {
        int p = f.position();
        if (len < ETH + 20) return -1;
        int type = u16(f, p + 12), l3 = p + ETH, l4;
        if (type == ETHERTYPE_IPV4) {
            if ((f.get(l3) & 0xFF) != 0x45 || f.get(l3 + 9) != PROTO_TCP || (u16(f, l3 + 6) & 0x3FFF) != 0) return -1;
            if (u16(f, l3 + 2) != len - ETH) return -1; // padding, or a length that lies
            l4 = ETH + 20;
        } else if (type == ETHERTYPE_IPV6) {
            if (len < ETH + IPV6_HEADER + 20 || (f.get(l3) & 0xF0) != 0x60 || f.get(l3 + 6) != PROTO_TCP) return -1;
            if (u16(f, l3 + 4) != len - ETH - IPV6_HEADER) return -1;
            l4 = ETH + IPV6_HEADER;
        } else {
            return -1;
        }
        if (len < l4 + 20) return -1;
        int doff = ((f.get(p + l4 + 12) & 0xF0) >>> 4) * 4;
        int flags = f.get(p + l4 + 13) & 0xFF;
        boolean mergeable = doff >= 20 && l4 + doff < len && (flags & TCP_ACK) != 0 && (flags & ~(TCP_ACK | TCP_PSH)) == 0;
        return mergeable ? l4 + doff : -1;
    }

    /** Whether the segment continues the run: same flow and headers, the next sequence number, no more than mss, room left. */
    private boolean continues(ByteBuffer f, int p, int fl4, int fEnd, int payload) {
        if (fl4 != l4 || fEnd != headerEnd || payload > mss || length + payload - ETH > 0xFFFF) return false;
        if (u32(f, p + fl4 + 4) != nextSeq) return false;
        if (ipv4 && (u16(f, p + ETH + 6) & 0x4000) == 0 && u16(f, p + ETH + 4) != ((firstId + segments) & 0xFFFF)) return false;
        for (int i = 0; i < headerEnd; i++) {
            if (mayDiffer(i)) continue;
            byte b = f.get(p + i);
            if (i == l4 + 13) b |= (byte) TCP_PSH; // PSH may differ: compare with it set on both sides
            byte mine = buf.get(ValueLayout.JAVA_BYTE, H + i);
            if (i == l4 + 13) mine |= (byte) TCP_PSH;
            if (b != mine) return false;
        }
        return true;
    }

    /** Header bytes that differ between segments of one run: IP length, ID and checksum, TCP sequence, checksum, urgent pointer. */
    private boolean mayDiffer(int i) {
        int ip = i - ETH;
        if (ipv4 ? ip >= 2 && ip < 6 || ip == 10 || ip == 11 : ip == 4 || ip == 5) return true;
        int tcp = i - l4;
        return tcp >= 4 && tcp < 8 || tcp >= 16 && tcp < 20;
    }

    private static int l4Of(ByteBuffer f, int p) { return u16(f, p + 12) == ETHERTYPE_IPV4 ? ETH + 20 : ETH + IPV6_HEADER; }

    private static int u16(ByteBuffer f, int at) { return (f.get(at) & 0xFF) << 8 | f.get(at + 1) & 0xFF; }

    private static long u32(ByteBuffer f, int at) { return ((long) u16(f, at) << 16 | u16(f, at + 2)) & 0xFFFF_FFFFL; }

    /** The ones' complement sum of {@code n} bytes of the frame in buf from {@code at}, onto {@code acc}. */
    private long sum(int at, int n, long acc) {
        for (int i = 0; i < n; i += 2) acc += (buf.get(ValueLayout.JAVA_BYTE, H + at + i) & 0xFF) << 8 | buf.get(ValueLayout.JAVA_BYTE, H + at + i + 1) & 0xFF;
        return acc;
    }

    private void put16(int at, int v) {
        buf.set(ValueLayout.JAVA_BYTE, H + at, (byte) (v >>> 8));
        buf.set(ValueLayout.JAVA_BYTE, H + at + 1, (byte) v);
    }
}
