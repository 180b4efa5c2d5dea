package dev.vpcie.vrc.tap;

import dev.vpcie.protocol.transport.Tap;
import dev.vpcie.vrc.nic.TxOffload;
import dev.vpcie.vrc.nic.packet.InternetChecksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The virtio-net header (struct virtio_net_hdr, 10 bytes, host byte order) the kernel puts in
 * front of each TAP frame when IFF_VNET_HDR is on, and its translation into a NIC offload:
 * NEEDS_CSUM with csum_start/csum_offset becomes TCP/UDP checksum insertion, GSO_TCPV4/TCPV6
 * becomes TSO with gso_size as MSS. What the NIC cannot do (another checksum offset) is done here
 * in software, as the kernel's skb_checksum_help would.
 */
public record VnetHeader(int flags, int gsoType, int headerLength, int gsoSize, int checksumStart, int checksumOffset) {
    public static final int F_NEEDS_CSUM = 1, F_DATA_VALID = 2;
    public static final int GSO_NONE = 0, GSO_TCPV4 = 1, GSO_UDP = 3, GSO_TCPV6 = 4, GSO_ECN = 0x80;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    public static VnetHeader read(MemorySegment s, long at) {
        return new VnetHeader(s.get(ValueLayout.JAVA_BYTE, at) & 0xFF, s.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF,
                s.get(U16, at + 2) & 0xFFFF, s.get(U16, at + 4) & 0xFFFF, s.get(U16, at + 6) & 0xFFFF, s.get(U16, at + 8) & 0xFFFF);
    }

    /**
     * Writes a header at {@code at}: {@code flags} ({@link #F_NEEDS_CSUM}...), {@code gsoType}
     * ({@link #GSO_NONE}, {@link #GSO_TCPV4}...), hdr_len, gso_size, csum_start and csum_offset.
     */
    public static void write(MemorySegment s, long at, int flags, int gsoType, int headerLength, int gsoSize, int checksumStart,
                             int checksumOffset) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, at + 1, (byte) gsoType);
        s.set(U16, at + 2, (short) headerLength);
        s.set(U16, at + 4, (short) gsoSize);
        s.set(U16, at + 6, (short) checksumStart);
        s.set(U16, at + 8, (short) checksumOffset);
    }

    /** An all-zero header: no offload, checksum state unknown (the kernel verifies it). */
    public static void writeNone(MemorySegment s, long at) {
        s.asSlice(at, Tap.VNET_HDR_SIZE).fill((byte) 0);
    }

    /**
     * The offload for {@code frame} ({@code length} bytes after the header, at {@code at});
     * finishes the checksum in software when the NIC cannot. Throws IllegalArgumentException for
     * a header that does not fit the frame.
     */
    public TxOffload offload(MemorySegment frame, long at, int length) {
        int type = gsoType & ~GSO_ECN;
        if (type == GSO_NONE && (flags & F_NEEDS_CSUM) == 0) return TxOffload.NONE;
        int ipOffset = ipOffset(frame, at, length);
        int version = (frame.get(ValueLayout.JAVA_BYTE, at + ipOffset) & 0xF0) >>> 4;
        boolean ipv4 = version == 4;
        if (!ipv4 && version != 6) throw new IllegalArgumentException("offload requested for a frame whose IP version is " + version);
        if (checksumStart <= ipOffset || checksumStart + checksumOffset + 2 > length)
            throw new IllegalArgumentException("checksum start " + checksumStart + " / offset " + checksumOffset + " outside a frame of " + length + " bytes");
        if (type == GSO_TCPV4 || type == GSO_TCPV6) {
            int tcpHeader = ((frame.get(ValueLayout.JAVA_BYTE, at + checksumStart + 12) & 0xF0) >>> 4) * 4;
            if (checksumStart + tcpHeader < length - gsoSize)
                return new TxOffload.Segmentation(ipOffset, ipv4, checksumStart, tcpHeader, gsoSize);
            // A single segment: only the checksum needs finishing.
        } else if (type != GSO_NONE) {
            throw new IllegalArgumentException("GSO type " + gsoType + " is not offered to the kernel");
        }
        if (checksumOffset == TxOffload.L4.TCP.checksumOffset || checksumOffset == TxOffload.L4.UDP.checksumOffset) {
            int protocol = l4Protocol(frame, at, ipOffset, ipv4);
            TxOffload.L4 l4 = protocol == 6 ? TxOffload.L4.TCP : protocol == 17 ? TxOffload.L4.UDP : null;
            if (l4 != null && l4.checksumOffset == checksumOffset) return new TxOffload.Checksum(ipOffset, ipv4, checksumStart, l4, false);
        }
        finishChecksum(frame, at, length);
        return TxOffload.NONE;
    }

    /** skb_checksum_help: fold the data from csum_start on, with the seed already in the field, and store it. */
    void finishChecksum(MemorySegment frame, long at, int length) {
        byte[] bytes = frame.asSlice(at + checksumStart, length - checksumStart).toArray(ValueLayout.JAVA_BYTE);
        int c = InternetChecksum.finish(InternetChecksum.sum(0, bytes, 0, bytes.length));
        if (c == 0 && checksumOffset == TxOffload.L4.UDP.checksumOffset) c = 0xFFFF;
        long field = at + checksumStart + checksumOffset;
        frame.set(ValueLayout.JAVA_BYTE, field, (byte) (c >>> 8));
        frame.set(ValueLayout.JAVA_BYTE, field + 1, (byte) c);
    }

    private static int ipOffset(MemorySegment f, long at, int length) {
        int type = (f.get(ValueLayout.JAVA_BYTE, at + 12) & 0xFF) << 8 | f.get(ValueLayout.JAVA_BYTE, at + 13) & 0xFF;
        int offset = type == 0x8100 || type == 0x88A8 ? 18 : 14;
        if (length < offset + 20) throw new IllegalArgumentException("offload requested for a frame of " + length + " bytes");
        return offset;
    }

    /** The L4 protocol: IPv4's protocol field, or IPv6's next header when no extension header intervenes. */
    private static int l4Protocol(MemorySegment f, long at, int ipOffset, boolean ipv4) {
        return f.get(ValueLayout.JAVA_BYTE, at + ipOffset + (ipv4 ? 9 : 6)) & 0xFF;
    }
}
