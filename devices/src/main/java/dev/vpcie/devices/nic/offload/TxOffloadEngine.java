package dev.vpcie.devices.nic.offload;

import static dev.vpcie.devices.nic.EthernetFrames.putU16;
import static dev.vpcie.devices.nic.EthernetFrames.putU32;
import static dev.vpcie.devices.nic.EthernetFrames.u16;
import static dev.vpcie.devices.nic.EthernetFrames.u32;

/**
 * Transmit checksum insertion and TCP/UDP segmentation, as the 8254x and 82576 do them.
 *
 * <h2>Checksums</h2>
 * The device sums the bytes from the start to the end of a {@link ChecksumField} <em>including the
 * field's current contents</em> and stores the complement there. The stack leaves the field 0 for
 * the IPv4 header and seeds it with the pseudo-header sum for TCP/UDP, so the result is the real
 * checksum. A result of 0 is stored as 0xFFFF (the same value in ones' complement, and the only
 * legal one for UDP).
 *
 * <h2>Segmentation</h2>
 * For each piece of at most MSS payload bytes the header is copied and fixed up:
 * <ul>
 *   <li>IPv4: Total Length = frame bytes from the IP header on; Identification += piece index;
 *       IPv6: Payload Length = frame bytes after the 40-byte fixed header;</li>
 *   <li>TCP: Sequence Number += payload bytes already sent; FIN and PSH only in the last piece;
 *       UDP: Length = bytes from the UDP header on;</li>
 *   <li>with TXSM, the transport length of the piece is added to the pseudo-header seed (the stack
 *       leaves it out for segmentation) before the checksum is computed; with IXSM the IPv4 header
 *       checksum is recomputed.</li>
 * </ul>
 * Stateless: one engine may serve every queue of a device.
 */
public final class TxOffloadEngine {
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;

    /** Receives the frames a packet becomes. The buffer is only valid during the call. */
    @FunctionalInterface
    public interface FrameSink {
        void frame(byte[] frame, int length);
    }

    /**
     * Applies {@code offload} to {@code packet[0..length)} and hands each resulting frame to {@code sink}.
     * Without segmentation the packet is modified in place.
     *
     * @return the number of frames sent to the sink
     * @throws OffloadException when the request does not fit the packet; nothing was sent
     */
    public int transmit(byte[] packet, int length, TxOffload offload, FrameSink sink) throws OffloadException {
        return switch (offload.segmentation()) {
            case Segmentation.None none -> {
                validateChecksums(offload, length);
                insertChecksums(packet, length, offload);
                sink.frame(packet, length);
                yield 1;
            }
            case Segmentation.Tso tso -> segment(packet, length, offload, tso, sink);
        };
    }

    private static void insertChecksums(byte[] frame, int length, TxOffload o) {
        if (o.insertL4Checksum()) store(frame, length, o.l4());
        if (o.insertIpChecksum()) store(frame, length, o.ip());
    }

    private static void store(byte[] frame, int length, ChecksumField f) {
        int end = f.endExclusive(length);
        int sum = InternetChecksum.fold(InternetChecksum.add(0, frame, f.start(), end - f.start()));
        int result = ~sum & 0xFFFF;
        putU16(frame, f.offset(), result == 0 ? 0xFFFF : result);
    }

    private static void validateChecksums(TxOffload o, int length) throws OffloadException {
        if (o.insertL4Checksum()) validate("L4", o.l4(), length);
        if (o.insertIpChecksum()) validate("IP", o.ip(), length);
    }

    private static void validate(String what, ChecksumField f, int length) throws OffloadException {
        int end = f.endExclusive(length);
        if (f.start() >= end || f.offset() < f.start() || f.offset() + 2 > end)
            throw new OffloadException(OffloadException.Reason.CHECKSUM_OUT_OF_RANGE, what + " checksum start " + f.start() + ", field "
                    + f.offset() + ", end " + f.end() + " do not fit a " + length + "-byte frame");
    }

    private int segment(byte[] packet, int length, TxOffload o, Segmentation.Tso tso, FrameSink sink) throws OffloadException {
        int hdr = tso.headerLength();
        int ipStart = o.ip().start();
        int l4Start = o.l4().start();
        if (tso.mss() <= 0) throw new OffloadException(OffloadException.Reason.BAD_MSS, "MSS " + tso.mss());
        int ipHeaderMin = tso.ipv4() ? PacketLayout.IPV4_MIN_HEADER : PacketLayout.IPV6_HEADER;
        int l4HeaderMin = tso.tcp() ? 20 : 8;
        if (hdr > length || ipStart + ipHeaderMin > l4Start || l4Start + l4HeaderMin > hdr)
            throw new OffloadException(OffloadException.Reason.BAD_HEADER_LENGTH, "header " + hdr + " bytes, IP at " + ipStart + ", "
                    + (tso.tcp() ? "TCP" : "UDP") + " at " + l4Start + ", packet " + length + " bytes");
        int maxFrame = hdr + tso.mss();
        validateChecksums(o, hdr); // every frame holds at least the header, where the fields are

        int payload = length - hdr;
        int pieces = payload == 0 ? 1 : (payload + tso.mss() - 1) / tso.mss();
        int ipId = tso.ipv4() ? u16(packet, ipStart + 4) : 0;
        int seq = tso.tcp() ? u32(packet, l4Start + 4) : 0;
        int seed = o.insertL4Checksum() ? u16(packet, o.l4().offset()) : 0;
        byte[] frame = new byte[Math.min(length, maxFrame)];
        for (int i = 0; i < pieces; i++) {
            int sent = i * tso.mss();
            int piece = Math.min(tso.mss(), payload - sent);
            int frameLength = hdr + piece;
            System.arraycopy(packet, 0, frame, 0, hdr);
            System.arraycopy(packet, hdr + sent, frame, hdr, piece);
            if (tso.ipv4()) {
                putU16(frame, ipStart + 2, frameLength - ipStart);
                putU16(frame, ipStart + 4, ipId + i);
            } else {
                putU16(frame, ipStart + 4, frameLength - ipStart - PacketLayout.IPV6_HEADER);
            }
            int l4Length = frameLength - l4Start;
            if (tso.tcp()) {
                putU32(frame, l4Start + 4, seq + sent);
                if (i != pieces - 1) frame[l4Start + 13] &= (byte) ~(TCP_FIN | TCP_PSH);
            } else {
                putU16(frame, l4Start + 4, l4Length);
            }
            if (o.insertL4Checksum()) putU16(frame, o.l4().offset(), InternetChecksum.fold((long) seed + l4Length));
            insertChecksums(frame, frameLength, o);
            sink.frame(frame, frameLength);
        }
        return pieces;
    }
}
