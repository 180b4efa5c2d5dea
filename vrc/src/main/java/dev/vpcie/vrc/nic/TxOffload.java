package dev.vpcie.vrc.nic;

/**
 * What the NIC should do to a frame on its way out, as a kernel stack asks through an skb:
 * nothing, insert the TCP/UDP checksum, or cut a large TCP segment into MSS-sized frames (TSO).
 * Offsets are from the start of the frame. The driver prepares the headers as the Linux drivers
 * do (pseudo-header seed in the checksum field; for TSO, lengths zeroed and the seed without the
 * length), so the caller may leave the checksum fields as they are.
 */
public sealed interface TxOffload {
    None NONE = new None();

    /** The transport protocols the checksum and segmentation engines know. */
    enum L4 {
        TCP(6, 16), UDP(17, 6);

        public final int protocol;
        /** Where the checksum field sits in the L4 header. */
        public final int checksumOffset;

        L4(int protocol, int checksumOffset) {
            this.protocol = protocol;
            this.checksumOffset = checksumOffset;
        }
    }

    int ipOffset();

    /** Send as is. */
    record None() implements TxOffload {
        @Override public int ipOffset() { return 0; }
    }

    /**
     * Insert the L4 checksum over {@code [l4Offset, end of frame)} (TXSM), and with
     * {@code ipHeaderChecksum} also the IPv4 header checksum (IXSM).
     */
    record Checksum(int ipOffset, boolean ipv4, int l4Offset, L4 l4, boolean ipHeaderChecksum) implements TxOffload {
        public Checksum {
            checkOffsets(ipOffset, ipv4, l4Offset);
            if (ipHeaderChecksum && !ipv4) throw new IllegalArgumentException("only IPv4 has a header checksum");
        }
    }

    /**
     * TCP segmentation: the headers ({@code l4Offset + l4HeaderLength} bytes) are copied to each
     * segment, the payload after them cut into {@code mss}-byte pieces, and lengths, IP ID,
     * sequence numbers, flags and checksums fixed per segment.
     */
    record Segmentation(int ipOffset, boolean ipv4, int l4Offset, int l4HeaderLength, int mss) implements TxOffload {
        public Segmentation {
            checkOffsets(ipOffset, ipv4, l4Offset);
            if (l4HeaderLength < 20 || l4HeaderLength > 60 || (l4HeaderLength & 3) != 0)
                throw new IllegalArgumentException("TCP header length must be 20..60 and a multiple of 4: " + l4HeaderLength);
            if (mss < 1 || mss > 9000) throw new IllegalArgumentException("MSS must be 1..9000: " + mss);
        }

        public int headerLength() { return l4Offset + l4HeaderLength; }
    }

    private static void checkOffsets(int ipOffset, boolean ipv4, int l4Offset) {
        if (ipOffset < 14 || ipOffset > 127) throw new IllegalArgumentException("IP header offset must be 14..127: " + ipOffset);
        int ipLen = l4Offset - ipOffset;
        if (ipv4 ? ipLen < 20 || ipLen > 60 : ipLen < 40 || ipLen > 255)
            throw new IllegalArgumentException("IP header length " + ipLen + " is impossible for " + (ipv4 ? "IPv4" : "IPv6"));
    }
}
