package dev.vpcie.vrc.nic;

import dev.vpcie.vrc.nic.packet.InternetChecksum;

/**
 * Prepares a frame's headers for the NIC's offload engines the way the Linux drivers do before
 * they write descriptors: the L4 checksum field gets the pseudo-header sum (with the L4 length
 * for checksum insertion, without it for TSO, since the NIC adds each segment's length); for TSO
 * the IPv4 total length and header checksum, or the IPv6 payload length, are zeroed.
 */
final class HeaderPrep {
    private HeaderPrep() {}

    /**
     * Patches {@code headers} (the first bytes of a frame of {@code frameLength} bytes) in place;
     * returns how many leading bytes were examined (the caller copies those back).
     */
    static int prepare(byte[] headers, int frameLength, TxOffload offload) {
        return switch (offload) {
            case TxOffload.None n -> 0;
            case TxOffload.Checksum c -> {
                int end = c.l4Offset() + c.l4().checksumOffset + 2;
                require(headers, end, frameLength);
                checkVersion(headers, c.ipOffset(), c.ipv4());
                if (c.ipHeaderChecksum()) put16(headers, c.ipOffset() + 10, 0);
                int l4Length = frameLength - c.l4Offset();
                put16(headers, c.l4Offset() + c.l4().checksumOffset, seed(headers, c.ipOffset(), c.ipv4(), c.l4().protocol, l4Length));
                yield end;
            }
            case TxOffload.Segmentation s -> {
                int end = s.headerLength();
                require(headers, end, frameLength);
                checkVersion(headers, s.ipOffset(), s.ipv4());
                if (end >= frameLength) throw new IllegalArgumentException("TSO frame of " + frameLength + " bytes has no payload after its "
                        + end + " header bytes");
                if (s.ipv4()) {
                    put16(headers, s.ipOffset() + 2, 0);
                    put16(headers, s.ipOffset() + 10, 0);
                } else {
                    put16(headers, s.ipOffset() + 4, 0);
                }
                put16(headers, s.l4Offset() + TxOffload.L4.TCP.checksumOffset, seed(headers, s.ipOffset(), s.ipv4(), TxOffload.L4.TCP.protocol, 0));
                yield end;
            }
        };
    }

    private static int seed(byte[] h, int ipOffset, boolean ipv4, int protocol, int l4Length) {
        long sum = ipv4 ? InternetChecksum.ipv4PseudoHeader(h, ipOffset, protocol, l4Length)
                : InternetChecksum.ipv6PseudoHeader(h, ipOffset, protocol, l4Length);
        return InternetChecksum.fold(sum);
    }

    private static void checkVersion(byte[] h, int ipOffset, boolean ipv4) {
        int version = (h[ipOffset] & 0xFF) >>> 4;
        if (version != (ipv4 ? 4 : 6))
            throw new IllegalArgumentException("offload for IPv" + (ipv4 ? 4 : 6) + " but the header at byte " + ipOffset + " is version " + version);
    }

    private static void require(byte[] headers, int end, int frameLength) {
        if (end > frameLength || end > headers.length)
            throw new IllegalArgumentException("offload headers end at byte " + end + ", beyond the frame of " + frameLength + " bytes");
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }
}
