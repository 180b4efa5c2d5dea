package dev.vpcie.endpoint.wire;

import static dev.vpcie.devices.nic.EthernetFrames.putU16;
import static dev.vpcie.devices.nic.EthernetFrames.u16;

import dev.vpcie.devices.nic.EthernetFrames;
import dev.vpcie.devices.nic.offload.ChecksumField;
import dev.vpcie.devices.nic.offload.InternetChecksum;
import dev.vpcie.devices.nic.offload.OffloadException;
import dev.vpcie.devices.nic.offload.Segmentation;
import dev.vpcie.devices.nic.offload.TxOffload;
import dev.vpcie.devices.nic.offload.TxOffloadEngine;
import dev.vpcie.protocol.transport.ReceiveOffload;

/**
 * Finishes what the sending host's stack left to "hardware" in a frame taken off an interface,
 * before it goes onto an emulated NIC's wire: the transport checksum of a frame sent with checksum
 * offload, or the segmentation of a GSO/GRO super-frame (TCP over IPv4 or IPv6, UDP with USO).
 * The kernel does the same in software for a NIC without those offloads; a frame from a real wire
 * never needs it. The work itself is the NIC models' own transmit offload engine.
 *
 * <p>Single-threaded (the wire's receive thread).
 */
final class OffloadCompletion {
    private static final int PROTO_TCP = 6, PROTO_UDP = 17;
    private static final int IPV4_CHECKSUM = 10, IPV4_ADDRESSES = 12, IPV6_ADDRESSES = 8, IPV6_HEADER = 40, TPID_8021AD = 0x88A8;
    private static final int TCP_CHECKSUM = 16, TCP_DATA_OFFSET = 12, UDP_CHECKSUM = 6, UDP_HEADER = 8;

    private final TxOffloadEngine engine = new TxOffloadEngine();

    /**
     * Hands the finished frame, or the segments of a super-frame, to {@code sink}. The frame may be
     * modified in place.
     *
     * @throws OffloadException when the request does not fit the frame (nothing was handed on)
     */
    void complete(byte[] frame, int length, ReceiveOffload offload, TxOffloadEngine.FrameSink sink) throws OffloadException {
        if (offload.segmented()) {
            segment(frame, length, offload, sink);
        } else if (offload.needsChecksum()) {
            int start = offload.checksumStart();
            ChecksumField l4 = new ChecksumField(start, start + offload.checksumOffset(), 0);
            engine.transmit(frame, length, new TxOffload(false, ChecksumField.NONE, true, l4, Segmentation.NONE), sink);
        } else {
            sink.frame(frame, length);
        }
    }

    private void segment(byte[] frame, int length, ReceiveOffload o, TxOffloadEngine.FrameSink sink) throws OffloadException {
        boolean tcp = switch (o.gso()) {
            case ReceiveOffload.GSO_TCPV4, ReceiveOffload.GSO_TCPV6 -> true;
            case ReceiveOffload.GSO_UDP_L4 -> false;
            default -> throw new OffloadException(OffloadException.Reason.BAD_HEADER_LENGTH,
                    "GSO type " + o.gsoType() + " (UDP fragmentation offload) cannot be completed; turn it off on the sending interface");
        };
        int l3 = EthernetFrames.HEADER_LENGTH;
        if (length >= l3 + 4 && (u16(frame, EthernetFrames.ETHER_TYPE) == EthernetFrames.TPID_8021Q || u16(frame, EthernetFrames.ETHER_TYPE) == TPID_8021AD))
            l3 += EthernetFrames.VLAN_TAG_LENGTH;
        int type = u16(frame, l3 - 2);
        boolean ipv4 = type == EthernetFrames.ETHERTYPE_IPV4;
        if (!ipv4 && type != EthernetFrames.ETHERTYPE_IPV6 || length < l3 + (ipv4 ? 20 : IPV6_HEADER))
            throw new OffloadException(OffloadException.Reason.BAD_HEADER_LENGTH, "a GSO frame of EtherType 0x" + Integer.toHexString(type)
                    + " and " + length + " bytes is not IP");
        int l4 = o.needsChecksum() ? o.checksumStart() : ipv4 ? l3 + 4 * (frame[l3] & 0x0F) : l3 + IPV6_HEADER;
        int header = tcp ? l4 + 4 * ((frame[l4 + TCP_DATA_OFFSET] & 0xF0) >>> 4) : l4 + UDP_HEADER;
        if (l4 + (tcp ? 20 : UDP_HEADER) > length || header > length)
            throw new OffloadException(OffloadException.Reason.BAD_HEADER_LENGTH, "GSO headers end at " + header + " in a " + length + "-byte frame");
        // The engine adds each segment's transport length to a pseudo-header sum without it, as an
        // Intel NIC expects from its driver; the stack stored one with the whole length.
        int checksumField = l4 + (tcp ? TCP_CHECKSUM : UDP_CHECKSUM);
        long pseudo = ipv4 ? InternetChecksum.add(0, frame, l3 + IPV4_ADDRESSES, 8) : InternetChecksum.add(0, frame, l3 + IPV6_ADDRESSES, 32);
        putU16(frame, checksumField, InternetChecksum.fold(pseudo + (tcp ? PROTO_TCP : PROTO_UDP)));
        ChecksumField ip = ipv4 ? new ChecksumField(l3, l3 + IPV4_CHECKSUM, l4 - 1) : new ChecksumField(l3, 0, 0);
        if (ipv4) putU16(frame, l3 + IPV4_CHECKSUM, 0); // summed with the header: it must not count itself
        TxOffload offload = new TxOffload(ipv4, ip, true, new ChecksumField(l4, checksumField, 0),
                new Segmentation.Tso(header, o.gsoSize(), ipv4, tcp));
        engine.transmit(frame, length, offload, sink);
    }
}
