package dev.vpcie.vrc.nic.packet;

/**
 * The 16-bit ones'-complement checksum of RFC 1071, used by IPv4 headers, ICMP, TCP and UDP.
 * {@link #sum} accumulates without folding so pieces (a pseudo-header, then a segment) can be
 * added up before {@link #finish} folds and complements.
 */
public final class InternetChecksum {
    private InternetChecksum() {}

    /** Adds {@code length} bytes at {@code offset} as big-endian 16-bit words (an odd last byte is padded with zero). */
    public static long sum(long acc, byte[] data, int offset, int length) {
        int i = offset, end = offset + length;
        for (; i + 1 < end; i += 2) acc += (data[i] & 0xFF) << 8 | data[i + 1] & 0xFF;
        if (i < end) acc += (data[i] & 0xFF) << 8;
        return acc;
    }

    /** Folds the carries of an accumulated sum into 16 bits, without complementing. */
    public static int fold(long acc) {
        while ((acc >>> 16) != 0) acc = (acc & 0xFFFF) + (acc >>> 16);
        return (int) acc;
    }

    /** The checksum to store: the complement of the folded sum. */
    public static int finish(long acc) {
        return ~fold(acc) & 0xFFFF;
    }

    /** The checksum of one block. */
    public static int of(byte[] data, int offset, int length) {
        return finish(sum(0, data, offset, length));
    }

    /** True when a block that contains its own checksum field verifies (sums to all-ones). */
    public static boolean verifies(byte[] data, int offset, int length) {
        return fold(sum(0, data, offset, length)) == 0xFFFF;
    }

    /** The IPv4 pseudo-header sum (RFC 793/768) for an L4 segment of {@code l4Length} bytes. */
    public static long ipv4PseudoHeader(byte[] frame, int ipOffset, int protocol, int l4Length) {
        long acc = sum(0, frame, ipOffset + 12, 8); // source and destination address
        return acc + protocol + l4Length;
    }

    /** The IPv6 pseudo-header sum (RFC 8200 section 8.1). */
    public static long ipv6PseudoHeader(byte[] frame, int ipOffset, int nextHeader, int l4Length) {
        long acc = sum(0, frame, ipOffset + 8, 32); // source and destination address
        return acc + nextHeader + (l4Length & 0xFFFFL) + (l4Length >>> 16);
    }
}
